"""Demo shipping for `make run`: the carriers (顺丰, 京东物流, 中通, 德邦 and the company's own van) and
ten delivery notes of the sales demo's confirmed orders, one in every state, made by the demo
warehouse keeper (``warehouse``) through the same services as the warehouse screens and the API:

* 杭州 (NB-LEN-004 ×25, "分两批送货"): the first batch delivered by 顺丰 and signed for, with its
  whole timeline (已揽收, 上海转运中心, 杭州转运中心, 派送中, 已签收); the second batch a draft;
* 上海 office supplies: shipped in two notes — the company's van (delivered the same day) and 中通
  (in transit); 10 boxes are left for a later note;
* 武汉 laptops: in transit with 京东物流, events posted by the carrier's integration;
* 广州 monitors: 德邦, damaged on delivery — an exception with its event and a follow-up note;
* 杭州 "有货先发" order: what is reserved shipped by 顺丰, the backorder still waiting for stock;
* a packed note (parcels, weight, carrier, tracking numbers), one being picked, one cancelled
  (the customer collects instead; the order is ready to ship again).

So the work queue (/shipping/) has orders ready, partly available (the 200-line order), waiting for
stock and on notes. Nothing is fully shipped: every confirmed order keeps some stock reserved.

Time: a note's timeline is real only if it happened in the past, in order — but shipping stamps
"now" (shipped at, the handed-over event, the audit). So each step runs with Django's clock set to
the moment the story gives it (days ago, time of day; always before today), one step after the
other in time order, so the note numbers follow the dates. The clock is process-wide while a step
runs: load the demo from the command line or a test, never from a serving process.

Runs after the sales and approvals demos. Idempotent: carriers by code; the notes once (skipped
when any delivery note exists). A story whose order is not there, or no longer as the sales demo
made it (a database used before shipping existed), is left out or stops where a service refuses."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kaidan.core.errors import DomainError
from kaidan.sales.models import SalesOrder
from kaidan.sales.states import FulfilmentStatus, Kind
from kaidan.sales.states import Status as OrderStatus
from kaidan.shipping import carriers, services, tracking
from kaidan.shipping.models import Carrier, DeliveryNote

CARRIERS = [
    # code, name, tracking page ({number} is the tracking number)
    ("SF", "顺丰速运", "https://www.sf-express.com/chn/sc/waybill/waybill-detail/{number}"),
    ("JD", "京东物流", "https://www.jdl.com/orderSearch/?waybillCodes={number}"),
    ("ZTO", "中通快递", "https://www.zto.com/express/expressCheck.html?txtBill={number}"),
    ("DBL", "德邦快递", "https://www.deppon.com/newwebsite/track/ordertrack?orderNumList={number}"),
    ("OWN", "自有车辆", ""),
]
# Carriers whose integration posts tracking events: a key is made for them (and not kept; an
# administrator makes a new one to connect a real integration, docs/shipping.md).
INTEGRATED = ("SF", "JD")
KEEPER = "warehouse"


@dataclass
class Story:
    """The notes of one order of the sales demo and what happens to them, step by step."""

    order: tuple[str, ...]  # the SKUs of the order's lines (the sales demo's plan), to find it
    notes: list[list[tuple]] = field(default_factory=list)  # per note: (days ago, "HH:MM", action, data)


def _event(kind: str, location: str, description: str = "", **extra) -> dict:
    return {"kind": kind, "location": location, "description": description, **extra}


STORIES = [
    Story(("NB-LEN-004", "SUP-DELI-004"), [
        [(6, "09:10", "create", {"lines": {"NB-LEN-004": 15, "SUP-DELI-004": 30},
                                 "notes": "第一批 15 台，打印纸随第一批全部送出。"}),
         (6, "09:40", "pick", {}),
         (6, "11:20", "pack", {"carrier": "SF", "parcel_count": 4, "weight_kg": "36.8", "service": "顺丰标快",
                               "tracking_numbers": ["SF1402771940213", "SF1402771940227"], "freight_charge": "160"}),
         (6, "15:30", "ship", {}),
         (6, "16:45", "carrier", _event("in_transit", "上海市嘉定区", "顺丰速运 已收取快件")),
         (6, "21:10", "carrier", _event("in_transit", "上海转运中心",
                                        "快件到达【上海转运中心】，发往【杭州转运中心】")),
         (5, "03:40", "carrier", _event("in_transit", "杭州转运中心", "快件到达【杭州转运中心】")),
         (5, "08:15", "carrier", _event("out_for_delivery", "杭州市西湖区", "快递员 刘师傅（138****5620）正在派件")),
         (5, "10:32", "carrier", _event("delivered", "杭州市西湖区", "已签收，感谢使用顺丰", signed_by="")),
         ],
        [(1, "16:20", "create", {"lines": {"NB-LEN-004": 10}, "notes": "第二批 10 台，客户确认收货时间后拣货。"})],
    ]),
    Story(("SUP-DELI-003", "SUP-MG-001", "SUP-DELI-012"), [
        [(4, "08:30", "create", {"lines": {"SUP-DELI-003": 20, "SUP-MG-001": 30, "SUP-DELI-012": 20},
                                 "notes": "第一批，本公司车辆送货上门。"}),
         (4, "09:00", "pick", {}),
         (4, "10:10", "pack", {"carrier": "OWN", "parcel_count": 6, "weight_kg": "95", "service": "同城送货"}),
         (4, "13:00", "ship", {}),
         (4, "13:05", "event", _event("out_for_delivery", "上海仓", "司机 王建军（沪A·D5821）出车送货")),
         (4, "15:20", "event", _event("delivered", "客户收货处", "客户验收无误，签字回单已带回", signed_by="")),
         ],
        [(2, "09:20", "create", {"lines": {"SUP-DELI-012": 20}, "notes": "第二批；剩余 10 盒客户要求下月再送。"}),
         (2, "10:00", "pick", {}),
         (2, "10:40", "pack", {"carrier": "ZTO", "parcel_count": 2, "weight_kg": "24.6", "service": "标准快递",
                               "tracking_numbers": ["78311402561202"], "freight_charge": "30"}),
         (2, "14:10", "ship", {}),
         (2, "17:30", "event", _event("in_transit", "上海市嘉定区", "中通快递 已揽收")),
         (1, "06:45", "event", _event("in_transit", "上海转运中心", "快件到达【上海转运中心】")),
         ],
    ]),
    Story(("NB-HP-004", "NB-HP-005"), [
        [(3, "10:00", "create", {"lines": {"NB-HP-004": 4}, "notes": "NB-HP-005 两台客户要求与下批货一起发。"}),
         (3, "10:20", "pick", {}),
         (3, "11:30", "pack", {"carrier": "JD", "parcel_count": 1, "weight_kg": "12.4", "service": "特快送",
                               "tracking_numbers": ["JDVA02871163405"], "freight_charge": "45"}),
         (3, "15:40", "ship", {}),
         (3, "16:25", "carrier", _event("in_transit", "深圳市宝安区", "京东物流 已揽收")),
         (3, "22:50", "carrier", _event("in_transit", "深圳转运中心",
                                        "快件已从【深圳转运中心】发出，下一站【武汉转运中心】")),
         (1, "05:30", "carrier", _event("in_transit", "武汉转运中心", "快件到达【武汉转运中心】")),
         ],
    ]),
    Story(("MON-DELL-001", "NB-DELL-001"), [
        [(5, "09:30", "create", {"lines": {"MON-DELL-001": 8}, "notes": "显示器先发，笔记本待客户确认配置。"}),
         (5, "10:15", "pick", {}),
         (5, "11:50", "pack", {"carrier": "DBL", "parcel_count": 8, "weight_kg": "58.4", "service": "精准卡航",
                               "tracking_numbers": ["DPK360118842251"], "freight_charge": "260"}),
         (5, "16:00", "ship", {}),
         (5, "17:20", "event", _event("in_transit", "深圳市宝安区", "德邦快递 已揽收")),
         (5, "23:40", "event", _event("in_transit", "深圳转运中心", "快件到达【深圳转运中心】")),
         (4, "07:10", "event", _event("in_transit", "广州转运中心", "快件到达【广州转运中心】")),
         (4, "09:30", "event", _event("out_for_delivery", "广州市天河区", "派送中")),
         (4, "11:05", "event", _event("exception", "广州市天河区",
                                      "外箱破损，2 台显示器屏幕碎裂，收货人拒收；已拍照留证",
                                      exception_reason="damaged")),
         (4, "14:30", "event", _event("note", "", "已向德邦发起理赔，与客户商定补发 2 台")),
         ],
    ]),
    Story(("PC-LEN-002", "PC-LEN-003", "MON-DELL-002"), [
        [(1, "14:00", "create", {"notes": "有货先发；PC-LEN-002 其余 4 台和 PC-LEN-003 到货后另发。"}),
         (1, "14:20", "pick", {}),
         (1, "15:30", "pack", {"carrier": "SF", "parcel_count": 3, "weight_kg": "31.2", "service": "顺丰标快",
                               "tracking_numbers": ["SF1402779035518"], "freight_charge": "90"}),
         (1, "17:45", "ship", {}),
         ],
    ]),
    Story(("PRN-BRO-001", "SUP-BRO-001"), [
        [(1, "09:00", "create", {}),
         (1, "09:30", "pick", {}),
         (1, "11:10", "pack", {"carrier": "ZTO", "parcel_count": 3, "weight_kg": "27.9", "service": "标准快递",
                               "tracking_numbers": ["78311402570115", "78311402570129", "78311402570133"],
                               "freight_charge": "36"}),
         ],
    ]),
    Story(("PRN-EPS-003", "SUP-EPS-001"), [
        [(1, "15:10", "create", {}), (1, "15:30", "pick", {})],
    ]),
    Story(("SUP-DELI-004", "SUP-DELI-006"), [
        [(3, "09:00", "create", {}),
         (3, "09:25", "pick", {}),
         (3, "11:40", "cancel", {"reason": "客户改为到仓自提，自提时另开送货单。"}),
         ],
    ]),
]


@contextmanager
def _clock(moment: datetime.datetime) -> Iterator[None]:
    """Django's "now" (and so today, auto timestamps and the services' checks) is ``moment``."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real


