"""Typed errors with stable codes.

The library raises these; the CLI turns each into one line on stderr
("govreport: E102 path: reason") and a row in errors.csv. A code never changes meaning,
so scripts and researchers can filter on it.

E0xx  reading an input (the file itself is the problem)
E1xx  rules files (a rule is malformed)
E2xx  usage (arguments, output folder)
E999  a bug: an unexpected exception (`--debug` shows its traceback)
"""
from __future__ import annotations


class GovreportError(Exception):
    """Base class: every error a user can cause derives from it."""

    code = "E000"

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        # code first, the same shape for every error: "E003 a.txt: file is empty"
        where = f"{self.path}: " if self.path else ""
        return f"{self.code} {where}{self.message}"


class InputError(GovreportError):
    """An input document cannot be read. The batch goes on without it."""

    code = "E001"


class MissingFile(InputError):
    code = "E002"


class EmptyDocument(InputError):
    code = "E003"


class BinaryContent(InputError):
    code = "E004"


class UnsupportedFormat(InputError):
    code = "E005"


class UndecodableText(InputError):
    code = "E006"


class FileTooLarge(InputError):
    code = "E007"


class EncryptedDocument(InputError):
    code = "E010"


class BrokenDocument(InputError):
    code = "E011"


class NoTextLayer(InputError):
    code = "E012"


class GarbledText(InputError):
    code = "E013"


class ConverterMissing(InputError):
    code = "E014"


class DocumentTimeout(InputError):
    """The document took longer than `--doc-timeout`; its worker was stopped."""

    code = "E015"


class SymlinkLoop(InputError):
    code = "E016"


class UnreadableFolder(InputError):
    """A folder of the inputs could not be listed; the files in it were not seen."""

    code = "E017"


class WorkerDied(InputError):
    """The process reading the document died (out of memory, a crash in a C library)."""

    code = "E018"


class PatternTimeout(InputError):
    """A rule pattern ran longer than its time limit on this document (pipeline.patterns)."""

    code = "E020"


class RulesError(GovreportError):
    """A rules file is malformed. Names the file, the rule and what is wrong."""

    code = "E101"

    def __init__(self, file: str, rule: str | None, problem: str, line: int | None = None) -> None:
        self.file = file
        self.rule = rule
        self.problem = problem
        self.line = line
        where = f"rule {rule!r}: " if rule else ""
        super().__init__(f"{where}{problem}", path=f"{file}:{line}" if line else file)


class UsageError(GovreportError):
    code = "E201"


class QueryError(UsageError):
    """DuckDB refused the SQL; the message is DuckDB's own, on one line."""

    code = "E202"

    def __str__(self) -> str:
        return f"{self.code} query error: {self.message}"


class OutputLocked(GovreportError):
    """Another run is writing into the same output folder."""

    code = "E204"


class OutputUnwritable(GovreportError):
    """The output folder cannot be written (read-only, disk full, …): the run stops."""

    code = "E205"


class NoInputs(GovreportError):
    """The inputs name no document at all (an empty folder, only missing files)."""

    code = "E206"


class InternalError(GovreportError):
    """An unexpected exception: a bug. The message points to `--debug`."""

    code = "E999"


class FontMissing(GovreportError):
    """A chart was asked for, but no font that draws Chinese is installed."""

    code = "E203"
