"""The delivery note (送货单) that goes with the goods and the picking list (拣货单) the warehouse
walks the shelves with, as PDF.

Both are built on the shared page frame of ``kaidan/core/pdf.py`` (A4, the CJK CID font, "第 N 页 /
共 M 页" and the note's number on every page, the lines table's header repeated on every page). Like
the quotation, the labels are bilingual by design ("客户 Customer"), fixed strings rather than gettext
messages: the paper is read by the customer's goods receiving and by carriers, whatever the language
of whoever prints it.

* The delivery note shows goods, not money: company, customer, address and contact, the lines with
  SKU, name / spec / model, unit and quantity (and a column for the receiver to write what arrived),
  parcels, weight, carrier, service and tracking numbers, notes, and signature boxes for whoever
  ships, carries and receives. Drafts and cancelled notes carry a watermark.
* The picking list has the lines in shelf order (by SKU, numbers in SKUs compared as numbers), the
  quantity to pick, a box to tick and a column to write what was picked, the totals, and the
  picker's signature. A cancelled note's list carries a watermark.

Long tables take plain strings, wrapped here (reportlab draws them as they are, without markup, and
they are much cheaper than Paragraphs: a 1,000-line note, some 35 pages, takes about 0.7 s of CPU, 0.4 s
with reportlab's optional C accelerator ``rl_accel``); the header fields are escaped Paragraphs.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from kaidan.core.display import display_name
from kaidan.core.pdf import (
    CJK,
    HEAD_BG,
    LATIN,
    LATIN_BOLD,
    RULE,
    WIDTH,
    build_pdf,
    company_block,
    date_text,
    info_table,
    lines_table_style,
    p,
    plain,
    signature_boxes,
    styles,
    wrap_text,
)
from kaidan.core.selectors import company_settings
from kaidan.shipping.models import DeliveryLine, DeliveryNote
from kaidan.shipping.selectors import note_lines
from kaidan.shipping.states import Status

DELIVERY_TITLE = "送货单 Delivery note"
PICKING_TITLE = "拣货单 Picking list"
STATUS_LABELS = {
    Status.DRAFT: "草稿 Draft", Status.PICKING: "拣货中 Picking", Status.PACKED: "已打包 Packed",
    Status.SHIPPED: "已发货 Shipped", Status.IN_TRANSIT: "运输中 In transit", Status.DELIVERED: "已签收 Delivered",
    Status.EXCEPTION: "异常 Exception", Status.CANCELLED: "已取消 Cancelled",
}
CANCELLED_WATERMARK = "已取消 CANCELLED"
DELIVERY_WATERMARKS = {Status.DRAFT: "草稿 DRAFT", Status.CANCELLED: CANCELLED_WATERMARK}
# A draft is what the warehouse picks from: only a cancelled note's list must not be used.
PICKING_WATERMARKS = {Status.CANCELLED: CANCELLED_WATERMARK}
INFO_WIDTHS = [28 * mm, 64 * mm, 38 * mm, WIDTH - 130 * mm]
CHECKBOX = "□"
SIGN = "签字 Signature: ______________"
DATE = "日期 Date: ______________"

# 送货单: No., SKU, description, unit, quantity, received (written in by the receiver)
DELIVERY_COLUMNS = ["序号\nNo.", "商品编码\nSKU", "品名 / 规格 / 型号\nDescription", "单位\nUnit",
                    "数量\nQty", "实收数量\nReceived"]
DELIVERY_WIDTHS = [10 * mm, 30 * mm, 86 * mm, 12 * mm, 20 * mm, 22 * mm]
# 拣货单: No. (walking order), the note's line, SKU, description, unit, to pick, tick box, picked
PICKING_COLUMNS = ["序号\nNo.", "行号\nLine", "商品编码\nSKU", "品名 / 规格 / 型号\nDescription", "单位\nUnit",
                   "应拣数量\nTo pick", "已拣\nDone", "实拣数量\nPicked"]
PICKING_WIDTHS = [9 * mm, 10 * mm, 30 * mm, 67 * mm, 12 * mm, 19 * mm, 11 * mm, 22 * mm]


def render_delivery_note_pdf(note: DeliveryNote, *, compress: bool = True) -> bytes:
    """The delivery note (送货单) of ``note`` as PDF bytes. ``compress=False`` leaves the page streams
    readable (for tests)."""
    style_set = styles()
    company = company_settings()
    lines = note_lines(note)
    story = [*company_block(company, style_set), Spacer(1, 3 * mm), p(DELIVERY_TITLE, style_set["title"]),
             Spacer(1, 3 * mm), _delivery_info(note, style_set), Spacer(1, 4 * mm),
             _delivery_lines(lines), Spacer(1, 4 * mm), _parcels(note, style_set), Spacer(1, 3 * mm),
             *_notes(note, style_set), Spacer(1, 5 * mm), _receipt(style_set)]
    return build_pdf(story, title=DELIVERY_TITLE, number=note.number, company=company.name,
                     watermark=DELIVERY_WATERMARKS.get(note.status), compress=compress)


def render_picking_list_pdf(note: DeliveryNote, *, compress: bool = True) -> bytes:
    """The picking list (拣货单) of ``note`` as PDF bytes, its lines in shelf (SKU) order."""
    style_set = styles()
    company = company_settings()
    lines = sorted(note_lines(note), key=lambda line: (shelf_key(line.product.sku), line.position))
    story = [p(company.name, style_set["label"]) if company.name else Spacer(1, 0),
             p(PICKING_TITLE, style_set["title"]), Spacer(1, 3 * mm), _picking_info(note, style_set),
             Spacer(1, 2 * mm), *_notes(note, style_set), Spacer(1, 2 * mm), _picking_lines(lines),
             Spacer(1, 6 * mm), _picker(style_set)]
    return build_pdf(story, title=PICKING_TITLE, number=note.number, company=company.name,
                     watermark=PICKING_WATERMARKS.get(note.status), compress=compress)


def shelf_key(sku: str) -> tuple:
    """SKUs in the order of the shelves: case-insensitive, runs of digits compared as numbers
    (A-2 before A-10)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", sku) if part)


