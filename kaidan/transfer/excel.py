"""Reading and writing .xlsx workbooks safely. Pure: no models, no database.

Reading refuses what is not a plain workbook before openpyxl parses much of it: a name without
.xlsx, a file over the size limit, something that is not a zip, a zip without a workbook, a zip
whose parts would unpack to more than ``MAX_UNPACKED_BYTES`` (a "zip bomb"). openpyxl parses the XML
with the standard library's expat, which refuses entity expansion attacks (expat >= 2.4). Only the
first worksheet is read, as values: a formula or an Excel error value is returned as a ``Formula`` /
``ErrorValue`` marker for the caller to report, never evaluated.

Writing uses openpyxl's write-only mode (rows go to a temporary file, not memory) and writes every
text as text, so an exported name such as "=HYPERLINK(...)" cannot become a formula.
"""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

EXTENSION = ".xlsx"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_COLUMNS = 60
MAX_UNPACKED_BYTES = 600 * 1024 * 1024
MAX_BLANK_RUN = 10_000  # this many blank rows in a row end the data (a sheet formatted to row 1,048,576)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
EXAMPLE_FONT = Font(italic=True, color="808080")


class ExcelError(Exception):
    """The file cannot be read as a workbook; the message says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula (not evaluated, not imported)."""

    text: str


@dataclass(frozen=True)
class ErrorValue:
    """A cell holding an Excel error such as #N/A or #DIV/0!."""

    code: str


def _size_of(fileobj: IO[bytes]) -> int:
    position = fileobj.tell()
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(position)
    return size


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def too_large_message(max_bytes: int) -> str:
    return _("The file is too large: at most %(max)s can be imported. Split it into smaller files.") % {
        "max": megabytes(max_bytes)}


def check_name(name: str) -> None:
    """Refuse a file that is not named like a workbook (a .csv, an old .xls...)."""
    if not (name or "").lower().endswith(EXTENSION):
        raise ExcelError(_("Upload an Excel workbook (.xlsx). Other formats, such as .xls or .csv, cannot be "
                           "imported: open the file in Excel or WPS and save it as .xlsx."))


def check_container(fileobj: IO[bytes], *, max_bytes: int) -> None:
    """Refuse a file that is too large, not a zip, a zip without a workbook, or a zip bomb."""
    size = _size_of(fileobj)
    if size == 0:
        raise ExcelError(_("The file is empty."))
    if size > max_bytes:
        raise ExcelError(too_large_message(max_bytes))
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ExcelError(_("This file is not an Excel workbook (.xlsx); it may be damaged or another kind of "
                           "file renamed to .xlsx.")) from None
    finally:
        fileobj.seek(0)
    names = {part.filename for part in parts}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ExcelError(_("This file is a zip archive but not an Excel workbook."))
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise ExcelError(_("This workbook unpacks to more than %(max)s; it cannot be imported.")
                         % {"max": megabytes(MAX_UNPACKED_BYTES)})


def _open_first_sheet(fileobj: IO[bytes]):
    fileobj.seek(0)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=False, keep_links=False, keep_vba=False)
    except Exception:  # openpyxl raises anything (KeyError, ValueError, XML errors...) on a broken file
        raise ExcelError(_("This workbook cannot be read; it may be damaged. Open it in Excel or WPS, save it "
                           "again as .xlsx and retry.")) from None
    if not workbook.worksheets:
        workbook.close()
        raise ExcelError(_("The workbook has no worksheet."))
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # the stored size may be wrong; read the rows that are really there
    return workbook, sheet


def _value(cell) -> Any:
    if cell.data_type == "f":
        return Formula(str(cell.value))
    if cell.data_type == "e":
        return ErrorValue(str(cell.value))
    return cell.value


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_text(value: Any) -> str:
    """A header cell as comparable text: NFKC, spaces removed, lowercase ("编码 Code" → "编码code")."""
    if value is None or isinstance(value, (Formula, ErrorValue)):
        return ""
    return "".join(unicodedata.normalize("NFKC", str(value)).split()).lower()


def _guarded(read):
    try:
        yield from read()
    except ExcelError:
        raise
    except Exception:  # a broken sheet part found half-way through
        raise ExcelError(_("This workbook cannot be read to the end; it may be damaged. Open it in Excel or "
                           "WPS, save it again as .xlsx and retry.")) from None


def read_header(fileobj: IO[bytes]) -> list[Any]:
    """The values of the first row of the first sheet (formulas as markers); [] for an empty sheet."""
    workbook, sheet = _open_first_sheet(fileobj)
    try:
        for row in _guarded(lambda: sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS)):
            values = [_value(cell) for cell in row]
            while values and is_blank(values[-1]):
                values.pop()
            return values
        return []
    finally:
        workbook.close()


def read_rows(fileobj: IO[bytes], *, columns: int, max_rows: int) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row number, values) of each non-blank row after the header, ``columns`` cells wide.
    Raises ExcelError past ``max_rows`` rows (before reading them all)."""
    workbook, sheet = _open_first_sheet(fileobj)
    try:
        count = blank_run = 0
        rows = _guarded(lambda: sheet.iter_rows(min_row=2, max_col=max(columns, 1)))
        for number, row in enumerate(rows, start=2):
            values = [_value(cell) for cell in row][:columns]
            if all(is_blank(v) for v in values):
                blank_run += 1
                if blank_run >= MAX_BLANK_RUN:
                    return
                continue
            blank_run = 0
            count += 1
            if count > max_rows:
                raise ExcelError(_("The sheet has more than %(max)s rows; split it into smaller files.")
                                 % {"max": f"{max_rows:,}"})
            yield number, values + [None] * (columns - len(values))
    finally:
        workbook.close()


def _storable(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _cell(sheet, value: Any, *, number_format: str | None = None, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_storable(value))
    if isinstance(cell.value, str) and cell.data_type == "f":
        cell.data_type = "s"  # text that starts with "=" stays text
    if number_format and not isinstance(value, str):
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


@dataclass(frozen=True)
class SheetColumn:
    """How one column is written: header text, width, number format and the note on its header."""

    header: str
    width: int = 14
    number_format: str | None = None
    note: str = ""


def write_workbook(out: IO[bytes], *, title: str, columns: list[SheetColumn], rows: Iterable[list[Any]],
                   example: list[Any] | None = None, extra_sheets: dict[str, list[list[Any]]] | None = None) -> int:
    """Write a workbook: a bold header row (with a note per column), an optional example row in grey
    italics, then the rows; returns how many rows were written (not counting header and example)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = _cell(sheet, column.header, font=HEADER_FONT)
        cell.fill = HEADER_FILL
        if column.note:
            cell.comment = Comment(column.note, "Kaidan", width=320, height=160)
        header.append(cell)
    sheet.append(header)
    if example is not None:
        sheet.append([_cell(sheet, v, number_format=c.number_format, font=EXAMPLE_FONT)
                      for v, c in zip(example, columns, strict=True)])
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, v, number_format=c.number_format) for v, c in zip(row, columns, strict=True)])
        count += 1
    for name, lines in (extra_sheets or {}).items():
        extra = workbook.create_sheet(title=name[:31])
        extra.column_dimensions["A"].width = 24
        extra.column_dimensions["B"].width = 60
        for line in lines:
            extra.append([_cell(extra, v) for v in line])
    workbook.save(out)
    return count
