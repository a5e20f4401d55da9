"""Payment terms arithmetic (pure): when an invoice dated D falls due."""

import calendar
import datetime


def due_date(*, kind: str, days: int, invoice_date: datetime.date) -> datetime.date:
    """Prepaid and on-delivery: the invoice date; net: D + days; month end (月结): end of D's month + days."""
    if kind == "net":
        return invoice_date + datetime.timedelta(days=days)
    if kind == "month_end":
        last = calendar.monthrange(invoice_date.year, invoice_date.month)[1]
        return invoice_date.replace(day=last) + datetime.timedelta(days=days)
    return invoice_date
