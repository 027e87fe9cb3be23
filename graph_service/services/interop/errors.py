"""What the interop machinery answers when it cannot do what was asked.

Every problem with a submitted document is a ``Problem`` that names its JSON path (and, where the
position is known, the line and column in the submitted file). A document is refused with all
of its problems at once (``DocumentRejected``); an export that would need facts we do not have
is refused with the list of gaps (``ExportIncomplete``). None of these carry exception text of
a library to the client: messages are ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph_service.model.answers import DocumentProblem


@dataclass(frozen=True)
class Problem:
    """One error or warning about a document, at a JSON path."""

    path: str
    message: str
    kind: str = "semantic"  # syntax | encoding | schema | semantic | version | unknown-key | shacl
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f" (line {self.line}, column {self.column})"
        return f"{where}: {self.message}"

    def answer(self) -> DocumentProblem:
        return DocumentProblem(path=self.path, message=self.message, kind=self.kind,
                               line=self.line, column=self.column)

    def as_dict(self) -> dict[str, Any]:
        return self.answer().model_dump()


class DocumentError(ValueError):
    """A partner document we cannot read at all (encoding, JSON syntax); says what and where."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        where = path or (f"line {line}, column {column}" if line is not None else None)
        super().__init__(f"{where}: {message}" if where else message)
        self.detail = message
        self.path = path
        self.line = line
        self.column = column


class DocumentRejected(DocumentError):
    """A readable document with errors: every schema and semantic error, listed at once."""

    def __init__(self, format: str, problems: list[Problem], *,
                 warnings: list[Problem] | None = None, version: str | None = None) -> None:
        first = problems[0] if problems else None
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        label = f"{format} {version}" if version else format
        super().__init__(f"the {label} document has {len(problems)} error(s); nothing was "
                         f"stored. {first}{more}" if first else "the document was refused",
                         path=None)
        self.format = format
        self.version = version
        self.problems = problems
        self.warnings = warnings or []

    def report(self) -> dict[str, Any]:
        return {"format": self.format, "version": self.version,
                "errors": [p.as_dict() for p in self.problems],
                "warnings": [w.as_dict() for w in self.warnings]}


@dataclass(frozen=True)
class Gap:
    """A field the target schema requires that the stored passport does not provide."""

    path: str
    reason: str
    provided_by: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason, "providedBy": self.provided_by}


class ExportIncomplete(Exception):
    """The target schema requires facts we do not have; nothing is made up for them."""

    def __init__(self, format: str, version: str, battery_id: str, gaps: list[Gap]) -> None:
        super().__init__(
            f"battery {battery_id} cannot be exported as a complete {format} {version} "
            f"document: {len(gaps)} required field(s) have no stored value (first: "
            f"{gaps[0].path}: {gaps[0].reason}). Ask for an incomplete document explicitly "
            "(incomplete=allow) to get what is known plus the list of gaps.")
        self.format = format
        self.version = version
        self.battery_id = battery_id
        self.gaps = gaps


class UnknownFormat(ValueError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown format {name!r}; known formats: {', '.join(known)}")
        self.name = name


class FormatNotSupported(ValueError):
    """A known format that cannot (yet) be read or written in the asked direction."""

    def __init__(self, name: str, direction: str, supported: list[str]) -> None:
        listed = ", ".join(supported) or "none"
        super().__init__(f"{direction} of format {name!r} is not yet supported; formats "
                         f"supported for {direction}: {listed}")
        self.name = name
        self.direction = direction


class FormatUnavailable(RuntimeError):
    """A supported format whose model files are missing from this installation."""


class PassportNotFound(LookupError):
    def __init__(self, battery_id: str) -> None:
        super().__init__(f"no passport of battery {battery_id!r} is stored")
        self.battery_id = battery_id