# -- the header --------------------------------------------------------------------------------------


def _named(obj) -> str:
    return f"{obj.name}（{obj.code}）"


def _note_date(note: DeliveryNote) -> tuple[str, str]:
    if note.ship_date:
        return "发货日期 Ship date", date_text(note.ship_date)
    return "制单日期 Date", date_text(timezone.localtime(note.created_at).date())


def _status_rows(note: DeliveryNote) -> list[tuple[str, str]]:
    rows = [("状态 Status", STATUS_LABELS.get(note.status, note.status))]
    if note.status == Status.CANCELLED and note.cancel_reason:
        rows.append(("取消原因 Reason", note.cancel_reason))
    return rows


def _delivery_info(note: DeliveryNote, style_set) -> Table:
    warehouse = note.warehouse
    ship_from = _named(warehouse) + (f"\n{warehouse.address}" if warehouse.address else "")
    left = [("客户 Customer", _named(note.customer)),
            ("收货地址 Ship to", note.shipping_address_text or "—"),
            ("联系人 Contact", note.contact_text or "—"),
            ("发货仓库 Ship from", ship_from)]
    right = [("送货单号 No.", note.number), ("订单号 Order no.", note.order.number),
             ("客户订单号 Customer PO", note.order.customer_po or "—"), _note_date(note),
             ("要求交货日期 Requested date", date_text(note.requested_date)), *_status_rows(note)]
    return info_table(left, right, style_set, INFO_WIDTHS)


def _picking_info(note: DeliveryNote, style_set) -> Table:
    created = timezone.localtime(note.created_at)
    left = [("仓库 Warehouse", _named(note.warehouse)), ("客户 Customer", _named(note.customer)),
            ("收货地址 Ship to", note.shipping_address_text or "—")]
    right = [("送货单号 No.", note.number), ("订单号 Order no.", note.order.number),
             ("要求交货日期 Requested date", date_text(note.requested_date)), *_status_rows(note),
             ("制单 Created", f"{created:%Y-%m-%d %H:%M} {display_name(note.created_by)}")]
    if note.picked_by_id:
        right.append(("拣货人 Picker", display_name(note.picked_by)))
    return info_table(left, right, style_set, INFO_WIDTHS)


# -- the lines ---------------------------------------------------------------------------------------


def _description(line: DeliveryLine, width: float) -> str:
    """The order line's description (name, spec and model unless the seller wrote another), and the
    product's spec and model when that text leaves them out; wrapped to the column."""
    product = line.product
    text = line.description or " ".join(part for part in [product.name, product.spec, product.model] if part)
    missing = [part for part in [product.spec, product.model] if part and part not in text]
    if missing:
        text = f"{text}\n{' / '.join(missing)}"
    return "\n".join(wrap_text(part, width, CJK, 8) for part in text.split("\n"))


def _sku(line: DeliveryLine, width: float) -> str:
    return wrap_text(line.product.sku, width, LATIN, 7.5)