def _moment(today: datetime.date, days_ago: int, hhmm: str) -> datetime.datetime:
    if days_ago < 1:
        raise ValueError("demo steps happen before today, so they are in the past whenever the demo loads")
    hour, minute = (int(part) for part in hhmm.split(":"))
    day = today - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _carriers(keeper) -> int:
    existing = set(Carrier.objects.values_list("code", flat=True))
    created = 0
    for code, name, url in CARRIERS:
        if code in existing:
            continue
        carrier = carriers.create_carrier(actor=keeper, data={"code": code, "name": name, "tracking_url": url})
        if code in INTEGRATED:
            carriers.new_api_key(actor=keeper, carrier_id=carrier.pk)
        created += 1
    return created


def _orders() -> dict[frozenset, SalesOrder]:
    """Confirmed, not yet shipped orders by the SKUs of their lines (the first of each)."""
    orders = (SalesOrder.objects.filter(kind=Kind.ORDER, status=OrderStatus.CONFIRMED,
                                        fulfilment_status=FulfilmentStatus.NOT_SHIPPED)
              .prefetch_related("lines__product").order_by("id"))
    found: dict[frozenset, SalesOrder] = {}
    for order in orders:
        found.setdefault(frozenset(line.product.sku for line in order.lines.all()), order)
    return found


