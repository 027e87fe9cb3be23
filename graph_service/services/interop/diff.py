"""Leaf-by-leaf comparison of two JSON documents: which fields were preserved, changed, lost
or added. Used by the round-trip tests and the bench, and by anyone checking an export against
the received document (its source record).

A leaf is a value that is not an object or a list, or an empty object/list; its path is the
JSON path (``$.a.b[0].c``). Values are compared after a format's documented normalisations
(``normalise(path, value)``, e.g. numbers by value, timestamps as instants); without one, by
equality with ``1 == 1.0`` (JSON does not tell them apart) but ``True != 1``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graph_service.services.interop.jsondoc import Path, json_path

Normaliser = Callable[[Path, Any], Any]


def leaves(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def _plain(path: Path, value: Any) -> Any:
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if isinstance(value, dict | list):
        return (type(value).__name__, len(value))
    return value


@dataclass
class LeafDiff:
    preserved: list[str] = field(default_factory=list)
    changed: list[tuple[str, Any, Any]] = field(default_factory=list)
    lost: list[tuple[str, Any]] = field(default_factory=list)
    added: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.preserved) + len(self.changed) + len(self.lost)

    @property
    def coverage(self) -> float:
        """Share of the first document's leaves preserved in the second (1.0 = all)."""
        return len(self.preserved) / self.total if self.total else 1.0

    @property
    def identical(self) -> bool:
        return not (self.changed or self.lost or self.added)

    def summary(self) -> str:
        return (f"{len(self.preserved)} of {self.total} leaves preserved "
                f"({self.coverage:.1%}); {len(self.changed)} changed, {len(self.lost)} lost, "
                f"{len(self.added)} added")

    def details(self, limit: int = 20) -> str:
        lines = [self.summary()]
        lines += [f"  changed {p}: {a!r} -> {b!r}" for p, a, b in self.changed[:limit]]
        lines += [f"  lost {p}: {a!r}" for p, a in self.lost[:limit]]
        lines += [f"  added {p}: {b!r}" for p, b in self.added[:limit]]
        return "\n".join(lines)


def diff(before: Any, after: Any, normalise: Normaliser | None = None) -> LeafDiff:
    norm = normalise or _plain
    old = dict(leaves(before))
    new = dict(leaves(after))
    result = LeafDiff()
    for path, value in old.items():
        text = json_path(path)
        if path not in new:
            result.lost.append((text, value))
        elif norm(path, value) == norm(path, new[path]):
            result.preserved.append(text)
        else:
            result.changed.append((text, value, new[path]))
    result.added = [(json_path(p), v) for p, v in new.items() if p not in old]
    return result


__all__ = ["LeafDiff", "diff", "leaves"]
