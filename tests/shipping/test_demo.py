"""The shipping demo of `kaidan load_demo`: the carriers and a delivery note in every state, made by the
warehouse keeper through the services, with timelines in the past and in order — loaded once, with
stock, reservations, shipped quantities and notes that agree."""

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from kaidan.core.models import AuditEvent
from kaidan.inventory.models import Reservation, StockMove
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import FulfilmentStatus
from kaidan.shipping import fulfilment, selectors, states
from kaidan.shipping.checks import shipping_discrepancies
from kaidan.shipping.models import Carrier, DeliveryNote, TrackingEvent, TrackingNumber
from kaidan.shipping.states import Status
from tests.demo_loading import fewer_pictures, load_all  # noqa: F401 (fewer_pictures: an autouse fixture)

pytestmark = pytest.mark.django_db
LOADER = "kaidan.shipping.demo.load_demo"
Kind = TrackingEvent.Kind


@pytest.fixture(autouse=True)
def warehouse():
    """The demo makes its own warehouses (replaces the shipping tests' default one)."""


def counts() -> tuple[int, ...]:
    return (Carrier.objects.count(), DeliveryNote.objects.count(), TrackingEvent.objects.count(),
            TrackingNumber.objects.count(), StockMove.objects.count(), SalesOrder.objects.count(),
            AuditEvent.objects.count())


def test_the_shipping_demo_is_loaded_once_with_every_state_and_everything_adds_up():
    """One test, as loading the whole demo takes seconds."""
    # given
    loaders = settings.KAIDAN_DEMO_LOADERS
    assert loaders.index(LOADER) == loaders.index("kaidan.approvals.demo.load_demo") + 1
    started = timezone.now()
    # when
    first = load_all()
    loaded = counts()
    second = load_all()
    # then
    assert first[LOADER] == ["5 carriers", "10 delivery notes"]
    assert all(lines == [] for lines in second.values()), second
    assert counts() == loaded
    assert timezone.now() >= started  # the demo's clock is put back
    notes = list(DeliveryNote.objects.select_related("carrier", "order", "created_by").order_by("id"))
    _assert_carriers()
    _assert_every_state(notes)
    _assert_timelines(notes)
    _assert_orders(notes)
    _assert_work_queue()
    _assert_quantities_and_stock(notes)


def _assert_carriers() -> None:
    carriers = {c.code: c for c in Carrier.objects.all()}
    assert set(carriers) == {"SF", "JD", "ZTO", "DBL", "OWN"}
    assert carriers["SF"].name == "顺丰速运"
    assert carriers["SF"].tracking_link("SF1402771940213") == \
        "https://www.sf-express.com/chn/sc/waybill/waybill-detail/SF1402771940213"
    assert all(c.tracking_link("X1") for code, c in carriers.items() if code != "OWN")
    assert carriers["OWN"].tracking_url == "" and carriers["OWN"].tracking_link("X1") == ""
    assert all(c.active for c in carriers.values())
    assert {code for code, c in carriers.items() if c.api_key_digest} == {"SF", "JD"}


def _assert_every_state(notes: list[DeliveryNote]) -> None:
    by_state = Counter(note.status for note in notes)
    assert set(by_state) == set(Status.values)
    assert {note.created_by.username for note in notes} == {"warehouse"}
    assert all(note.number.startswith("DN") for note in notes)
    # numbers follow the dates
    assert [n.number for n in sorted(notes, key=lambda n: n.created_at)] == sorted(n.number for n in notes)
    now = timezone.now()
    for note in notes:
        moments = [note.created_at, note.picking_at, note.packed_at, note.shipped_at]
        known = [m for m in moments if m is not None]
        assert known == sorted(known) and all(m < now for m in known), note.number
    packed = next(n for n in notes if n.status == Status.PACKED)
    assert packed.parcel_count > 1 and packed.weight_kg > 0 and packed.carrier.code != "OWN"
    assert packed.tracking_numbers.count() == packed.parcel_count
    assert all(link.url for link in selectors.tracking_links(packed))
    picking = next(n for n in notes if n.status == Status.PICKING)
    assert picking.picked_by.username == "warehouse" and picking.picking_at is not None
    cancelled = next(n for n in notes if n.status == Status.CANCELLED)
    assert cancelled.cancel_reason and cancelled.cancelled_at is not None and cancelled.shipped_at is None
    for note in notes:
        if note.status in states.SHIPPED:
            assert note.ship_date == timezone.localtime(note.shipped_at).date() and note.cost_amount > 0
            assert note.shipped_by.username == "warehouse" and note.carrier is not None
            assert note.carrier.code == "OWN" or note.tracking_numbers.exists()
        else:
            assert note.shipped_at is None and note.cost_amount == 0