class _Run:
    """Carries out the steps of the stories, each as the warehouse keeper at its moment."""

    def __init__(self, keeper) -> None:
        self.keeper = keeper
        self.carriers = {carrier.code: carrier for carrier in Carrier.objects.all()}
        self.notes: dict[tuple[int, int], int] = {}  # (story, note) → the note's id, once created
        self.sent: dict[int, int] = {}  # note id → events its carrier posted

    def step(self, key: tuple[int, int], order: SalesOrder, moment: datetime.datetime, action: str, data: dict) -> None:
        actor = self.keeper
        if action == "create":
            lines = [{"order_line_id": self._line(order, sku), "quantity": str(quantity)}
                     for sku, quantity in data.get("lines", {}).items()]
            self.notes[key] = services.create_note(actor=actor, data={
                "order_id": order.pk, "notes": data.get("notes", ""), **({"lines": lines} if lines else {})}).pk
            return
        note = DeliveryNote.objects.select_related("carrier", "order__contact").get(pk=self.notes[key])
        if action == "pick":
            services.start_picking(actor=actor, note_id=note.pk)
        elif action == "pack":
            packing = {name: value for name, value in data.items() if name != "carrier"}
            packing["carrier_id"] = self.carriers[data["carrier"]].pk
            services.pack(actor=actor, note_id=note.pk, data=packing)
        elif action == "ship":
            services.ship(actor=actor, note_id=note.pk, data=data)
        elif action == "cancel":
            services.cancel(actor=actor, note_id=note.pk, reason=data["reason"])
        elif action == "event":
            tracking.add_event(actor=actor, note_id=note.pk, data=self._event(note, moment, data))
        elif action == "carrier":
            carrier = self.carriers[note.carrier.code]
            number = note.tracking_numbers.order_by("id").values_list("number", flat=True).first()
            self.sent[note.pk] = self.sent.get(note.pk, 0) + 1
            tracking.add_carrier_event(carrier=carrier, data={
                **self._event(note, moment, data), "tracking_number": number,
                "event_id": f"{carrier.code}-{number}-{self.sent[note.pk]:02d}"})
        else:
            raise ValueError(action)

    @staticmethod
    def _line(order: SalesOrder, sku: str) -> int:
        return next(line.pk for line in order.lines.all() if line.product.sku == sku and not line.is_free)

    @staticmethod
    def _event(note: DeliveryNote, moment: datetime.datetime, data: dict) -> dict:
        event = {**data, "occurred_at": moment}
        if "signed_by" in event:  # whoever the order names as its contact signs for it
            contact = note.order.contact
            event["signed_by"] = contact.name if contact and contact.name else "前台代收"
        return event


