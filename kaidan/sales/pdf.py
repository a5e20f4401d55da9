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

from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from kaidan.core.display import display_name
from kaidan.core.money import chinese_capitals, format_money
from kaidan.core.pdf import (
    CJK,
    HEAD_BG,
    LATIN,
    RULE,
    WIDTH,
    build_pdf,
    company_block,
    date_text,
    info_table,
    lines_table_style,
    p,
    page_label,
    plain,
    signature_boxes,
    wrap_text,
)
from kaidan.core.pdf import styles as _styles
from kaidan.core.selectors import company_settings
from kaidan.sales.models import SalesOrder, SalesOrderLine
from kaidan.sales.selectors import order_lines, totals_by_rate
from kaidan.sales.states import Kind, Status

# Re-exported: the tests and older callers import these from here.
__all__ = ["CJK", "_styles", "page_label", "render_document_pdf", "wrap_text"]

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
    company = company_settings()
    story = [*company_block(company, styles), Spacer(1, 3 * mm), Paragraph(escape(title), styles["title"]),
             Spacer(1, 3 * mm), _info_table(order, styles), Spacer(1, 4 * mm),
             _lines_table(order, lines), Spacer(1, 3 * mm), _totals(order, lines, styles),
             Spacer(1, 4 * mm), *_terms(order, styles), Spacer(1, 6 * mm), _signatures(company.name, styles)]
    return build_pdf(story, title=title, number=order.number, company=company.name, watermark=watermark,
                     compress=compress)


# -- the parts -------------------------------------------------------------------------------------


def _contact_text(order: SalesOrder) -> str:
    contact = order.contact
    if contact is None:
        return ""
    return " ".join(part for part in [contact.name, contact.title, contact.mobile or contact.phone] if part)


def _info_table(order: SalesOrder, styles) -> Table:
    customer = order.customer
    right = [("单号 No.", order.number), ("状态 Status", STATUS_LABELS.get(order.status, order.status)),
             ("日期 Date", date_text(order.order_date)),
             ("要求交货日期 Requested date", date_text(order.requested_date))]
    if order.is_quotation:
        right.append(("有效期至 Valid until", date_text(order.valid_until)))
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
    return info_table(left, right, styles, [33 * mm, 62 * mm, 38 * mm, WIDTH - 133 * mm])


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
    product = " ".join(part for part in [line.product.name, line.product.spec, line.product.model] if part)
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


def _line_row(line: SalesOrderLine, order: SalesOrder) -> list:
    amount = line.gross_amount if order.prices_include_tax else line.net_amount
    return [
        "" if line.is_free else str(line.position),
        line.product.sku,
        _description(line, order.currency),
        line.unit.name,
        plain(line.quantity),
        _unit_price(line.unit_price),
        f"{plain(line.discount_percent)}%" if line.discount_percent else "",
        format_money(amount, order.currency, symbol=False),
        f"{plain(line.vat_rate * 100)}%",
    ]


def _lines_table(order: SalesOrder, lines: list[SalesOrderLine]) -> Table:
    rows = [COLUMNS] + [_line_row(line, order) for line in lines]
    style = [*lines_table_style(NUMERIC_COLUMNS, centred=(0, 3)),
             ("FONT", (1, 1), (1, -1), LATIN, 7.5),
             ("FONT", (4, 1), (-1, -1), LATIN, 8)]
    free_rows = [index for index, line in enumerate(lines, start=1) if line.is_free]
    style += [("TEXTCOLOR", (0, row), (-1, row), colors.HexColor("#1e7a3c")) for row in free_rows]
    table = Table(rows, colWidths=COLUMN_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _totals(order: SalesOrder, lines: list[SalesOrderLine], styles):
    money = lambda amount: format_money(amount, order.currency, symbol=False)  # noqa: E731
    rows = [["税率\nVAT rate", "不含税金额\nNet", "税额\nVAT", "价税合计\nGross"]]
    for total in totals_by_rate(lines):
        rows.append([f"{plain(total.percent)}%", money(total.net), money(total.tax), money(total.gross)])
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
        terms.append(f"本报价有效期至 {date_text(order.valid_until)}，价格以本报价单为准。"
                     f" This quotation is valid until {date_text(order.valid_until)}.")
    else:
        terms.append("请核对订单内容，签字盖章后回传。 Please check this order, sign, stamp and return it.")
    if order.payment_term_id:
        terms.append(f"付款条件 Payment terms: {order.payment_term.name}")
    terms.append("价格含增值税。 Prices include VAT." if order.prices_include_tax
                 else "价格不含增值税，税额另计。 Prices exclude VAT; VAT is added.")
    parts = [p("条款 Terms", styles["label"])]
    parts += [p(f"{index}. {text}", styles["body"]) for index, text in enumerate(terms, start=1)]
    if order.notes:
        parts += [Spacer(1, 2 * mm), p("备注 Notes", styles["label"]), p(order.notes, styles["body"])]
    return [KeepTogether(parts)]


def _signatures(company_name: str, styles) -> Table:
    prompts = ["签字 / 盖章 Signature / stamp: ____________", "日期 Date: ____________"]
    ours = f"我方盖章 For {company_name}" if company_name else "我方盖章 For the seller"
    return signature_boxes([("客户确认 Customer acceptance", prompts), (ours, prompts)], styles)