def _assert_timelines(notes: list[DeliveryNote]) -> None:
    now = timezone.now()
    for note in notes:
        events = selectors.timeline(note)
        if note.status not in states.SHIPPED:
            assert events == [], note.number
            continue
        times = [e.occurred_at for e in events]
        assert times == sorted(times) and len(set(times)) == len(times), note.number  # strictly in order
        assert all(t < now for t in times), note.number
        assert events[0].kind == Kind.SHIPPED and events[0].occurred_at == note.shipped_at
        assert all(e.kind != Kind.SHIPPED for e in events[1:])

    in_transit = [n for n in notes if n.status == Status.IN_TRANSIT]
    assert in_transit and all(len(selectors.timeline(n)) >= 3 for n in in_transit)
    locations = {e.location for n in in_transit for e in selectors.timeline(n)}
    assert {"深圳转运中心", "上海转运中心"} <= locations
    # events the carrier's integration posted, each with its own event id
    posted = TrackingEvent.objects.filter(source=TrackingEvent.Source.CARRIER)
    assert posted.exists() and all(e.external_id and e.carrier_id == e.note.carrier_id for e in posted)
    assert TrackingEvent.objects.filter(source=TrackingEvent.Source.USER, created_by__username="warehouse").exists()

    delivered = [n for n in notes if n.status == Status.DELIVERED]
    assert len(delivered) >= 2 and {n.carrier.code for n in delivered} >= {"OWN"}
    for note in delivered:
        events = selectors.timeline(note)
        last = events[-1]
        assert last.kind == Kind.DELIVERED and last.signed_by and note.received_by == last.signed_by
        assert note.delivered_at == last.occurred_at
        assert Kind.OUT_FOR_DELIVERY in {e.kind for e in events}
    full = max(delivered, key=lambda n: len(selectors.timeline(n)))
    assert [e.kind for e in selectors.timeline(full)] == [Kind.SHIPPED, Kind.IN_TRANSIT, Kind.IN_TRANSIT,
                                                          Kind.IN_TRANSIT, Kind.OUT_FOR_DELIVERY, Kind.DELIVERED]

    [exception] = [n for n in notes if n.status == Status.EXCEPTION]
    events = selectors.timeline(exception)
    [event] = [e for e in events if e.kind == Kind.EXCEPTION]
    assert event.exception_reason == exception.exception_reason == "damaged" and event.description
    assert events[-1].kind == Kind.NOTE  # the follow-up, which does not move the note


def _assert_orders(notes: list[DeliveryNote]) -> None:
    shipped_notes = Counter(n.order_id for n in notes if n.status in states.SHIPPED)
    two = [order_id for order_id, count in shipped_notes.items() if count >= 2]
    assert two, "an order shipped in two notes"
    orders = SalesOrder.objects.filter(pk__in={n.order_id for n in notes})
    # nothing fully shipped: every confirmed order keeps stock reserved (tests/sales/test_demo.py)
    assert {o.fulfilment_status for o in orders} == {FulfilmentStatus.NOT_SHIPPED, FulfilmentStatus.PARTLY_SHIPPED}
    assert all(Reservation.objects.filter(order_id=o.pk, status="open").exists() for o in orders)
    # the cancelled note's order holds its stock again, for another note
    cancelled = next(n for n in notes if n.status == Status.CANCELLED)
    assert all(r.reserved == r.quantity for r in Reservation.objects.filter(order_id=cancelled.order_id))


def _assert_work_queue() -> None:
    from django.contrib.auth import get_user_model

    keeper = get_user_model().objects.get(username="warehouse")
    rows = selectors.work_queue(keeper)
    counts = selectors.queue_counts(rows)
    assert {"ready", "partly", "waiting", "on_notes"} <= set(counts), counts
    # the order partly shipped whose backorder waits for stock
    [waiting] = [row for row in rows if row.state == "waiting"]
    assert waiting.order.fulfilment_status == FulfilmentStatus.PARTLY_SHIPPED
    assert Reservation.objects.filter(order_id=waiting.order.pk, status="open", reserved=0).exists()


def _assert_quantities_and_stock(notes: list[DeliveryNote]) -> None:
    assert shipping_discrepancies() == []
    for order in SalesOrder.objects.filter(pk__in={n.order_id for n in notes}):
        assert fulfilment.recompute(order) is False  # recomputing changes nothing
    for note in notes:
        if note.status in states.SHIPPED:
            lines = list(note.lines.select_related("product"))
            assert all(line.unit_cost == line.product.standard_cost for line in lines)
            assert note.cost_amount == sum(line.cost_amount for line in lines)
            moved = StockMove.objects.filter(reference=note.number).aggregate(total=Sum("quantity"))["total"]
            assert moved == -sum(line.quantity for line in lines if line.product.track_stock)
    assert StockMove.objects.filter(kind="shipment").count() == sum(
        note.lines.filter(product__track_stock=True).count() for note in notes if note.status in states.SHIPPED)
    out = io.StringIO()
    call_command("check_stock", stdout=out)
    assert out.getvalue().strip() == "stock OK"
    out = io.StringIO()
    call_command("check_shipping", stdout=out)
    assert out.getvalue().strip() == "shipping OK"
    assert Decimal(0) < sum((n.freight_charge for n in notes), Decimal(0))
