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
    """(chemistry concept notation, note) for a free-text chemistry, or (None, None) when it
    names no concept. A text naming more than one chemistry of our vocabulary ("LFP and NMC
    622 (hybrid pack)", "NMC/LMO blend", "NMC 622 and NMC 811") is never read as one of them:
    (None, note naming them)."""
    named = chemistries_named(text)
    if len(named) > 1:
        return None, ("names more than one chemistry of our vocabulary ("
                      f"{', '.join(named)}); no single chemistry can be derived from it")
    if not named:
        return None, None
    ((notation, note),) = named.items()
    return notation, note


def chemistries_named(text: str) -> dict[str, str | None]:
    """Every chemistry of our vocabulary ``text`` names: notation -> note (in order of the
    vocabulary). NMC and a ratio of it are one chemistry (the ratio decides); two ratios are
    two. Full names are read only without a sodium marker (a sodium-ion text names its
    cathode, e.g. "sodium iron phosphate", with the same words)."""
    t = text.lower()
    flat = re.sub(r"[^a-z0-9]+", " ", t)
    words = set(flat.split())

    def has(*parts: str) -> bool:
        return all(p in t for p in parts)

    found: dict[str, str | None] = {}
    sodium = bool(words & {"sodium", "na", "nib", "sib"} or "na-ion" in t)
    if sodium:
        found["sodium-ion"] = None
    lmfp_name = not sodium and has("manganese", "iron", "phosphate")
    if "lmfp" in words or lmfp_name:
        found["lmfp"] = None
    if words & {"lfp", "lifepo4"} or (not sodium and not lmfp_name and has("iron", "phosphate")):
        found["lfp"] = None
    if "nca" in words or (not sodium and has("nickel", "cobalt", "alumin")):
        found["nca"] = None
    ratios: dict[str, str | None] = {}
    for match in re.finditer(r"\b(nmc|ncm)\s*-?\s*(\d{3})\b", flat):
        family, digits = match.group(1), match.group(2)
        nmc = digits if family == "nmc" else _NCM_TO_NMC.get(digits)
        if nmc in _NMC_RATIOS:
            note = None if family == "nmc" else f"NCM {digits} read as NMC {nmc} (Ni:Mn:Co)"
            ratios.setdefault(f"nmc{nmc}", note)
        else:
            ratios.setdefault(f"nmc ({family.upper()} {digits})",
                              f"ratio {family.upper()} {digits} is not in our vocabulary; "
                              "recorded as NMC")
    if len(ratios) > 1:
        found.update(ratios)
    elif ratios:
        ((name, note),) = ratios.items()
        found[name if name in {f"nmc{r}" for r in _NMC_RATIOS} else "nmc"] = note
    elif words & {"nmc", "ncm"} or (not sodium and has("nickel", "manganese", "cobalt")):
        found["nmc"] = None
    if "lto" in words or (not sodium and "titanate" in t):
        found["lto"] = None
    if "lmo" in words or (not sodium and has("manganese", "oxide") and "nickel" not in t):
        found["lmo"] = None
    if "lco" in words or (not sodium and has("cobalt", "oxide") and "nickel" not in t):
        found["lco"] = None
    return found


__all__ = ["CHEMSUB_BY_CAS", "chemistries_named", "chemistry_notation"]
