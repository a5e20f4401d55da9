"""What Kaidan's printed documents share: fonts, the page frame, the company header, text wrapping,
table styling, signature boxes and the watermark. The documents themselves are built in their apps
(``sales/pdf.py`` — quotation and order confirmation; ``shipping/pdf.py`` — delivery note and picking
list).

reportlab's platypus on A4 portrait, in reportlab's built-in CJK CID font (STSong-Light), so no font
file is needed; numbers and codes are set in Helvetica. Labels are bilingual by design, whatever the
reader's language ("客户 Customer"), as customers expect on Chinese business papers, so they are
fixed strings rather than gettext messages.

Every page carries "第 N 页 / 共 M 页" and the document's number in the footer, and after page 1 a
running header; documents that are not (or no longer) valid carry a watermark. Text typed by users
goes into ``Paragraph`` markup only through ``p()`` (escaped); long tables take plain strings
(wrapped by ``wrap_text``), which reportlab draws as they are and which are much cheaper than
Paragraphs.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfmetrics import registerFont, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

CJK = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
GREY = colors.HexColor("#666666")
RULE = colors.HexColor("#9aa0a6")
HEAD_BG = colors.HexColor("#e8eaed")


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles (registers the CJK font on first use)."""
    registerFont(UnicodeCIDFont(CJK))
    base = ParagraphStyle("kaidan", fontName=CJK, fontSize=8, leading=10.5, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7, leading=9, textColor=GREY),
        "label": ParagraphStyle("label", parent=base, fontSize=7.5, leading=10, textColor=GREY),
        "company": ParagraphStyle("company", parent=base, fontSize=15, leading=19),
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=21, alignment=TA_CENTER),
    }


def build_pdf(story: list, *, title: str, number: str, company: str, watermark: str | None,
              compress: bool = True) -> bytes:
    """``story`` laid out on numbered A4 pages with the running header, the footer and the watermark.
    ``compress=False`` leaves the page streams readable (for tests)."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 6 * mm,
                            bottomMargin=MARGIN + 4 * mm, title=f"{title} {number}", author="Kaidan",
                            pageCompression=1 if compress else 0, invariant=1)
    decorate = PageDecoration(number=number, title=title, company=company, watermark=watermark)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


# -- page furniture ----------------------------------------------------------------------------------


class PageDecoration:
    """Drawn under each page's content: the watermark, a running header after page 1, the footer."""

    def __init__(self, *, number: str, title: str, company: str, watermark: str | None) -> None:
        self.number, self.title, self.company, self.watermark = number, title, company, watermark

    def __call__(self, canvas: Canvas, doc) -> None:
        canvas.saveState()
        width, height = A4
        if self.watermark:
            canvas.setFillColor(colors.Color(0.85, 0.2, 0.2, alpha=0.13))
            canvas.setFont(CJK, 64)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, 0, self.watermark)
            canvas.rotate(-35)
            canvas.translate(-width / 2, -height / 2)
        canvas.setFillColor(GREY)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        if doc.page > 1:
            top = height - MARGIN
            canvas.setFont(CJK, 8)
            canvas.drawString(MARGIN, top, f"{self.company}  {self.title}")
            canvas.setFont(LATIN, 8)
            canvas.drawRightString(width - MARGIN, top, self.number)
            canvas.line(MARGIN, top - 2 * mm, width - MARGIN, top - 2 * mm)
        bottom = MARGIN
        canvas.line(MARGIN, bottom + 4 * mm, width - MARGIN, bottom + 4 * mm)
        canvas.setFont(LATIN, 8)
        canvas.drawString(MARGIN, bottom, self.number)
        canvas.restoreState()


class NumberedCanvas(Canvas):
    """Holds the pages back until the end so every footer can say how many pages there are."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for number, state in enumerate(self._saved_pages, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFont(CJK, 8)
            self.setFillColor(GREY)
            self.drawRightString(A4[0] - MARGIN, MARGIN, page_label(number, total))
            self.restoreState()
            super().showPage()
        super().save()


def page_label(number: int, total: int) -> str:
    return f"第 {number} 页 / 共 {total} 页"


# -- text --------------------------------------------------------------------------------------------


def p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: markup characters are escaped, newlines kept."""
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def date_text(value: datetime.date | None) -> str:
    return value.isoformat() if value else "—"


def plain(value: Decimal) -> str:
    """A quantity or percent without trailing zeros, grouped: 1,200 or 2.5."""
    return f"{value.normalize():,f}"