def _total_quantity(lines: list[DeliveryLine]) -> str:
    return plain(sum((line.quantity for line in lines), Decimal("0")))


def _total_row_style(last: int) -> list[tuple]:
    """The totals row shaded under a rule, and never alone on a page: the last line goes with it."""
    return [("BACKGROUND", (0, last), (-1, last), HEAD_BG), ("LINEABOVE", (0, last), (-1, last), 0.8, colors.black),
            ("NOSPLIT", (0, max(last - 1, 1)), (-1, last))]


def _delivery_lines(lines: list[DeliveryLine]) -> Table:
    sku_width, text_width = DELIVERY_WIDTHS[1] - 4, DELIVERY_WIDTHS[2] - 4
    rows = [DELIVERY_COLUMNS]
    rows += [[str(line.position), _sku(line, sku_width), _description(line, text_width), line.product.unit.name,
              plain(line.quantity), ""] for line in lines]
    rows.append(["", "", f"合计 Total: {len(lines)} 行 lines", "", _total_quantity(lines), ""])
    last = len(rows) - 1
    style = [*lines_table_style((4, 5), centred=(0, 3)),
             ("FONT", (1, 1), (1, -1), LATIN, 7.5),
             ("FONT", (4, 1), (4, -1), LATIN, 8),
             ("FONT", (4, last), (4, last), LATIN_BOLD, 8.5),
             *_total_row_style(last)]
    table = Table(rows, colWidths=DELIVERY_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _picking_lines(lines: list[DeliveryLine]) -> Table:
    sku_width, text_width = PICKING_WIDTHS[2] - 4, PICKING_WIDTHS[3] - 4
    rows = [PICKING_COLUMNS]
    rows += [[str(index), str(line.position), _sku(line, sku_width), _description(line, text_width),
              line.product.unit.name, plain(line.quantity), CHECKBOX, ""]
             for index, line in enumerate(lines, start=1)]
    rows.append(["", "", "", f"合计 Total: {len(lines)} 行 lines", "", _total_quantity(lines), "", ""])
    last = len(rows) - 1
    style = [*lines_table_style((5, 5), centred=(0, 1, 4, 6)),
             ("FONT", (1, 1), (2, -1), LATIN, 7.5),
             ("FONT", (5, 1), (5, -1), LATIN_BOLD, 9),
             ("FONT", (6, 1), (6, -1), CJK, 12),
             ("TOPPADDING", (0, 1), (-1, -1), 4),
             ("BOTTOMPADDING", (0, 1), (-1, -1), 4),
             *_total_row_style(last)]
    table = Table(rows, colWidths=PICKING_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


# -- the foot ----------------------------------------------------------------------------------------


def _parcels(note: DeliveryNote, style_set) -> Table:
    """Parcels, weight, carrier, service and tracking numbers, as packed."""
    carrier = _named(note.carrier) if note.carrier_id else "—"
    weight = f"{plain(note.weight_kg)} kg" if note.weight_kg else "—"
    tracking = ", ".join(note.tracking_numbers.order_by("id").values_list("number", flat=True)) or "—"
    left = [("件数 Parcels", str(note.parcel_count) if note.parcel_count else "—"), ("重量 Weight", weight)]
    right = [("承运商 Carrier", carrier), ("服务 Service", note.service or "—"), ("运单号 Tracking no.", tracking)]
    table = info_table(left, right, style_set, INFO_WIDTHS)
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.5, RULE), ("TOPPADDING", (0, 0), (-1, -1), 2),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _notes(note: DeliveryNote, style_set) -> list:
    """The note's notes (as long as 2,000 characters: a paragraph of its own, which may break across pages)."""
    if not note.notes:
        return []
    return [KeepTogether([p("备注 Notes", style_set["label"]), p(note.notes, style_set["body"])])]


def _receipt(style_set) -> KeepTogether:
    statement = Paragraph("收货人请当面清点货物，如有短缺或破损请在签收时注明。"
                          " Please check the goods on delivery and note any shortage or damage when signing.",
                          style_set["body"])
    boxes = signature_boxes([("发货人 Shipped by", [SIGN, DATE]), ("承运人 Carrier", [SIGN, DATE]),
                             ("收货人签收 Received by", ["签字 / 盖章 Signature / stamp: ________", DATE])],
                            style_set)
    return KeepTogether([statement, Spacer(1, 2 * mm), boxes])


def _picker(style_set) -> KeepTogether:
    return KeepTogether([signature_boxes([("拣货人 Picked by", [SIGN, DATE]), ("复核人 Checked by", [SIGN, DATE])],
                                         style_set, space=12 * mm)])
