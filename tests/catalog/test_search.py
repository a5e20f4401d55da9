"""Finding products: one search box matches SKU, name, spec, model, brand, barcode and category,
in characters, full pinyin or initials; the category filter includes subcategories; the picker
puts an exact SKU or barcode first and offers only active products."""

from decimal import Decimal

import pytest

from kaidan.catalog import selectors, services
from tests.catalog.factories import add_picture, make_category, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(admin):
    """A laptop, a printer and a toner, in a small category tree."""
    computers = make_category(admin, code="computers", name="电脑整机")
    laptops = make_category(admin, code="laptops", name="笔记本电脑", parent=computers)
    printers = make_category(admin, code="printers", name="打印机")
    return {
        "laptop": make_product(admin, sku="NB-LEN-001", name="ThinkPad X1 Carbon", spec="i7-1365U/32G/1T",
                               model="X1C-G11", brand="联想", barcode="6901234567892", category_id=laptops.pk),
        "printer": make_product(admin, sku="PRN-HP-001", name="激光打印机", spec="A4 双面", model="M405dn",
                                brand="惠普", barcode="4006381333931", category_id=printers.pk),
        "toner": make_product(admin, sku="SUP-HP-001", name="原装硒鼓", spec="约3100页", model="CF226A",
                              brand="惠普"),
        "computers": computers, "laptops": laptops, "printers": printers,
    }


def found(q, **filters):
    return sorted(p.sku for p in selectors.products(q=q, **filters))


@pytest.mark.parametrize("q", ["bjbdn", "bijiben", "笔记本", "BiJiBen", "笔记本电脑", "bjb dn", "ｂｊｂ"])
def test_a_laptop_is_found_by_its_category_in_characters_pinyin_and_initials(shelf, q):
    assert found(q) == ["NB-LEN-001"]


@pytest.mark.parametrize("q, sku", [
    ("nb-len", "NB-LEN-001"), ("NB-LEN-001", "NB-LEN-001"),   # SKU, any case
    ("6901234567892", "NB-LEN-001"), ("400638", "PRN-HP-001"),  # barcode, whole or part
    ("1365u", "NB-LEN-001"), ("双面", "PRN-HP-001"),           # spec
    ("m405", "PRN-HP-001"), ("CF226A", "SUP-HP-001"),          # model
    ("jiguang", "PRN-HP-001"), ("jgdyj", "PRN-HP-001"),        # name in pinyin and initials
    ("lianxiang", "NB-LEN-001"), ("联想", "NB-LEN-001"),         # brand
])
def test_every_field_of_the_search_box_matches(shelf, q, sku):
    assert found(q) == [sku]


def test_every_word_must_match(shelf):
    assert found("惠普 硒鼓") == ["SUP-HP-001"]
    assert found("惠普") == ["PRN-HP-001", "SUP-HP-001"]
    assert found("惠普 笔记本") == []


def test_an_empty_or_blank_query_finds_everything(shelf):
    assert len(found("")) == len(found("   ")) == len(found(None)) == 3


def test_the_category_filter_includes_subcategories(shelf):
    assert found(None, category_id=shelf["computers"].pk) == ["NB-LEN-001"]
    assert found(None, category_id=shelf["printers"].pk) == ["PRN-HP-001"]


def test_brand_and_state_filters(shelf, admin):
    services.deactivate_product(actor=admin, product_id=shelf["toner"].pk)
    assert found(None, brand="惠普", active=True) == ["PRN-HP-001"]
    assert found(None, active=False) == ["SUP-HP-001"]


def test_an_edit_updates_what_the_search_finds(shelf, admin):
    laptop = shelf["laptop"]
    services.update_product(actor=admin, product_id=laptop.pk, version=1, data={"model": "T14-G4"})
    assert found("t14") == ["NB-LEN-001"] and found("x1c") == []


class TestPicker:
    def test_returns_a_small_dict_per_product(self, shelf):
        add_picture(shelf["laptop"])
        (row,) = selectors.picker("bjb")
        assert set(row) == {"id", "sku", "name", "spec", "model", "unit", "unit_name", "unit_allows_fraction",
                            "list_price", "price_includes_tax", "vat_rate", "thumbnail_url"}
        assert row["sku"] == "NB-LEN-001" and row["unit"] == "pcs" and row["unit_name"] == "个"
        assert row["list_price"] == Decimal("100.0000") and row["thumbnail_url"].endswith("/thumb/")

    def test_an_exact_sku_or_barcode_comes_first(self, admin):
        for sku in ("AB-10", "AB-1", "AB-100"):
            make_product(admin, sku=sku)
        assert [r["sku"] for r in selectors.picker("ab-1")][0] == "AB-1"
        make_product(admin, sku="ZZ-9", barcode="96385074")
        assert selectors.picker("96385074")[0]["sku"] == "ZZ-9"

    def test_offers_only_active_products(self, shelf, admin):
        services.deactivate_product(actor=admin, product_id=shelf["printer"].pk)
        assert [r["sku"] for r in selectors.picker("惠普")] == ["SUP-HP-001"]

    def test_is_limited(self, admin):
        for _ in range(25):
            make_product(admin, name="批量商品")
        assert len(selectors.picker("plsp")) == selectors.PICKER_LIMIT
        assert len(selectors.picker("plsp", limit=5)) == 5


@pytest.mark.postgres
def test_postgres_serves_the_search_from_a_trigram_index():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'catalog_product_search_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "gin_trgm_ops" in definition
