"""Chemistry and substance terms every partner format reads the same way: a free-text battery
chemistry as a concept of our chemistry vocabulary, a CAS number as a chemical-substance class.
A text that names no concept yields nothing (the importers warn); nothing is guessed."""

from __future__ import annotations

import re

from graph_service.model.terms import (
    LEAD,
    LITHIUM_COBALT_OXIDE,
    LITHIUM_MANGANESE_OXIDE,
    SUBSTANCE,
)

CHEMSUB_BY_CAS = {
    "7439-93-2": SUBSTANCE["lithium"], "7440-02-0": SUBSTANCE["nickel"],
    "7440-48-4": SUBSTANCE["cobalt"], "7439-96-5": SUBSTANCE["manganese"],
    "7782-42-5": SUBSTANCE["graphite"], "7429-90-5": SUBSTANCE["aluminium"],
    "7440-50-8": SUBSTANCE["copper"], "7439-92-1": LEAD,
    "346417-97-8": SUBSTANCE["nmc"], "193214-24-3": SUBSTANCE["nca"],
    "15365-14-7": SUBSTANCE["lfp"],
    "12190-79-3": LITHIUM_COBALT_OXIDE,
    "12057-17-9": LITHIUM_MANGANESE_OXIDE,
}

_NMC_RATIOS = {"111", "532", "622", "811"}
_NCM_TO_NMC = {"111": "111", "523": "532", "622": "622", "811": "811"}



def chemistry_notation(text: str) -> tuple[str | None, str | None]:
    """(chemistry concept notation, note) for a free-text chemistry, or (None, None)."""
    t = text.lower()
    flat = re.sub(r"[^a-z0-9]+", " ", t)
    words = set(flat.split())

    def has(*parts: str) -> bool:
        return all(p in t for p in parts)

    if words & {"sodium", "na", "nib", "sib"} or "na-ion" in t:
        return "sodium-ion", None
    if "lmfp" in words or has("manganese", "iron", "phosphate"):
        return "lmfp", None
    if words & {"lfp", "lifepo4"} or has("iron", "phosphate"):
        return "lfp", None
    if "nca" in words or has("nickel", "cobalt", "alumin"):
        return "nca", None
    ratio = re.search(r"\b(nmc|ncm)\s*-?\s*(\d{3})\b", flat) or re.search(
        r"\b(nmc|ncm)(\d{3})\b", flat)
    if words & {"nmc", "ncm"} or ratio or has("nickel", "manganese", "cobalt"):
        if ratio:
            family, digits = ratio.group(1), ratio.group(2)
            nmc = digits if family == "nmc" else _NCM_TO_NMC.get(digits)
            if nmc in _NMC_RATIOS:
                note = None if family == "nmc" else f"NCM {digits} read as NMC {nmc} (Ni:Mn:Co)"
                return f"nmc{nmc}", note
            return "nmc", f"ratio {family.upper()} {digits} is not in our vocabulary; " \
                          "recorded as NMC"
        return "nmc", None
    if "lto" in words or "titanate" in t:
        return "lto", None
    if "lmo" in words or (has("manganese", "oxide") and "nickel" not in t):
        return "lmo", None
    if "lco" in words or (has("cobalt", "oxide") and "nickel" not in t):
        return "lco", None
    return None, None


__all__ = ["CHEMSUB_BY_CAS", "chemistry_notation"]
