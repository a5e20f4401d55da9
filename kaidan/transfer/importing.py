"""What an importer is made of; each kind (customers, products) subclasses ``Importer`` next to its
models and is found through ``settings.KAIDAN_IMPORTERS``.

An importer names its columns (bilingual headers such as "编码 Code", a note on the format, an
example value), checks one row at a time against lookups it loaded once for the whole file
(``prepare``), and writes a checked row through its app's services (``apply``), so validation,
audit history and search columns are those of the UI. Problems name the row and the column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from kaidan.core.errors import DomainError, ValidationFailed
from kaidan.transfer import excel
from kaidan.transfer.cells import CellError, text

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
LOOKUP_CHUNK = 500  # ids per IN (...) query; well under SQLite's variable limit


@dataclass(frozen=True)
class Column:
    """One column of the template: its key (a field), bilingual header, format note and example."""

    key: str
    zh: str
    en: str
    note: Any = ""
    example: Any = ""
    width: int = 14
    number_format: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"

    @property
    def label(self) -> str:
        """How problems name the column: "信用代码 / uscc"."""
        return f"{self.zh} / {self.key}"

    def names(self) -> set[str]:
        return {excel.header_text(n) for n in (self.header, self.zh, self.en, self.key, *self.aliases)}


@dataclass(frozen=True)
class Problem:
    """Something wrong with a row (row None: with the file as a whole)."""

    row: int | None
    column: str
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = [_("row %(n)d") % {"n": self.row}] if self.row else []
        if self.column:
            where.append(self.column)
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class Record:
    """One row of the sheet: its Excel row number and the raw value of each column present."""

    row: int
    values: dict[str, Any]


@dataclass
class RowPlan:
    """What importing a row will do: create, update or leave unchanged, with the service data."""

    row: int
    key: str
    action: str = CREATE
    data: dict[str, Any] = field(default_factory=dict)
    target: Any = None
    problems: list[Problem] = field(default_factory=list)


class RowCheck:
    """Collects a row's field values and problems, column by column."""

    def __init__(self, importer: Importer, record: Record):
        self.importer, self.record = importer, record
        self.problems: list[Problem] = []

    def has(self, key: str) -> bool:
        return key in self.record.values

    def raw(self, key: str) -> Any:
        return self.record.values.get(key)

    def parse(self, key: str, parser: Callable[[Any], Any] = text) -> Any:
        """The parsed value of a present column (None when the column is absent or the value is bad)."""
        if not self.has(key):
            return None
        try:
            return parser(self.raw(key))
        except CellError as exc:
            self.problem(key, exc.message)
            return None

    def problem(self, key: str, message: Any) -> None:
        self.problems.append(self.importer.problem(self.record.row, key, message))

    def sorted_problems(self) -> list[Problem]:
        """The row's problems in the order of the template's columns."""
        order = {column.key: index for index, column in enumerate(self.importer.columns)}
        return sorted(self.problems, key=lambda p: order.get(p.field, -1))


class CodeLookup:
    """Rows found by code (case-insensitive) or, when unambiguous, by name — for 客户组, 单位, 分类..."""

    def __init__(self, queryset: QuerySet, *, code: str = "code", name: str | None = "name"):
        self.by_code: dict[str, Model] = {}
        by_name: dict[str, list[Model]] = {}
        for obj in queryset:
            self.by_code[str(getattr(obj, code)).lower()] = obj
            if name:
                by_name.setdefault(str(getattr(obj, name)).strip().lower(), []).append(obj)
        self.by_name = {n: objs[0] for n, objs in by_name.items() if len(objs) == 1}

    def find(self, value: str) -> Model | None:
        key = value.strip().lower()
        return self.by_code.get(key) or self.by_name.get(key)


def shown(value: str, limit: int = 40) -> str:
    """A cell value quoted in a message, cut short so a huge cell does not fill the report."""
    return value if len(value) <= limit else value[:limit] + "…"


def in_chunks(values: Iterable[Any], size: int = LOOKUP_CHUNK) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


