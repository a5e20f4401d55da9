"""The tracking timeline: events typed in by the warehouse move a shipped note on (in transit, out for
delivery, delivered with who signed, exception with a reason, back in transit); illegal moves are
refused for people, while a carrier's integration — which re-sends and sends late — has a re-sent
event recorded once and a late one kept in the timeline without moving the note."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from kaidan.core.errors import Forbidden, InvalidTransition, NotFound, StaleEdit, ValidationFailed
from kaidan.core.models import AuditEvent
from kaidan.core.roles import Role
from kaidan.shipping import carriers, selectors, services, tracking
from kaidan.shipping.models import TrackingEvent
from kaidan.shipping.states import Status
from tests.shipping.factories import confirmed_order, make_carrier, make_note, packed, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def order(seller, customer, laptop, warehouse):
    return confirmed_order(seller, customer, [(laptop, 4)], warehouse_id=warehouse.pk)


@pytest.fixture
def note(keeper, order, sf):
    """A note shipped with SF under tracking number SF1001, its "handed to the carrier" event a day ago
    (so that events typed in with earlier times than now come after it)."""
    note = shipped(keeper, make_note(keeper, order), carrier_id=sf.pk, tracking_numbers=["SF1001"])
    TrackingEvent.objects.filter(note=note, kind="shipped").update(occurred_at=ago(days=1))
    return note


def event(keeper, note, kind, **data):
    return tracking.add_event(actor=keeper, note_id=note.pk, data={"kind": kind, **data})


def kinds(note):
    return [e.kind for e in selectors.timeline(note)]


def ago(**delta):
    return timezone.now() - datetime.timedelta(**delta)


class TestEventsEnteredByTheWarehouse:
    def test_in_transit_out_for_delivery_then_delivered_records_who_signed_and_when(self, keeper, note):
        first = event(keeper, note, "in_transit", location="深圳转运中心", occurred_at=ago(hours=5).isoformat())
        note.refresh_from_db()
        assert note.status == Status.IN_TRANSIT and note.version == 5
        assert (first.source, first.created_by, first.location, first.carrier) == ("user", keeper, "深圳转运中心",
                                                                                  note.carrier)
        event(keeper, note, "out_for_delivery", location="上海浦东", description="派送中",
              occurred_at=ago(hours=1).isoformat())
        note.refresh_from_db()
        assert note.status == Status.IN_TRANSIT and note.version == 5  # on its way still: no move, no new version
        signed = ago(minutes=10).replace(microsecond=0)
        event(keeper, note, "delivered", signed_by="王芳", occurred_at=signed.isoformat(), location="张江路 88 号")
        note.refresh_from_db()
        assert (note.status, note.received_by, note.delivered_at) == (Status.DELIVERED, "王芳", signed)
        assert kinds(note) == ["shipped", "in_transit", "out_for_delivery", "delivered"]

    def test_delivered_straight_from_shipped(self, keeper, note):
        event(keeper, note, "delivered", signed_by="前台 李")
        note.refresh_from_db()
        assert note.status == Status.DELIVERED and note.received_by == "前台 李" and note.delivered_at

    def test_delivered_needs_who_signed(self, keeper, note):
        for data in ({}, {"signed_by": ""}, {"signed_by": "   "}):
            with pytest.raises(ValidationFailed) as err:
                event(keeper, note, "delivered", **data)
            assert list(err.value.fields) == ["signed_by"]
        note.refresh_from_db()
        assert note.status == Status.SHIPPED and kinds(note) == ["shipped"]

    def test_an_exception_needs_a_reason_and_the_note_recovers_to_in_transit_then_delivered(self, keeper, note):
        for reason in (None, "", "stolen"):
            with pytest.raises(ValidationFailed) as err:
                event(keeper, note, "exception", exception_reason=reason)
            assert list(err.value.fields) == ["exception_reason"]
        event(keeper, note, "exception", exception_reason="damaged", description="外箱破损")
        note.refresh_from_db()
        assert (note.status, note.exception_reason) == (Status.EXCEPTION, "damaged")
        event(keeper, note, "exception", exception_reason="delayed")  # a second exception updates the reason
        note.refresh_from_db()
        assert (note.status, note.exception_reason) == (Status.EXCEPTION, "delayed")
        event(keeper, note, "in_transit", description="重新发出")
        note.refresh_from_db()
        # on its way again: the note no longer shows an exception; the timeline keeps the two
        assert (note.status, note.exception_reason) == (Status.IN_TRANSIT, "")
        event(keeper, note, "delivered", signed_by="王芳")
        note.refresh_from_db()
        assert note.status == Status.DELIVERED
        assert kinds(note) == ["shipped", "exception", "exception", "in_transit", "delivered"]
        recorded = [e.exception_reason for e in selectors.timeline(note)]
        assert recorded == ["", "damaged", "delayed", "", ""]

    def test_an_exception_from_in_transit_and_delivered_from_exception(self, keeper, note):
        event(keeper, note, "in_transit")
        event(keeper, note, "exception", exception_reason="refused")
        note.refresh_from_db()
        assert note.status == Status.EXCEPTION
        event(keeper, note, "delivered", signed_by="仓库 张")
        note.refresh_from_db()
        assert (note.status, note.exception_reason, note.received_by) == (Status.DELIVERED, "", "仓库 张")

    def test_a_plain_note_is_kept_without_moving_even_after_delivery(self, keeper, note):
        event(keeper, note, "delivered", signed_by="王芳")
        event(keeper, note, "note", description="客户来电确认收货")
        note.refresh_from_db()
        assert note.status == Status.DELIVERED and kinds(note)[-1] == "note"

    @pytest.mark.parametrize("kind", ["in_transit", "out_for_delivery", "exception"])
    def test_after_delivery_people_cannot_move_the_note_on(self, keeper, note, kind):
        event(keeper, note, "delivered", signed_by="王芳")
        note.refresh_from_db()
        version = note.version
        with pytest.raises(InvalidTransition) as err:
            event(keeper, note, kind, signed_by="又一个人", exception_reason="lost")
        assert err.value.status == 409
        note.refresh_from_db()
        assert (note.status, note.version, note.received_by) == (Status.DELIVERED, version, "王芳")
        assert kinds(note) == ["shipped", "delivered"]

    @pytest.mark.parametrize("stage", ["draft", "picking", "packed", "cancelled"])
    def test_a_note_that_has_not_shipped_has_no_tracking(self, keeper, order, stage):
        draft = make_note(keeper, order)
        if stage == "picking":
            services.start_picking(actor=keeper, note_id=draft.pk)
        elif stage == "packed":
            packed(keeper, draft)
        elif stage == "cancelled":
            services.cancel(actor=keeper, note_id=draft.pk)
        with pytest.raises(tracking.NotShippedYet) as err:
            event(keeper, draft, "in_transit")
        assert (err.value.status, err.value.code) == (409, "not_shipped")
        assert not TrackingEvent.objects.filter(note=draft).exists()

    def test_delivered_again_is_recorded_but_keeps_the_first_signature(self, keeper, note):
        event(keeper, note, "delivered", signed_by="王芳")
        note.refresh_from_db()
        first = (note.delivered_at, note.received_by, note.version)
        event(keeper, note, "delivered", signed_by="王芳（补录）")
        note.refresh_from_db()
        assert (note.status, note.delivered_at, note.received_by, note.version) == (Status.DELIVERED, *first)
        assert kinds(note) == ["shipped", "delivered", "delivered"]

    @pytest.mark.parametrize(("data", "field"), [
        ({"kind": "shipped"}, "kind"), ({"kind": "teleported"}, "kind"), ({}, "kind"),
        ({"kind": "in_transit", "occurred_at": "tomorrow"}, "occurred_at"),
        ({"kind": "in_transit", "occurred_at": "1999-12-31T10:00"}, "occurred_at"),
        ({"kind": "in_transit", "location": "x" * 201}, "location"),
        ({"kind": "in_transit", "description": "x" * 501}, "description"),
        ({"kind": "in_transit", "description": 5}, "description"),
        ({"kind": "in_transit", "weather": "rain"}, "weather"),
    ])
    def test_bad_events_are_refused_by_field_and_nothing_is_written(self, keeper, note, data, field):
        with pytest.raises(ValidationFailed) as err:
            tracking.add_event(actor=keeper, note_id=note.pk, data=data)
        assert field in err.value.fields
        assert kinds(note) == ["shipped"]

    def test_an_event_still_to_come_is_refused(self, keeper, note):
        later = (timezone.now() + datetime.timedelta(hours=2)).isoformat()
        with pytest.raises(ValidationFailed) as err:
            event(keeper, note, "in_transit", occurred_at=later)
        assert list(err.value.fields) == ["occurred_at"]

    def test_a_stale_version_is_refused(self, keeper, note):
        with pytest.raises(StaleEdit):
            tracking.add_event(actor=keeper, note_id=note.pk, data={"kind": "in_transit"}, version=note.version - 1)
        tracking.add_event(actor=keeper, note_id=note.pk, data={"kind": "in_transit"}, version=note.version)
        note.refresh_from_db()
        assert note.status == Status.IN_TRANSIT

    def test_the_timeline_is_in_time_order_whatever_order_it_was_typed_in(self, keeper, note):
        event(keeper, note, "note", description="later", occurred_at=ago(minutes=5).isoformat())
        event(keeper, note, "note", description="earlier", occurred_at=ago(minutes=50).isoformat())
        assert [e.description for e in selectors.timeline(note)][-2:] == ["earlier", "later"]

    def test_each_move_is_audited(self, keeper, note):
        event(keeper, note, "in_transit", location="深圳")
        event(keeper, note, "exception", exception_reason="lost")
        event(keeper, note, "delivered", signed_by="王芳")
        trail = list(AuditEvent.objects.filter(object_type="shipping.deliverynote", object_id=str(note.pk))
                     .order_by("pk").values_list("action", "after"))
        moves = [(action, after["status"], after.get("exception_reason")) for action, after in trail
                 if action in ("in_transit", "exception", "delivered")]  # only what changed is kept
        assert moves == [("in_transit", "in_transit", None), ("exception", "exception", "lost"),
                         ("delivered", "delivered", "")]

    @pytest.mark.parametrize("role", [Role.SALES, Role.FINANCE, Role.SALES_MANAGER, Role.AFTERSALES])
    def test_only_the_warehouse_records_tracking(self, make_user, note, role):
        with pytest.raises(Forbidden):
            tracking.add_event(actor=make_user(role), note_id=note.pk, data={"kind": "in_transit"})
        assert kinds(note) == ["shipped"]

    def test_an_admin_records_tracking(self, admin, note):
        tracking.add_event(actor=admin, note_id=note.pk, data={"kind": "in_transit"})
        note.refresh_from_db()
        assert note.status == Status.IN_TRANSIT

    def test_an_unknown_note_is_not_found(self, keeper):
        with pytest.raises(NotFound):
            tracking.add_event(actor=keeper, note_id=987654, data={"kind": "in_transit"})


class TestCarrierEvents:
    def post(self, sf, number="SF1001", **data):
        return tracking.add_carrier_event(carrier=sf, data={"tracking_number": number, **data})

    def test_a_carrier_moves_the_note_and_a_re_sent_event_is_recorded_once(self, note, sf):
        first, created = self.post(sf, event_id="EV-1", kind="in_transit", location="深圳宝安")
        assert created and (first.source, first.carrier, first.external_id, first.created_by) == (
            "carrier", sf, "EV-1", None)
        note.refresh_from_db()
        assert note.status == Status.IN_TRANSIT
        again, created = self.post(sf, event_id="EV-1", kind="in_transit", location="深圳宝安")
        assert not created and again.pk == first.pk
        assert TrackingEvent.objects.filter(note=note, external_id="EV-1").count() == 1
        # an event without an id cannot be recognised when re-sent: each one is recorded
        self.post(sf, kind="note", description="已揽收")
        self.post(sf, kind="note", description="已揽收")
        assert kinds(note) == ["shipped", "in_transit", "note", "note"]

    def test_a_late_in_transit_after_delivery_is_kept_without_moving_the_note(self, note, sf):
        delivered_at = ago(hours=1).replace(microsecond=0)
        self.post(sf, event_id="EV-9", kind="delivered", signed_by="王芳", occurred_at=delivered_at.isoformat())
        late, created = self.post(sf, event_id="EV-5", kind="in_transit", location="上海转运中心",
                                  occurred_at=ago(hours=3).isoformat())
        assert created
        note.refresh_from_db()
        assert (note.status, note.delivered_at, note.received_by) == (Status.DELIVERED, delivered_at, "王芳")
        assert kinds(note) == ["shipped", "in_transit", "delivered"]  # in time order, the late one where it belongs
        assert selectors.timeline(note)[1].pk == late.pk
        # nor does a late exception after delivery move it
        self.post(sf, event_id="EV-10", kind="exception", exception_reason="delayed")
        note.refresh_from_db()
        assert note.status == Status.DELIVERED and note.exception_reason == ""

    def test_an_unknown_or_another_carriers_tracking_number_is_not_found(self, admin, note, sf):
        with pytest.raises(NotFound):
            self.post(sf, "SF-NOPE", kind="in_transit")
        other = make_carrier(admin, "ZTO", "中通快递")
        with pytest.raises(NotFound):
            self.post(other, "SF1001", kind="in_transit")
        assert kinds(note) == ["shipped"]

    def test_a_cancelled_notes_number_is_not_found_and_a_packed_one_has_not_shipped(self, keeper, order, sf):
        draft = packed(keeper, make_note(keeper, order, {order.lines.get(): 1}), carrier_id=sf.pk,
                       tracking_numbers=["SF2002"])
        with pytest.raises(tracking.NotShippedYet):
            self.post(sf, "SF2002", kind="in_transit")
        services.cancel(actor=keeper, note_id=draft.pk)
        with pytest.raises(NotFound):
            self.post(sf, "SF2002", kind="in_transit")

    def test_a_number_reused_later_finds_the_newest_note(self, keeper, order, sf):
        line = order.lines.get()
        older = shipped(keeper, make_note(keeper, order, {line: 1}), carrier_id=sf.pk, tracking_numbers=["SF3003"])
        newer = shipped(keeper, make_note(keeper, order, {line: 1}), carrier_id=sf.pk, tracking_numbers=["SF3003"])
        created_event, _ = self.post(sf, "SF3003", kind="in_transit")
        assert created_event.note_id == newer.pk and kinds(older) == ["shipped"]

    @pytest.mark.parametrize(("data", "field"), [
        ({"kind": "in_transit"}, "tracking_number"),
        ({"tracking_number": "", "kind": "in_transit"}, "tracking_number"),
        ({"tracking_number": 5, "kind": "in_transit"}, "tracking_number"),
        ({"tracking_number": "SF1001", "kind": "in_transit", "event_id": "x" * 81}, "event_id"),
        ({"tracking_number": "SF1001", "kind": "delivered"}, "signed_by"),
        ({"tracking_number": "SF1001", "kind": "bogus"}, "kind"),
        ({"tracking_number": "SF1001", "kind": "in_transit", "version": 3}, "version"),
    ])
    def test_bad_carrier_events_are_refused_by_field(self, note, sf, data, field):
        with pytest.raises(ValidationFailed) as err:
            tracking.add_carrier_event(carrier=sf, data=data)
        assert field in err.value.fields
        assert kinds(note) == ["shipped"]

    def test_the_carrier_found_by_its_key_posts_events(self, admin, note, sf):
        _carrier, key = carriers.new_api_key(actor=admin, carrier_id=sf.pk)
        carrier = carriers.carrier_for_key(key)
        assert carrier == sf
        tracking.add_carrier_event(carrier=carrier, data={"tracking_number": "SF1001", "kind": "delivered",
                                                          "signed_by": "王芳", "event_id": "A1"})
        note.refresh_from_db()
        assert note.status == Status.DELIVERED


class TestTrackingLinks:
    def test_each_number_links_to_the_carriers_page(self, keeper, note, sf):
        services_note = note
        links = selectors.tracking_links(services_note)
        assert [(link.number, link.url) for link in links] == [
            ("SF1001", "https://www.sf-express.com/we/ow/chn/sc/waybill/waybill-detail/SF1001")]

    def test_no_link_without_a_carrier_or_a_pattern(self, admin, keeper, order):
        plain = make_carrier(admin, "VAN", "自有货车")
        note = shipped(keeper, make_note(keeper, order), carrier_id=plain.pk, tracking_numbers=["T-1"])
        assert [(link.number, link.url) for link in selectors.tracking_links(note)] == [("T-1", "")]

    def test_the_number_is_quoted_into_the_address(self, admin):
        carrier = make_carrier(admin, "ZZ", "某快递", "https://t.example.com/q?n={number}&x=1")
        assert carrier.tracking_link("A/B?1") == "https://t.example.com/q?n=A%2FB%3F1&x=1"


def test_the_note_keeps_its_cost_whatever_tracking_says(keeper, note):
    cost = note.cost_amount
    event(keeper, note, "exception", exception_reason="lost")
    note.refresh_from_db()
    assert note.cost_amount == cost == D("16000.00")
