"""The printable delivery note (送货单) and picking list (拣货单): real PDFs with the note's company,
customer, lines (goods, never money), parcels, carrier and tracking, signature boxes; the picking list
in shelf order with boxes to tick; both paginated with the table header and "第 N 页 / 共 M 页" on
every page, drafts and cancelled notes watermarked; and who may download them.

Pages are rendered uncompressed (``compress=False``) so the drawn text can be found in the bytes:
Latin text (codes, numbers) as written, CJK text as reportlab writes it (UTF-16BE, escaped)."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from reportlab.lib.rl_accel import escapePDF

from kaidan.core import services as core_services
from kaidan.core.pdf import page_label
from kaidan.core.roles import Role
from kaidan.shipping import services
from kaidan.shipping.pdf import render_delivery_note_pdf, render_picking_list_pdf, shelf_key
from tests.catalog.factories import make_product
from tests.inventory.factories import in_stock
from tests.parties.factories import make_customer
from tests.shipping.factories import confirmed_order, make_note, packed, shipped

pytestmark = pytest.mark.django_db


def cjk(text: str) -> bytes:
    """How a string drawn in the CID font appears in an uncompressed page stream."""
    return b"(" + escapePDF(text.encode("utf_16_be")).encode("latin-1") + b")"


def latin(text: str) -> bytes:
    """How a string drawn in Helvetica appears in an uncompressed page stream."""
    return b"(" + escapePDF(text.encode("latin-1")).encode("latin-1") + b")"


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", pdf))


def page_streams(pdf: bytes, number: str) -> list[bytes]:
    """The content of each page, in order (every page's footer carries the note's number)."""
    return [stream for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S) if latin(number) in stream]


@pytest.fixture
def company(admin):
    return core_services.update_company_settings(actor=admin, version=0, data={
        "name": "上海开单贸易有限公司", "uscc": "91310115MA1K4A2B3A", "phone": "021-5080 1234",
        "address": "上海市浦东新区张江路 88 号"})


@pytest.fixture
def order(seller, customer, laptop, mouse):
    return confirmed_order(seller, customer, [(laptop, 5), (mouse, 10)], customer_po="PO-2026-778")


class TestDeliveryNotePdf:
    def test_a_shipped_note_shows_company_customer_goods_parcels_and_tracking(self, company, keeper, order, sf,
                                                                              customer):
        # given
        note = shipped(keeper, make_note(keeper, order), carrier_id=sf.pk, parcel_count=2, weight_kg="12.5",
                       service="标快", tracking_numbers=["SF1234567890", "SF1234567891"])
        # when
        pdf = render_delivery_note_pdf(note, compress=False)
        # then
        assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
        assert page_count(pdf) == 1 and cjk(page_label(1, 1)) in pdf
        assert cjk("上海开单贸易有限公司") in pdf and cjk("送货单 Delivery note") in pdf
        assert latin(note.number) in pdf and cjk(note.number) in pdf
        assert cjk(order.number) in pdf and cjk("PO-2026-778") in pdf
        assert cjk(f"深圳恒达电子有限公司（{customer.code}）") in pdf and cjk("客户 Customer") in pdf
        assert cjk(note.shipping_address_text) in pdf and "张江路" in note.shipping_address_text
        assert cjk("发货日期 Ship date") in pdf and cjk(note.ship_date.isoformat()) in pdf
        assert cjk("笔记本电脑 14英寸 16G/512G ThinkPad E14") in pdf and cjk("无线鼠标") in pdf
        assert b"(5)" in pdf and b"(10)" in pdf and b"(15)" in pdf  # the lines and their total
        assert cjk("顺丰速运（SF）") in pdf and cjk("标快") in pdf and cjk("12.5 kg") in pdf
        assert cjk("SF1234567890, SF1234567891") in pdf
        for box in ("发货人 Shipped by", "承运人 Carrier", "收货人签收 Received by"):
            assert cjk(box) in pdf
        assert cjk("已发货 Shipped") in pdf and cjk("草稿 DRAFT") not in pdf

    def test_shows_goods_and_never_money(self, keeper, order):
        note = shipped(keeper, make_note(keeper, order), freight_charge="35.00")
        pdf = render_delivery_note_pdf(note, compress=False)
        assert b"5,650" not in pdf and b"5650" not in pdf and b"35.00" not in pdf
        assert cjk("单价\nUnit price") not in pdf and "金额".encode("utf_16_be") not in pdf

    def test_a_draft_is_watermarked_a_packed_note_is_not_and_a_cancelled_one_says_why(self, keeper, order):
        # given
        note = make_note(keeper, order)
        # then
        draft = render_delivery_note_pdf(note, compress=False)
        assert cjk("草稿 DRAFT") in draft and cjk("制单日期 Date") in draft
        assert cjk("草稿 DRAFT") not in render_delivery_note_pdf(packed(keeper, note), compress=False)
        note = services.cancel(actor=keeper, note_id=note.pk, reason="客户改期")
        cancelled = render_delivery_note_pdf(note, compress=False)
        assert cjk("已取消 CANCELLED") in cancelled and cjk("客户改期") in cancelled

    def test_markup_typed_by_users_is_printed_as_text(self, seller, keeper, customer, laptop):
        # given: reportlab reads Paragraph text as markup; user text must come out as typed
        order = confirmed_order(seller, customer, [{"product_id": laptop.pk, "quantity": "1",
                                                    "description": "<b>特价</b> & 样机"}],
                                customer_po="<i>PO&1")
        note = make_note(keeper, order, notes="请走货梯 <b>& 周末不收货 <br/>")
        # when
        delivery = render_delivery_note_pdf(note, compress=False)
        picking = render_picking_list_pdf(note, compress=False)
        # then
        for pdf in (delivery, picking):
            assert cjk("<b>特价</b> & 样机") in pdf
            assert cjk("请走货梯 <b>& 周末不收货 <br/>") in pdf
        assert cjk("<i>PO&1") in delivery

    def test_spec_and_model_are_printed_when_the_description_leaves_them_out(self, seller, keeper, customer,
                                                                              laptop):
        order = confirmed_order(seller, customer, [{"product_id": laptop.pk, "quantity": "1",
                                                    "description": "笔记本电脑（含包）"}])
        pdf = render_delivery_note_pdf(make_note(keeper, order), compress=False)
        assert cjk("笔记本电脑（含包）") in pdf and cjk("14英寸 16G/512G / ThinkPad E14") in pdf

    def test_characters_outside_the_font_do_not_break_the_document(self, keeper, order):
        note = make_note(keeper, order, notes="收货请联系 😀 Ünïcødé ‮ \x07")
        assert render_delivery_note_pdf(note).startswith(b"%PDF")
        assert render_picking_list_pdf(note).startswith(b"%PDF")


class TestPickingListPdf:
    def test_lines_in_shelf_order_with_quantities_boxes_totals_and_the_picker_signature(self, seller, keeper,
                                                                                        customer, warehouse):
        # given: ordered in another order than the shelves
        products = {sku: in_stock(make_product(sku=sku, name=f"货架商品 {sku}", unit="kg"), warehouse, 50)
                    for sku in ("B-10", "A-1", "b-2")}
        order = confirmed_order(seller, customer, [(products["B-10"], 3), (products["A-1"], 1),
                                                   (products["b-2"], "2.5")], requested_date="2026-12-20")
        note = make_note(keeper, order, notes="先拣大件")
        # when
        pdf = render_picking_list_pdf(note, compress=False)
        # then
        assert pdf.startswith(b"%PDF") and page_count(pdf) == 1
        assert cjk("拣货单 Picking list") in pdf and latin(note.number) in pdf and cjk(order.number) in pdf
        assert cjk("测试总仓（WH-TEST）") in pdf and cjk(f"深圳恒达电子有限公司（{customer.code}）") in pdf
        assert cjk("2026-12-20") in pdf and cjk("先拣大件") in pdf
        positions = [pdf.index(latin(sku)) for sku in ("A-1", "b-2", "B-10")]
        assert positions == sorted(positions)  # A-1, b-2, B-10: digits compared as numbers, case ignored
        assert pdf.count(cjk("□")) == 3
        assert cjk("合计 Total: 3 行 lines") in pdf and b"(6.5)" in pdf
        assert cjk("拣货人 Picked by") in pdf and cjk("草稿 DRAFT") not in pdf  # a draft is what gets picked

    def test_a_cancelled_notes_list_is_watermarked(self, keeper, order):
        note = services.cancel(actor=keeper, note_id=make_note(keeper, order).pk, reason="重复")
        assert cjk("已取消 CANCELLED") in render_picking_list_pdf(note, compress=False)


class TestLongNotes:
    def test_a_1000_line_note_paginates_with_header_and_page_numbers_and_renders_fast(self, seller, keeper,
                                                                                      customer, warehouse):
        # given: 1,000 lines of 25 products with long names
        products = [in_stock(make_product(name=f"A4 复印纸 80g 500张/包 办公用品第 {n} 号，长名称用于换行",
                                          spec="80g", model=f"M-{n}"), warehouse, 100000) for n in range(25)]
        order = confirmed_order(seller, customer, [(products[n % 25], 1 + n // 25) for n in range(1000)])
        note = make_note(keeper, order)
        assert note.line_count == 1000
        for render, header in ((render_delivery_note_pdf, "实收数量"), (render_picking_list_pdf, "实拣数量")):
            # when
            started = time.process_time()
            pdf = render(note, compress=False)
            elapsed = time.process_time() - started
            # then
            pages = page_count(pdf)
            assert pages > 20
            streams = page_streams(pdf, note.number)
            assert len(streams) == pages
            for number, stream in enumerate(streams, start=1):
                assert cjk(page_label(number, pages)) in stream
            # the table header repeats on every page the lines run over, down to the total
            last = next(index for index, stream in enumerate(streams) if cjk("合计 Total: 1000 行 lines") in stream)
            assert [cjk(header) in stream for stream in streams] == [index <= last for index in range(pages)]
            assert pdf.count(latin(note.number)) == 2 * pages - 1  # every footer, the running header after page 1
            assert cjk("合计 Total: 1000 行 lines") in pdf and b"(20,500)" in pdf
            assert elapsed < 2.0, f"{render.__name__} took {elapsed:.2f}s of CPU"
        assert render_delivery_note_pdf(note).startswith(b"%PDF")  # and compressed


class TestShelfKey:
    def test_orders_skus_as_the_shelves_are_labelled(self):
        skus = ["B-10", "a-2", "A-1", "B-9", "B-9.5", "10", "9", "C"]
        assert sorted(skus, key=shelf_key) == ["9", "10", "A-1", "a-2", "B-9", "B-9.5", "B-10", "C"]


class TestPdfViews:
    @pytest.mark.parametrize("name, suffix", [("delivery_note_pdf", ""), ("picking_list_pdf", "-picking")])
    @pytest.mark.parametrize("role", list(Role))
    def test_every_role_downloads_the_pdf_of_a_note_it_sees(self, role, name, suffix, keeper, order, seller,
                                                          client_for):
        # given: the salesperson is the customer's own; everyone else sees every note
        note = make_note(keeper, order)
        if role == Role.SALES:
            client = Client()
            client.force_login(seller)
        else:
            client = client_for(role)
        # when
        response = client.get(reverse(name, args=[note.pk]))
        # then
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'inline; filename="{note.number}{suffix}.pdf"'
        assert response.content.startswith(b"%PDF")

    @pytest.mark.parametrize("name", ["delivery_note_pdf", "picking_list_pdf"])
    def test_another_salespersons_note_is_not_found(self, name, keeper, order, client_for):
        note = make_note(keeper, order)
        assert client_for(Role.SALES).get(reverse(name, args=[note.pk])).status_code == 404

    def test_a_salesperson_sees_the_notes_of_their_own_customers_only(self, keeper, make_user, warehouse,
                                                                       laptop):
        # given: two salespeople, each with a customer and a note
        first, second = make_user(Role.SALES), make_user(Role.SALES)
        notes = {}
        for seller in (first, second):
            customer = make_customer(seller, name=f"客户 {seller.username}")
            notes[seller] = make_note(keeper, confirmed_order(seller, customer, [(laptop, 1)]))
        client = Client()
        client.force_login(first)
        # then
        assert client.get(reverse("delivery_note_pdf", args=[notes[first].pk])).status_code == 200
        assert client.get(reverse("delivery_note_pdf", args=[notes[second].pk])).status_code == 404

    def test_unknown_notes_anonymous_users_and_posts_are_refused(self, keeper, order, client_for):
        note = make_note(keeper, order)
        url = reverse("delivery_note_pdf", args=[note.pk])
        assert Client().get(url).status_code == 302  # to the sign-in page
        client = client_for(Role.WAREHOUSE)
        assert client.get(reverse("delivery_note_pdf", args=[note.pk + 1000])).status_code == 404
        assert client.post(url).status_code == 405
