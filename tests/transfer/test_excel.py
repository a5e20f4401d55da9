"""Reading and writing workbooks (kaidan.transfer.excel, cells): the safety checks on what is
uploaded, cells turned into values with a clear message when they are not usable, and text written
as text."""

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kaidan.transfer import cells, excel
from kaidan.transfer.cells import CellError
from tests.transfer.factories import read_sheet, workbook_bytes


def check(data: bytes, name: str = "x.xlsx") -> None:
    excel.check_name(name)
    excel.check_container(io.BytesIO(data), max_bytes=20 * 1024 * 1024)


class TestRefusedFiles:
    @pytest.mark.parametrize("name", ["customers.csv", "customers.xls", "customers", "customers.xlsx.exe"])
    def test_a_name_without_xlsx_is_refused(self, name):
        with pytest.raises(excel.ExcelError, match=r"\.xlsx"):
            excel.check_name(name)

    def test_random_bytes_named_xlsx_are_not_a_workbook(self):
        with pytest.raises(excel.ExcelError, match="not an Excel workbook"):
            check(bytes(range(256)) * 40)

    def test_a_zip_without_a_workbook_is_refused(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("readme.txt", "hello")
        with pytest.raises(excel.ExcelError, match="zip archive but not an Excel workbook"):
            check(out.getvalue())

    def test_an_empty_file_is_refused(self):
        with pytest.raises(excel.ExcelError, match="empty"):
            check(b"")

    def test_a_file_over_the_limit_is_refused_before_it_is_opened(self):
        with pytest.raises(excel.ExcelError, match="too large"):
            excel.check_container(io.BytesIO(b"PK" + b"0" * 2000), max_bytes=1000)

    def test_a_zip_bomb_is_refused_from_its_directory(self, monkeypatch):
        monkeypatch.setattr(excel, "MAX_UNPACKED_BYTES", 10_000)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<x/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"0" * 10_001)  # deflates to a few dozen bytes
        assert len(out.getvalue()) < 1000
        with pytest.raises(excel.ExcelError, match="unpacks to more than"):
            check(out.getvalue())

    def test_a_damaged_workbook_cannot_be_read(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "not xml at all")
        with pytest.raises(excel.ExcelError, match="cannot be read"):
            excel.read_header(io.BytesIO(out.getvalue()))


class TestReading:
    def test_header_and_rows_with_true_row_numbers_skipping_blank_rows(self):
        data = workbook_bytes(["编码 Code", "名称 Name", None], [["A1", "甲"], [None, None], ["A2", "乙"]])
        assert excel.read_header(io.BytesIO(data)) == ["编码 Code", "名称 Name"]
        rows = list(excel.read_rows(io.BytesIO(data), columns=2, max_rows=10))
        assert rows == [(2, ["A1", "甲"]), (4, ["A2", "乙"])]

    def test_an_empty_sheet_has_no_header(self):
        assert excel.read_header(io.BytesIO(workbook_bytes(None))) == []

    def test_formulas_and_error_values_are_markers_not_results(self):
        data = workbook_bytes(["a", "b"], [["=1+1", 3]])
        (_row, values), = excel.read_rows(io.BytesIO(data), columns=2, max_rows=10)
        assert values == [excel.Formula("=1+1"), 3]
        with pytest.raises(CellError, match="Formulas are not imported"):
            cells.text(values[0])

    def test_more_rows_than_allowed_stops_the_reading(self):
        data = workbook_bytes(["a"], [[i] for i in range(6)])
        with pytest.raises(excel.ExcelError, match="more than 5 rows"):
            list(excel.read_rows(io.BytesIO(data), columns=1, max_rows=5))

    def test_header_text_ignores_spaces_width_and_case(self):
        assert excel.header_text(" 编码　CODE ") == excel.header_text("编码 Code") == "编码code"


class TestWriting:
    def test_text_that_looks_like_a_formula_stays_text(self):
        out = io.BytesIO()
        columns = [excel.SheetColumn("名称 Name"), excel.SheetColumn("信用额度 Credit limit", number_format="0.00")]
        excel.write_workbook(out, title="T", columns=columns, rows=[["=HYPERLINK(\"http://x\")", Decimal("1.50")],
                                                                    ["bell\x07", None]])
        rows = read_sheet(out.getvalue())
        assert rows[1] == ['=HYPERLINK("http://x")', 1.5]
        assert rows[2][0] == "bell"  # characters XML cannot hold are dropped, not a crash
        sheet = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
        assert sheet["A2"].data_type == "s"


class TestCells:
    @pytest.mark.parametrize("raw, expected", [
        (12, Decimal("12.00")), (12.5, Decimal("12.50")), ("1,200.5", Decimal("1200.50")), ("１２", Decimal("12.00")),
        ("¥80", Decimal("80.00")), (None, None), ("  ", None),
    ])
    def test_numbers(self, raw, expected):
        assert cells.decimal(raw, places=2, max_digits=14) == expected

    @pytest.mark.parametrize("raw, message", [
        ("12.345", "at most 2 decimal places"), ("abc", "Enter a number"), (-1, "at least 0"),
        (True, "Enter a number"), ("1e20", "too large"), (float("nan"), "Enter a number"),
    ])
    def test_bad_numbers(self, raw, message):
        with pytest.raises(CellError, match=message):
            cells.decimal(raw, places=2, max_digits=14)

    @pytest.mark.parametrize("raw", ["13%", 0.13, 13, "13", " 13 % "])
    def test_rates(self, raw):
        assert cells.percent(raw, allowed=[Decimal("0.1300"), Decimal("0.0900")]) == Decimal("0.1300")

    def test_a_rate_not_allowed_names_the_allowed_ones(self):
        with pytest.raises(CellError, match="13%, 9%"):
            cells.percent("17%", allowed=[Decimal("0.1300"), Decimal("0.0900")])

    @pytest.mark.parametrize("raw, expected", [("是", True), ("否", False), ("Yes", True), (0, False), (True, True),
                                               (None, None)])
    def test_booleans(self, raw, expected):
        assert cells.boolean(raw) == expected

    def test_a_code_typed_as_a_number_keeps_its_digits(self):
        assert cells.text(1001.0) == "1001"
        assert cells.text(6901234567892) == "6901234567892"
