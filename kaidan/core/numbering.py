"""Document numbers from per-type series, e.g. ``SO{yyyy}{mm}-{seq:05}`` → SO202611-00042.

The counter is django-sequences' row per (series, period): an upsert on PostgreSQL, a locked row
elsewhere. The row stays locked until the caller's transaction ends, so:

* a rolled-back document gives its number back — numbers of a series are unique and without gaps;
* callers take the number as late as possible in their transaction (the lock order puts counters
  after documents and stock rows), so the counter is held for microseconds, not the whole request.

A *gapless* series (invoices, credit notes) must be numbered inside the transaction that posts the
document; ``next_number`` refuses to run outside one. Placeholders: {yyyy} {yy} {mm} {dd} and
{seq} / {seq:05}; the counter restarts when the date part of the pattern changes.
"""

from __future__ import annotations

import datetime
import string

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from sequences import get_next_value

from kaidan.core.errors import NotFound, ValidationFailed
from kaidan.core.models import DocumentSeries

DATE_FIELDS = {"yyyy": "%Y", "yy": "%y", "mm": "%m", "dd": "%d"}
DEFAULT_SERIES = [
    # doc_type, name, pattern, gapless — the series every installation starts with
    ("customer", "客户 / Customer", "C{seq:05}", False),
    ("quotation", "报价单 / Quotation", "QT{yyyy}{mm}-{seq:05}", False),
    ("sales_order", "销售订单 / Sales order", "SO{yyyy}{mm}-{seq:05}", False),
    ("delivery_note", "送货单 / Delivery note", "DN{yyyy}{mm}-{seq:05}", False),
    ("invoice", "发票 / Invoice", "INV{yyyy}-{seq:06}", True),
    ("credit_note", "红字发票 / Credit note", "CRN{yyyy}-{seq:05}", True),
    ("payment", "收款单 / Payment", "PAY{yyyy}{mm}-{seq:05}", False),
    ("stock_receipt", "入库单 / Goods receipt", "GR{yyyy}{mm}-{seq:05}", False),
    ("stock_adjustment", "盘点调整单 / Stock adjustment", "ADJ{yyyy}{mm}-{seq:05}", False),
    ("stock_transfer", "调拨单 / Transfer", "TR{yyyy}{mm}-{seq:05}", False),
    ("replenishment", "补货申请 / Replenishment request", "RR{yyyy}{mm}-{seq:05}", False),
]


def parse_pattern(pattern: str) -> list[tuple[str, str | None, str]]:
    """Split a pattern into (literal, field, format_spec) parts; raises ValidationFailed if malformed."""
    try:
        parts = [(lit, field, spec or "") for lit, field, spec, _conv in string.Formatter().parse(pattern)]
    except ValueError:
        raise ValidationFailed.for_field("pattern", _("Braces in the pattern do not match.")) from None
    fields = [f for _lit, f, _spec in parts if f is not None]
    unknown = [f for f in fields if f not in DATE_FIELDS and f != "seq"]
    if unknown:
        raise ValidationFailed.for_field("pattern", _("Unknown placeholder {%(name)s}.") % {"name": unknown[0]})
    if fields.count("seq") != 1:
        raise ValidationFailed.for_field("pattern", _("The pattern needs exactly one {seq}."))
    for _lit, field, spec in parts:
        if field == "seq" and spec and not (spec.startswith("0") and spec[1:].isdigit() and int(spec[1:]) <= 12):
            raise ValidationFailed.for_field("pattern",
                                             _("Write the sequence as {seq} or {seq:0N}, with N from 1 to 12."))
        if field in DATE_FIELDS and spec:
            raise ValidationFailed.for_field("pattern", _("Date placeholders take no format."))
    return parts


def period_key(pattern: str, on: datetime.date) -> str:
    """The part of the date the pattern shows; the counter restarts when it changes."""
    fields = [f for _lit, f, _spec in parse_pattern(pattern) if f in DATE_FIELDS]
    if "dd" in fields:
        return on.strftime("%Y%m%d")
    if "mm" in fields:
        return on.strftime("%Y%m")
    if "yyyy" in fields or "yy" in fields:
        return on.strftime("%Y")
    return "all"


def format_number(pattern: str, on: datetime.date, seq: int) -> str:
    out = []
    for literal, field, spec in parse_pattern(pattern):
        out.append(literal)
        if field == "seq":
            out.append(format(seq, f"{spec}d"))
        elif field is not None:
            out.append(on.strftime(DATE_FIELDS[field]))
    return "".join(out)


def next_number(doc_type: str, *, on: datetime.date | None = None) -> str:
    """Take the next number of the series for ``doc_type``. Raises NotFound for an unknown or
    inactive series and RuntimeError when a gapless series is used outside a transaction."""
    series = DocumentSeries.objects.filter(doc_type=doc_type, active=True).first()
    if series is None:
        raise NotFound(_("No active numbering series for “%(type)s”.") % {"type": doc_type})
    if series.gapless and not connection.in_atomic_block:
        raise RuntimeError(f"gapless series {doc_type!r} must be numbered inside the posting transaction")
    on = on or timezone.localdate()
    seq = get_next_value(f"{doc_type}:{period_key(series.pattern, on)}")
    return format_number(series.pattern, on, seq)


def preview(pattern: str, on: datetime.date | None = None) -> str:
    """What the first number of a pattern looks like (shown while editing a series)."""
    return format_number(pattern, on or timezone.localdate(), 1)


def ensure_default_series(apps=None) -> None:
    """Create the default series that are missing (run by the migration and after every migrate)."""
    model = apps.get_model("core", "DocumentSeries") if apps else DocumentSeries
    for doc_type, name, pattern, gapless in DEFAULT_SERIES:
        model.objects.get_or_create(doc_type=doc_type, defaults={"name": name, "pattern": pattern, "gapless": gapless})
