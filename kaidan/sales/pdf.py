"""The printable quotation (报价单) and sales order confirmation (销售订单确认) as a PDF.

Built with reportlab's platypus on A4 portrait, in reportlab's built-in CJK CID font (STSong-Light),
so no font file is needed; numbers and codes are set in Helvetica. The document is bilingual by
design, whatever the reader's language: every label is Chinese first, then English ("客户 Customer"),
as customers expect on a 报价单, so the labels are fixed strings here rather than gettext messages.

Every number is the stored one (line amounts, ``selectors.totals_by_rate``, the header totals), so
the PDF shows what the screen and the API show. Long documents paginate: the lines table repeats its
header on every page, each page carries "第 N 页 / 共 M 页" and the document number, and drafts,
cancelled documents and expired quotations carry a watermark.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from functools import lru_cache
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfmetrics import registerFont, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kaidan.core.display import display_name
from kaidan.core.money import chinese_capitals, format_money
from kaidan.core.selectors import company_settings
from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.sales.selectors import order_lines, totals_by_rate
from kaidan.sales.states import Kind, Status

CJK = "STSong-Light"
LATIN = "Helvetica"
MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
GREY = colors.HexColor("#666666")
RULE = colors.HexColor("#9aa0a6")
HEAD_BG = colors.HexColor("#e8eaed")

TITLES = {Kind.QUOTATION: "报价单 Quotation", Kind.ORDER: "销售订单确认 Sales order confirmation"}
STATUS_LABELS = {
    Status.DRAFT: "草稿 Draft", Status.SENT: "已发送 Sent", Status.SUBMITTED: "已提交 Submitted",
    Status.PENDING_APPROVAL: "待审批 Pending approval", Status.CONFIRMED: "已确认 Confirmed",
    Status.CONVERTED: "已转订单 Converted to order", Status.CLOSED: "已关闭 Closed",
    Status.CANCELLED: "已取消 Cancelled",
}
WATERMARKS = {Status.DRAFT: "草稿 DRAFT", Status.CANCELLED: "已取消 CANCELLED"}
EXPIRED_WATERMARK = "已过期 EXPIRED"
# No., SKU, description, unit, quantity, unit price, discount %, amount, VAT rate
COLUMNS = ["序号\nNo.", "商品编码\nSKU", "品名 / 规格 / 型号\nDescription", "单位\nUnit", "数量\nQty",
           "单价\nUnit price", "折扣\nDisc.", "金额\nAmount", "税率\nVAT"]
COLUMN_WIDTHS = [9 * mm, 25 * mm, 57 * mm, 11 * mm, 15 * mm, 20 * mm, 11 * mm, 22 * mm, 10 * mm]
NUMERIC_COLUMNS = (4, 8)  # quantity .. VAT rate are right-aligned


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    registerFont(UnicodeCIDFont(CJK))
    base = ParagraphStyle("kaidan", fontName=CJK, fontSize=8, leading=10.5, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7, leading=9, textColor=GREY),
        "label": ParagraphStyle("label", parent=base, fontSize=7.5, leading=10, textColor=GREY),
        "company": ParagraphStyle("company", parent=base, fontSize=15, leading=19),
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=21, alignment=TA_CENTER),
    }


def render_document_pdf(order: SalesOrder, *, compress: bool = True) -> bytes:
    """The quotation or order confirmation of ``order`` as PDF bytes. ``compress=False`` leaves the
    page streams readable (for tests)."""
    styles = _styles()
    lines = order_lines(order)
    today = timezone.localdate()
    watermark = WATERMARKS.get(order.status)
    if (order.is_quotation and order.status == Status.SENT and order.valid_until
            and order.valid_until < today):
        watermark = EXPIRED_WATERMARK
    title = TITLES[order.kind]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 6 * mm,
                            bottomMargin=MARGIN + 4 * mm, title=f"{title} {order.number}", author="Kaidan",
                            pageCompression=1 if compress else 0, invariant=1)
    company = company_settings()
    decorate = _PageDecoration(number=order.number, title=title, company=company.name, watermark=watermark)
    story = [*_company_block(company, styles), Spacer(1, 3 * mm), Paragraph(escape(title), styles["title"]),
             Spacer(1, 3 * mm), _info_table(order, styles), Spacer(1, 4 * mm),
             _lines_table(order, lines), Spacer(1, 3 * mm), _totals(order, lines, styles),
             Spacer(1, 4 * mm), *_terms(order, styles), Spacer(1, 6 * mm), _signatures(company.name, styles)]
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


# -- page furniture ----------------------------------------------------------------------------------


class _PageDecoration:
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


class _NumberedCanvas(Canvas):
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


# -- the parts -------------------------------------------------------------------------------------


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def _company_block(company, styles) -> list:
    parts = []
    if company.name:
        parts.append(_p(company.name, styles["company"]))
    rows = [[("地址 Address", company.address), ("电话 Tel", company.phone)],
            [("统一社会信用代码 USCC", company.uscc), ("开户银行 Bank", company.bank_name),
             ("账号 Account", company.bank_account)]]
    for row in rows:
        text = "    ".join(f"{label}: {escape(value)}" for label, value in row if value)
        if text:
            parts.append(Paragraph(text, styles["small"]))
    return parts


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else "—"


def _contact_text(order: SalesOrder) -> str:
    contact = order.contact
    if contact is None:
        return ""
    return " ".join(part for part in [contact.name, contact.title, contact.mobile or contact.phone] if part)


def _info_table(order: SalesOrder, styles) -> Table:
    customer = order.customer
    right = [("单号 No.", order.number), ("状态 Status", STATUS_LABELS.get(order.status, order.status)),
             ("日期 Date", _date(order.order_date)), ("要求交货日期 Requested date", _date(order.requested_date))]
    if order.is_quotation:
        right.append(("有效期至 Valid until", _date(order.valid_until)))
    right += [("客户订单号 Customer PO", order.customer_po or "—"),
              ("销售员 Salesperson", display_name(order.salesperson))]
    if order.revision:
        right.append(("修订 Revision", str(order.revision)))
    if order.quotation_id:
        right.append(("报价单 From quotation", order.quotation.number))
    if order.status == Status.CANCELLED and order.cancel_reason:
        right.append(("取消原因 Reason", order.cancel_reason))
    left = [("客户 Customer", f"{customer.name}（{customer.code}）"),
            ("联系人 Contact", _contact_text(order) or "—"),
            ("开票地址 Bill to", order.billing_address_text or "—"),
            ("收货地址 Ship to", order.shipping_address_text or "—"),
            ("付款条件 Payment terms", order.payment_term.name if order.payment_term_id else "—"),
            ("价格方式 Prices", "含税价 VAT included" if order.prices_include_tax else "不含税价 VAT excluded"),
            ("币种 Currency", order.currency)]
    rows = []
    for index in range(max(len(left), len(right))):
        row = []
        for side in (left, right):
            label, value = side[index] if index < len(side) else ("", "")
            row += [_p(label, styles["label"]), _p(value, styles["body"])]
        rows.append(row)
    table = Table(rows, colWidths=[33 * mm, 62 * mm, 38 * mm, WIDTH - 133 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("LEFTPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _plain(value: Decimal) -> str:
    """A quantity or percent without trailing zeros, grouped: 1,200 or 2.5."""
    return f"{value.normalize():,f}"


def _unit_price(value: Decimal) -> str:
    """Unit prices show 2 decimals, or up to 4 when they have them."""
    value = value.normalize()
    places = max(2, -value.as_tuple().exponent) if value.as_tuple().exponent < 0 else 2
    return f"{value:,.{min(places, 4)}f}"


def _discounts_text(line: SalesOrderLine, currency: str) -> str:
    parts = [(label, amount) for label, amount in (("促销 Promotion", line.promotion_discount),
                                                  ("折扣 Discount", line.manual_discount),
                                                  ("满减 Order discount", line.allocated_discount)) if amount]
    return "  ".join(f"{label} -{format_money(amount, currency, symbol=False)}" for label, amount in parts)


def _description(line: SalesOrderLine, currency: str) -> str:
    """Name, spec and model (wrapped to the column), then the line's discounts, if any, on their own line.
    Plain strings, wrapped here: much cheaper for a long table than Paragraphs."""
    product = " ".join(p for p in [line.product.name, line.product.spec, line.product.model] if p)
    if line.is_free:  # the product, and the promotion that gave it (a free line's description names only that)
        text = f"【赠品 Free】{product}"
        promotion = next((step.get("params", {}).get("name") for step in line.breakdown or []
                          if step.get("code") == "free_item"), "")
        note = f"促销 Promotion: {promotion}" if promotion else ""
    else:
        text, note = line.description or product, _discounts_text(line, currency)
    width = COLUMN_WIDTHS[2] - 4
    wrapped = wrap_text(text, width, CJK, 8)
    return f"{wrapped}\n{wrap_text(note, width, CJK, 8)}" if note else wrapped


@lru_cache(maxsize=4096)
def _char_width(char: str, font: str, size: float) -> float:
    return stringWidth(char, font, size)


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
        token_width = sum(_char_width(c, font, size) for c in token)
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


def _line_row(line: SalesOrderLine, order: SalesOrder) -> list:
    amount = line.gross_amount if order.prices_include_tax else line.net_amount
    return [
        "" if line.is_free else str(line.position),
        line.product.sku,
        _description(line, order.currency),
        line.unit.name,
        _plain(line.quantity),
        _unit_price(line.unit_price),
        f"{_plain(line.discount_percent)}%" if line.discount_percent else "",
        format_money(amount, order.currency, symbol=False),
        f"{_plain(line.vat_rate * 100)}%",
    ]


def _lines_table(order: SalesOrder, lines: list[SalesOrderLine]) -> Table:
    rows = [COLUMNS] + [_line_row(line, order) for line in lines]
    style = [
        ("FONT", (0, 0), (-1, -1), CJK, 8),
        ("FONT", (1, 1), (1, -1), LATIN, 7.5),
        ("FONT", (4, 1), (-1, -1), LATIN, 8),
        ("FONT", (0, 0), (-1, 0), CJK, 7.5),
        ("LEADING", (0, 0), (-1, 0), 9),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("ALIGN", (NUMERIC_COLUMNS[0], 1), (NUMERIC_COLUMNS[1], -1), "RIGHT"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (3, 1), (3, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    free_rows = [index for index, line in enumerate(lines, start=1) if line.is_free]
    style += [("TEXTCOLOR", (0, row), (-1, row), colors.HexColor("#1e7a3c")) for row in free_rows]
    table = Table(rows, colWidths=COLUMN_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _totals(order: SalesOrder, lines: list[SalesOrderLine], styles):
    money = lambda amount: format_money(amount, order.currency, symbol=False)  # noqa: E731
    rows = [["税率\nVAT rate", "不含税金额\nNet", "税额\nVAT", "价税合计\nGross"]]
    for total in totals_by_rate(lines):
        rows.append([f"{_plain(total.percent)}%", money(total.net), money(total.tax), money(total.gross)])
    rows.append(["合计 Total", money(order.net_amount), money(order.tax_amount), money(order.gross_amount)])
    widths = [30 * mm, 30 * mm, 30 * mm, 34 * mm]
    table = Table(rows, colWidths=widths, hAlign="RIGHT")
    last = len(rows) - 1
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), LATIN, 8.5),
        ("FONT", (0, 0), (-1, 0), CJK, 7.5),
        ("LEADING", (0, 0), (-1, 0), 9),
        ("FONT", (0, last), (0, last), CJK, 8.5),
        ("FONT", (1, last), (-1, last), "Helvetica-Bold", 9),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("LINEABOVE", (0, last), (-1, last), 0.8, colors.black),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    summary = []
    if order.discount_amount:
        summary.append(f"已含优惠 Discounts included: {escape(money(order.discount_amount))}")
    if order.currency == "CNY":
        summary.append(f"大写金额 Amount in words: 人民币{escape(chinese_capitals(order.gross_amount))}"
                       f"（￥{escape(money(order.gross_amount))}）")
    else:
        summary.append(f"合计 Total: {escape(format_money(order.gross_amount, order.currency))}")
    return KeepTogether([table, Spacer(1, 2 * mm), *[Paragraph(text, styles["body"]) for text in summary]])


def _terms(order: SalesOrder, styles) -> list:
    terms = []
    if order.is_quotation:
        terms.append(f"本报价有效期至 {_date(order.valid_until)}，价格以本报价单为准。"
                     f" This quotation is valid until {_date(order.valid_until)}.")
    else:
        terms.append("请核对订单内容，签字盖章后回传。 Please check this order, sign, stamp and return it.")
    if order.payment_term_id:
        terms.append(f"付款条件 Payment terms: {order.payment_term.name}")
    terms.append("价格含增值税。 Prices include VAT." if order.prices_include_tax
                 else "价格不含增值税，税额另计。 Prices exclude VAT; VAT is added.")
    parts = [_p("条款 Terms", styles["label"])]
    parts += [_p(f"{index}. {text}", styles["body"]) for index, text in enumerate(terms, start=1)]
    if order.notes:
        parts += [Spacer(1, 2 * mm), _p("备注 Notes", styles["label"]), _p(order.notes, styles["body"])]
    return [KeepTogether(parts)]


def _signatures(company_name: str, styles) -> Table:
    def box(heading: str) -> list:
        return [_p(heading, styles["body"]), Spacer(1, 16 * mm),
                _p("签字 / 盖章 Signature / stamp: ____________", styles["label"]),
                _p("日期 Date: ____________", styles["label"])]

    ours = f"我方盖章 For {company_name}" if company_name else "我方盖章 For the seller"
    table = Table([[box("客户确认 Customer acceptance"), box(ours)]], colWidths=[WIDTH / 2, WIDTH / 2])
    table.setStyle(TableStyle([("BOX", (0, 0), (0, 0), 0.5, RULE), ("BOX", (1, 0), (1, 0), 0.5, RULE),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 4),
                               ("LEFTPADDING", (0, 0), (-1, -1), 5)]))
    return table
