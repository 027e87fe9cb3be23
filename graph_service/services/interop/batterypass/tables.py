"""Battery Pass consortium data model 1.2.x (DIN DKE SPEC 99100 attributes): the mapping as data.

* ``ASPECTS``: the seven SAMM aspects, their versions and model files (the official JSON schema
  where published; PerformanceAndDurability 1.2.1 has the aspect model only, its schema is made
  from it by ``interop/samm.py``).
* ``FIELDS`` / ``ACCESS``: read from ``mapping.toml`` beside this module by
  ``interop/mapping.py``: per aspect and version, the JSON fields carried by EMMO / BattINFO /
  dbp terms (every other field keeps the SAMM property URN of its aspect model,
  ``structure.py``); per aspect, the access group (DIN DKE SPEC 99100 / Battery Pass long list
  v1.2, "access rights") and lifecycle stage of each part, with the attribute it follows (a
  field not listed inherits from the part containing it). ``annotations.py`` turns ``ACCESS``
  into ontology/interop-batterypass.ttl.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.services.interop import mapping
from graph_service.services.interop.batterypass import codecs
from graph_service.services.interop.schema import Pattern

FORMAT = "batterypass"
NAMESPACE = "io.BatteryPass"


@dataclass(frozen=True)
class Aspect:
    name: str  # the aspect element (SAMM), the key of an aspect in a set of payloads
    module: str  # the model's namespace part: urn:samm:io.BatteryPass.<module>:<version>
    short: str  # node kind of its structure nodes ({battery}/bp-<short>/...)
    versions: tuple[str, ...]
    schema_versions: tuple[str, ...]  # versions published with a JSON schema

    def urn(self, version: str) -> str:
        return f"urn:samm:{NAMESPACE}.{self.module}:{version}#{self.name}"

    def term_prefix(self, version: str | None = None) -> str:
        return f"urn:samm:{NAMESPACE}.{self.module}:" + (f"{version}#" if version else "")

    def file(self, version: str) -> tuple[str, str]:
        """(folder, file name) in the passport-model folder: the schema or the aspect model."""
        suffix = "-schema.json" if version in self.schema_versions else ".ttl"
        return ("batterypass", f"{self.module}_{version}_{self.name}{suffix}")

    @property
    def latest(self) -> str:
        return self.versions[-1]


ASPECTS: dict[str, Aspect] = {a.name: a for a in (
    Aspect("GeneralProductInformation", "GeneralProductInformation", "gpi", ("1.2.0",),
           ("1.2.0",)),
    Aspect("CarbonFootprintForBatteries", "CarbonFootprint", "cf", ("1.2.0",), ("1.2.0",)),
    Aspect("Circularity", "Circularity", "circ", ("1.2.0",), ("1.2.0",)),
    Aspect("Labeling", "Labels", "labels", ("1.2.0",), ("1.2.0",)),
    Aspect("MaterialComposition", "MaterialComposition", "mc", ("1.2.0",), ("1.2.0",)),
    Aspect("PerformanceAndDurability", "Performance", "perf", ("1.2.0", "1.2.1"), ("1.2.0",)),
    Aspect("SupplyChainDueDiligence", "SupplyChainDueDiligence", "scdd", ("1.2.0",),
           ("1.2.0",)),
)}
# Other names a set of payloads may use for an aspect (the module names of the model).
ALIASES = {a.module: a.name for a in ASPECTS.values() if a.module != a.name}
SUPPORTED_VERSIONS = ("1.2.0", "1.2.1")


# The codecs of this model besides the shared ones of interop/codecs.py.
_CODECS: dict[str, type] = {c.__name__: c for c in (
    codecs.DatePart, codecs.MaterialShare, codecs.MultiLanguage, codecs.OrganisationId,
    codecs.Value)}
_MAPPING = mapping.read_mapping(__name__)
if _unknown := sorted(set(_MAPPING) - set(ASPECTS)):
    raise mapping.MappingError(f"mapping.toml has sections of no aspect: {_unknown}")


def _fields(aspect: Aspect, version: str) -> dict[Pattern, object]:
    """The fields of one version of an aspect: its rows that name no versions or this one."""
    rows = [{k: v for k, v in row.items() if k != "versions"}
            for row in _MAPPING.get(aspect.name, {}).get("field", [])
            if version in row.get("versions", aspect.versions)]
    return mapping.fields(rows, extra_codecs=_CODECS)


FIELDS = {(a.name, v): _fields(a, v) for a in ASPECTS.values() for v in a.versions}
# Required parts whose stored fact the aspect model cannot take (``[[<aspect>.held]]``).
HELD = {a.name: mapping.held(_MAPPING.get(a.name, {}).get("held", [])) for a in ASPECTS.values()}
ACCESS = {name: mapping.access(part["access"]) for name, part in _MAPPING.items()}

# Defects of the published schemas, corrected where the intention is evident and reported in
# docs/interop.md: (aspect, version) -> {component: (keyword, published, corrected)}.
# GeneralProductInformation 1.2.0: the e-mail pattern lost its backslashes in the aspect model
# ("^[w.-]+@..." accepts only the letter w, dots and dashes before the @); Circularity writes the
# same pattern with them.
SCHEMA_CORRECTIONS: dict[tuple[str, str], dict[str, tuple[str, str, str]]] = {
    ("GeneralProductInformation", "1.2.0"): {
        "EmailAddressTrait": ("pattern", "^[w.-]+@[w.-]+.[A-Za-z]{2,}$",
                              r"^[\w.-]+@[\w.-]+\.[A-Za-z]{2,}$"),
    },
}
