"""The researcher queries the benchmark runs: published examples from ``queries/``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"

# (key, what it stands for, file in queries/); the first two read one battery, the others the
# whole fleet
SELECTION = [
    ("point-lookup", "point lookup by battery id", "battery-public-identity.rq"),
    ("pack-modules-cells", "pack with modules and cells", "pack-modules-and-cells.rq"),
    ("soh-by-chemistry", "aggregate SoH by chemistry", "fleet-soh-by-chemistry.rq"),
    ("overview", "OPTIONAL-heavy fleet overview", "passport-overview.rq"),
    ("range-filter", "numeric range filter (voltage, energy)", "packs-by-voltage-and-energy.rq"),
    ("subclass-closure", "rdfs:subClassOf* over the EMMO hierarchy",
     "battery-nodes-by-battinfo-class.rq"),
]


@dataclass(frozen=True)
class BenchQuery:
    key: str
    label: str
    file: str
    text: str
    title: str

    @property
    def per_battery(self) -> bool:
        return self.key in PER_BATTERY


PER_BATTERY = {"point-lookup", "pack-modules-cells"}


def load_queries() -> list[BenchQuery]:
    selected = []
    for key, label, name in SELECTION:
        text = (QUERIES_DIR / name).read_text(encoding="utf-8")
        title = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                      if line.startswith("# title:")), name)
        selected.append(BenchQuery(key, label, name, text, title))
    return selected