class Importer:
    """Base of the per-kind importers. Subclasses set the class attributes and implement
    ``prepare``, ``check``, ``apply`` and ``export_rows``."""

    kind: str = ""
    title: Any = ""
    capability: str = ""
    key: str = ""
    columns: list[Column] = []
    # service or model field name → column key, for errors the services report
    field_columns: dict[str, str] = {}

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def problem(self, row: int | None, key: str, message: Any) -> Problem:
        column = next((c for c in self.columns if c.key == key), None)
        return Problem(row=row, column=column.label if column else "", field=key if column else "",
                       message=str(message))

    def match_header(self, header: list[Any]) -> tuple[dict[str, int], list[Problem]]:
        """Column key → position in the sheet, and problems with the header row (unknown or repeated
        columns). Raises ExcelError when the key column is missing: then the first row is no header."""
        by_name = {name: column for column in self.columns for name in column.names()}
        positions: dict[str, int] = {}
        problems: list[Problem] = []
        for index, value in enumerate(header):
            name = excel.header_text(value)
            if not name:
                continue
            column = by_name.get(name)
            if column is None:
                problems.append(Problem(1, str(value)[:60], "", _("Unknown column. Use the column headers of the "
                                                                   "template (its first row).")))
            elif column.key in positions:
                problems.append(Problem(1, column.label, column.key, _("This column appears twice.")))
            else:
                positions[column.key] = index
        if self.key not in positions:
            raise excel.ExcelError(
                _("The first row of the sheet must hold the column headers of the template, including "
                  "“%(header)s”. Download the template to see them.") % {"header": self.column(self.key).header})
        return positions, problems

    def is_example(self, record: Record) -> bool:
        """The template's example row (row 2, with the example key) is skipped, not imported."""
        example = self.column(self.key).example
        return record.row == 2 and text(record.values.get(self.key)) == str(example)

    def problems_from(self, exc: DomainError, row: int) -> list[Problem]:
        """A service's error as problems of the row, each on its column when it names a field."""
        if isinstance(exc, ValidationFailed) and exc.fields:
            return [self.problem(row, self.field_columns.get(name, name), message)
                    for name, messages in exc.fields.items() for message in messages]
        return [self.problem(row, "", exc.message)]

    def check_unique_in_file(self, check: RowCheck, key: str, value: str, seen: dict[str, int],
                             fold: Callable[[str], str] = str.lower) -> None:
        """A value that must be unique (code, SKU, credit code, barcode) and is on an earlier row too."""
        if not value:
            return
        folded = fold(value)
        if folded in seen:
            check.problem(key, _("Row %(row)d has the same value; each may appear only once.") % {"row": seen[folded]})
        else:
            seen[folded] = check.record.row

    def model_problems(self, check: RowCheck, instance: Model, exclude: list[str]) -> None:
        """Field validation of the model (lengths, formats, choices) without touching the database."""
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as exc:
            already = {p.field for p in check.problems}
            for name, messages in exc.message_dict.items():
                column = self.field_columns.get(name, name)
                if column not in already:  # one problem per column is enough (e.g. no "required" twice)
                    for message in messages:
                        check.problem(column, message)

    # --- what each kind implements ------------------------------------------------------------
    def prepare(self, *, actor, records: list[Record]) -> Any:
        """Load, in a few queries, everything the rows refer to; returns the context of check/apply."""
        raise NotImplementedError

    def check(self, context: Any, record: Record) -> RowPlan:
        """Parse and validate one row without writing; the plan says what apply will do."""
        raise NotImplementedError

    def apply(self, context: Any, plan: RowPlan) -> str:
        """Write a checked row through the services; returns CREATE, UPDATE or UNCHANGED.
        Raises what the services raise."""
        raise NotImplementedError

    def export_rows(self, user, params: QueryDict) -> Iterable[list[Any]]:
        """The rows of the list page the user sees with these filters, as values in column order."""
        raise NotImplementedError

    def example_row(self) -> list[Any]:
        return [column.example for column in self.columns]

    def reference_sheets(self) -> dict[str, list[list[Any]]]:
        """Extra sheets of the template: the codes a column accepts (groups, units...)."""
        return {}
