"""Document series: patterns, period resets, gapless numbering inside transactions."""

import datetime

import pytest
from django.db import transaction

from kaidan.core import numbering, services
from kaidan.core.errors import NotFound, ValidationFailed
from kaidan.core.models import AuditEvent, DocumentSeries

NOV = datetime.date(2026, 11, 25)
DEC = datetime.date(2026, 12, 1)


class TestPatterns:
    def test_formats_date_parts_and_a_padded_sequence(self):
        assert numbering.format_number("SO{yyyy}{mm}-{seq:05}", NOV, 42) == "SO202611-00042"
        assert numbering.format_number("INV{yy}{seq}", NOV, 7) == "INV267"

    @pytest.mark.parametrize("pattern", ["SO{yyyy}", "SO{seq}{seq}", "SO{foo}{seq}", "SO{seq:x5}", "SO{yyyy:02}{seq}",
                                         "SO{seq"])
    def test_rejects_malformed_patterns_naming_the_field(self, pattern):
        with pytest.raises(ValidationFailed) as err:
            numbering.parse_pattern(pattern)
        assert "pattern" in err.value.fields

    def test_the_period_key_follows_the_finest_date_part(self):
        assert numbering.period_key("A{yyyy}{mm}{dd}{seq}", NOV) == "20261125"
        assert numbering.period_key("A{yyyy}{mm}{seq}", NOV) == "202611"
        assert numbering.period_key("A{yy}{seq}", NOV) == "2026"
        assert numbering.period_key("A{seq}", NOV) == "all"


@pytest.mark.django_db
class TestNextNumber:
    def test_numbers_follow_each_other_and_restart_each_month(self):
        with transaction.atomic():
            first = numbering.next_number("sales_order", on=NOV)
            second = numbering.next_number("sales_order", on=NOV)
            december = numbering.next_number("sales_order", on=DEC)
        assert (first, second, december) == ("SO202611-00001", "SO202611-00002", "SO202612-00001")

    def test_a_rolled_back_transaction_gives_its_number_back(self):
        with transaction.atomic():
            assert numbering.next_number("invoice", on=NOV) == "INV2026-000001"
        try:
            with transaction.atomic():
                numbering.next_number("invoice", on=NOV)
                raise RuntimeError("posting failed")
        except RuntimeError:
            pass
        with transaction.atomic():
            assert numbering.next_number("invoice", on=NOV) == "INV2026-000002"

    def test_unknown_or_inactive_series_is_not_found(self):
        DocumentSeries.objects.filter(doc_type="payment").update(active=False)
        with pytest.raises(NotFound), transaction.atomic():
            numbering.next_number("payment")
        with pytest.raises(NotFound), transaction.atomic():
            numbering.next_number("no_such_type")


@pytest.mark.django_db(transaction=True)
def test_a_gapless_series_refuses_to_number_outside_a_transaction():
    with pytest.raises(RuntimeError, match="posting transaction"):
        numbering.next_number("invoice")


@pytest.mark.django_db
class TestUpdateSeries:
    def test_changes_the_pattern_and_records_it(self, make_user):
        admin = make_user()
        services.update_series(actor=admin, doc_type="sales_order",
                               data={"name": "订单", "pattern": "XS{yyyy}-{seq:04}", "active": True})
        with transaction.atomic():
            assert numbering.next_number("sales_order", on=NOV) == "XS2026-0001"
        event = AuditEvent.objects.get(object_type="core.documentseries", action="updated")
        assert event.before["pattern"] == "SO{yyyy}{mm}-{seq:05}"
        assert event.after["pattern"] == "XS{yyyy}-{seq:04}"

    def test_a_bad_pattern_changes_nothing(self, make_user):
        with pytest.raises(ValidationFailed) as err:
            services.update_series(actor=make_user(), doc_type="sales_order",
                                   data={"name": "x", "pattern": "SO-no-seq", "active": True})
        assert "pattern" in err.value.fields
        assert DocumentSeries.objects.get(doc_type="sales_order").pattern == "SO{yyyy}{mm}-{seq:05}"
        assert not AuditEvent.objects.filter(object_type="core.documentseries").exists()