@lru_cache(maxsize=4096)
def _char_width(char: str, font: str, size: float) -> float:
    return stringWidth(char, font, size)


@lru_cache(maxsize=16384)
def _token_width(token: str, font: str, size: float) -> float:
    return sum(_char_width(c, font, size) for c in token)


def _tokens(text: str) -> list[str]:
    """Words of Latin text (with the space after them) and single CJK characters: where a line may break."""
    tokens, word = [], ""
    for char in text:
        if ord(char) > 0x2E7F:  # CJK: a break is allowed before and after each character
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
            if char == " ":
                tokens.append(word)
                word = ""
    return tokens + ([word] if word else [])


def wrap_text(text: str, width: float, font: str, size: float) -> str:
    """``text`` broken into lines no wider than ``width`` (joined by newlines): between words or CJK
    characters, and inside a word only when the word alone is too wide."""
    lines, current, used = [], "", 0.0
    for token in _tokens(text):
        token_width = _token_width(token, font, size)
        if used + token_width - (_char_width(" ", font, size) if token.endswith(" ") else 0) <= width:
            current, used = current + token, used + token_width
            continue
        if current:
            lines.append(current.rstrip())
            current, used = "", 0.0
        for char in token:  # a token wider than the column: break it by characters
            char_width = _char_width(char, font, size)
            if used + char_width > width and current:
                lines.append(current.rstrip())
                current, used = "", 0.0
            current, used = current + char, used + char_width
    if current.strip():
        lines.append(current.rstrip())
    return "\n".join(lines)


# -- blocks ------------------------------------------------------------------------------------------


def company_block(company, style_set: dict[str, ParagraphStyle]) -> list:
    """The company's name, address, phone, tax id and bank, from the company settings."""
    parts = []
    if company.name:
        parts.append(p(company.name, style_set["company"]))
    rows = [[("地址 Address", company.address), ("电话 Tel", company.phone)],
            [("统一社会信用代码 USCC", company.uscc), ("开户银行 Bank", company.bank_name),
             ("账号 Account", company.bank_account)]]
    for row in rows:
        text = "    ".join(f"{label}: {escape(value)}" for label, value in row if value)
        if text:
            parts.append(Paragraph(text, style_set["small"]))
    return parts


def info_table(left: list[tuple[str, str]], right: list[tuple[str, str]], style_set: dict[str, ParagraphStyle],
               col_widths: list[float]) -> Table:
    """Two columns of label / value pairs side by side under the title."""
    rows = []
    for index in range(max(len(left), len(right))):
        row = []
        for side in (left, right):
            label, value = side[index] if index < len(side) else ("", "")
            row += [p(label, style_set["label"]), p(value, style_set["body"])]
        rows.append(row)
    table = Table(rows, colWidths=col_widths)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("LEFTPADDING", (0, 0), (-1, -1), 2)]))
    return table


def lines_table_style(numeric: tuple[int, int] | None = None, centred: tuple[int, ...] = ()) -> list[tuple]:
    """The grid of a lines table with its header row: CJK text, the header shaded and centred,
    ``numeric`` (first, last column) right-aligned, ``centred`` columns centred."""
    style = [
        ("FONT", (0, 0), (-1, -1), CJK, 8),
        ("FONT", (0, 0), (-1, 0), CJK, 7.5),
        ("LEADING", (0, 0), (-1, 0), 9),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    if numeric:
        style.append(("ALIGN", (numeric[0], 1), (numeric[1], -1), "RIGHT"))
    style += [("ALIGN", (column, 1), (column, -1), "CENTER") for column in centred]
    return style


def signature_boxes(boxes: list[tuple[str, list[str]]], style_set: dict[str, ParagraphStyle], *,
                    space: float = 16 * mm) -> Table:
    """Boxes side by side, each a heading, room to sign, then its prompts ("日期 Date: ____")."""
    def box(heading: str, prompts: list[str]) -> list:
        return [p(heading, style_set["body"]), Spacer(1, space),
                *[p(prompt, style_set["label"]) for prompt in prompts]]

    width = WIDTH / len(boxes)
    table = Table([[box(heading, prompts) for heading, prompts in boxes]], colWidths=[width] * len(boxes))
    table.setStyle(TableStyle([*[("BOX", (column, 0), (column, 0), 0.5, RULE) for column in range(len(boxes))],
                               ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 4),
                               ("LEFTPADDING", (0, 0), (-1, -1), 5)]))
    return table
