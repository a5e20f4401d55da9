"""The printable quotation / order confirmation: a real PDF, paginated with the table header on every
page and "第 N 页 / 共 M 页", carrying the stored totals, 大写金额, free lines and status watermarks.

Pages are rendered uncompressed (``compress=False``) so the drawn text can be found in the bytes:
Latin text (numbers, amounts) as written, CJK text as reportlab writes it (UTF-16BE, escaped)."""

import re
from decimal import Decimal as D

import pytest
from reportlab.lib.rl_accel import escapePDF

from kaidan.core import services as core_services
from kaidan.core.money import chinese_capitals
from kaidan.pricing.models import Promotion
from kaidan.sales import services, transitions
from kaidan.sales.pdf import page_label, render_document_pdf, wrap_text
from tests.catalog.factories import make_product

pytestmark = pytest.mark.django_db


def cjk(text: str) -> bytes:
    """How a string drawn in the CID font appears in an uncompressed page stream."""
    return b"(" + escapePDF(text.encode("utf_16_be")).encode("latin-1") + b")"


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", pdf))


def order_with(actor, customer, lines, **data):
    return services.create_document(actor=actor, data={"customer_id": customer.pk, **data}, lines=lines)


class TestRenderDocumentPdf:
    def test_a_one_line_order_is_a_one_page_pdf_with_its_number_and_totals(self, seller, customer, laptop):
        # given
        order = order_with(seller, customer, [{"product_id": laptop.pk, "quantity": "2"}], customer_po="PO-778")
        # when
        pdf = render_document_pdf(order, compress=False)
        # then
        assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
        assert page_count(pdf) == 1
        assert f"({order.number})".encode() in pdf
        assert b"(11,300.00)" in pdf  # the line amount and the stored gross, 2 × 5,650.00
        assert b"(1,300.00)" in pdf  # the stored VAT of 13 %
        assert cjk(page_label(1, 1)) in pdf
        assert cjk(f"大写金额 Amount in words: 人民币{chinese_capitals(order.gross_amount)}（￥11,300.00）") in pdf
        assert cjk("销售订单确认 Sales order confirmation") in pdf

    def test_compressed_output_is_a_pdf_of_the_same_pages(self, seller, customer, laptop):
        order = order_with(seller, customer, [{"product_id": laptop.pk, "quantity": "1"}])
        pdf = render_document_pdf(order)
        assert pdf.startswith(b"%PDF") and page_count(pdf) == 1
        assert b"/FlateDecode" in pdf and f"({order.number})".encode() not in pdf

    def test_a_200_line_order_paginates_with_the_header_and_page_numbers_on_every_page(self, seller, customer):
        # given: 200 lines, each one line of text high
        products = [make_product(name=f"办公用品 {n}", list_price=D("10.00")) for n in range(20)]
        lines = [{"product_id": products[n % 20].pk, "quantity": str(1 + n % 3)} for n in range(200)]
        order = order_with(seller, customer, lines)
        # when
        pdf = render_document_pdf(order, compress=False)
        # then
        pages = page_count(pdf)
        assert pages == 5
        for number in range(1, pages + 1):
            assert cjk(page_label(number, pages)) in pdf
        assert pdf.count(cjk("商品编码")) == pages  # the lines table's header row is repeated on each page
        assert pdf.count(f"({order.number})".encode()) == 2 * pages - 1  # every footer, the running header after page 1
        assert cjk("200") in pdf and f"({order.gross_amount:,.2f})".encode() in pdf

    def test_a_quotation_shows_its_validity_and_the_totals_by_vat_rate(self, seller, customer, laptop, cable):
        # given
        quotation = services.create_document(actor=seller, kind="quotation", data={
            "customer_id": customer.pk, "order_date": "2026-11-02"},
            lines=[{"product_id": laptop.pk, "quantity": "1"}, {"product_id": cable.pk, "quantity": "7"}])
        # when
        pdf = render_document_pdf(quotation, compress=False)
        # then
        assert cjk("报价单 Quotation") in pdf and cjk("2026-12-02") in pdf
        assert b"(9%)" in pdf and b"(13%)" in pdf  # one totals row per VAT rate
        assert b"(5,650.70)" in pdf

    def test_a_tax_exclusive_order_shows_net_amounts_and_says_so(self, seller, customer, laptop):
        order = order_with(seller, customer, [{"product_id": laptop.pk, "quantity": "1"}], prices_include_tax=False)
        pdf = render_document_pdf(order, compress=False)
        assert cjk("不含税价 VAT excluded") in pdf
        assert f"({order.net_amount:,.2f})".encode() in pdf and f"({order.gross_amount:,.2f})".encode() in pdf

    def test_free_lines_are_marked_as_gifts(self, seller, customer, mouse):
        # given
        promotion = Promotion.objects.create(code="B10G1", name="买10送1", kind="buy_x_get_y", buy_quantity=10,
                                             free_quantity=1)
        promotion.products.add(mouse)
        order = order_with(seller, customer, [{"product_id": mouse.pk, "quantity": "20"}])
        # when
        pdf = render_document_pdf(order, compress=False)
        # then
        assert cjk("【赠品 Free】无线鼠标") in pdf and cjk("促销 Promotion: 买10送1") in pdf

    def test_drafts_and_cancelled_documents_carry_a_watermark_and_confirmed_ones_none(self, seller, customer,
                                                                                        laptop):
        # given
        order = order_with(seller, customer, [{"product_id": laptop.pk, "quantity": "1"}])
        # then
        assert cjk("草稿 DRAFT") in render_document_pdf(order, compress=False)
        order = transitions.submit_order(actor=seller, order_id=order.pk)
        confirmed = render_document_pdf(order, compress=False)
        assert cjk("草稿 DRAFT") not in confirmed and cjk("已确认 Confirmed") in confirmed
        order = transitions.cancel_document(actor=seller, order_id=order.pk, reason="客户取消")
        cancelled = render_document_pdf(order, compress=False)
        assert cjk("已取消 CANCELLED") in cancelled and cjk("客户取消") in cancelled

    def test_the_company_header_comes_from_the_company_settings(self, seller, customer, laptop, make_user):
        # given
        from kaidan.core.roles import Role

        core_services.update_company_settings(actor=make_user(Role.ADMIN), version=0, data={
            "name": "上海开单贸易有限公司", "uscc": "91310115MA1K4A2B3A", "phone": "021-5080 1234",
            "bank_name": "招商银行", "bank_account": "1219 0876"})
        order = order_with(seller, customer, [{"product_id": laptop.pk, "quantity": "1"}])
        # when
        pdf = render_document_pdf(order, compress=False)
        # then
        assert cjk("上海开单贸易有限公司") in pdf
        assert cjk("我方盖章 For 上海开单贸易有限公司") in pdf


class TestWrapText:
    def test_breaks_between_words_and_cjk_characters_never_wider_than_the_column(self):
        from reportlab.pdfbase.pdfmetrics import stringWidth

        from kaidan.sales.pdf import CJK, _styles

        _styles()  # registers the font
        text = "ThinkPad X1 Carbon 笔记本电脑 i7-1365U/32G/1T SSD/14英寸 2.8K OLED X1 Carbon Gen 11"
        lines = wrap_text(text, 150, CJK, 8).split("\n")
        assert len(lines) > 1
        assert all(stringWidth(line, CJK, 8) <= 150 for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert lines[0].startswith("ThinkPad X1 Carbon")

    def test_a_word_wider_than_the_column_is_cut(self):
        from kaidan.sales.pdf import CJK, _styles

        _styles()
        lines = wrap_text("A" * 80, 60, CJK, 8).split("\n")
        assert len(lines) > 1 and "".join(lines) == "A" * 80