@transaction.atomic
def load_demo() -> list[str]:
    """Carriers, then (once, when the sales demo's orders are there) the delivery notes; lines
    saying what was created."""
    keeper = get_user_model().objects.filter(username=KEEPER, is_active=True).first()
    if keeper is None:
        return []
    created = _carriers(keeper)
    lines = [f"{created} carriers"] if created else []
    if DeliveryNote.objects.exists():
        return lines
    orders = _orders()
    today = timezone.localdate()
    run = _Run(keeper)
    steps = []
    for story_index, story in enumerate(STORIES):
        order = orders.get(frozenset(story.order))
        if order is None:
            continue
        for note_index, note_steps in enumerate(story.notes):
            for days_ago, hhmm, action, data in note_steps:
                steps.append((_moment(today, days_ago, hhmm), len(steps), (story_index, note_index), order,
                              action, data))
    left_out = set()
    for moment, _position, key, order, action, data in sorted(steps, key=lambda step: step[:2]):
        if key[0] in left_out:
            continue
        try:
            with _clock(moment), transaction.atomic():
                run.step(key, order, moment, action, data)
        except DomainError:
            # The order is no longer as the sales demo made it (changed by hand before shipping
            # existed): its story stops here, the others go on.
            left_out.add(key[0])
    return lines + ([f"{len(run.notes)} delivery notes"] if run.notes else [])
