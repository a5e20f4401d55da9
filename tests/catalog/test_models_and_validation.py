"""Every product field, good and bad: the service names the field, translates the message and
changes nothing. The database refuses what slips past (negative prices, two primary pictures…)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from kaidan.catalog import models as catalog_models
from kaidan.catalog.models import Product, ProductImage, ProductSubstitute, Unit
from kaidan.catalog.validators import check_quantity, gtin_check_digit
from kaidan.core.errors import ValidationFailed
from kaidan.core.models import AuditEvent
from tests.catalog.factories import make_category, make_product

pytestmark = pytest.mark.django_db


def refused_fields(**fields) -> dict[str, list[str]]:
    """Create a product with these fields; return the field errors (the product must not exist)."""
    with pytest.raises(ValidationFailed) as err:
        make_product(**fields)
    assert not Product.objects.exists()
    assert not AuditEvent.objects.filter(object_type="catalog.product").exists()
    return err.value.fields


class TestBarcodes:
    @pytest.mark.parametrize("barcode, kind", [
        ("4006381333931", "EAN-13"),
        ("6901234567892", "EAN-13 with the Chinese prefix 690"),
        ("036000291452", "UPC-A"),
        ("96385074", "EAN-8"),
    ])
    def test_valid_codes_are_accepted(self, barcode, kind):
        assert make_product(barcode=barcode).barcode == barcode, kind

    def test_the_check_digit_of_known_codes(self):
        assert gtin_check_digit("400638133393") == "1"
        assert gtin_check_digit("03600029145") == "2"
        assert gtin_check_digit("9638507") == "4"

    @pytest.mark.parametrize("barcode, message", [
        ("4006381333932", "The check digit of the barcode is wrong."),
        ("036000291453", "The check digit of the barcode is wrong."),
        ("12345", "A barcode has 8 (EAN-8), 12 (UPC-A) or 13 (EAN-13) digits."),
        ("40063813339A1", "A barcode has digits only."),
        ("４００６３８１３３３９３１", "A barcode has digits only."),  # full-width digits
    ])
    def test_wrong_codes_are_refused_naming_the_field(self, barcode, message):
        with translation.override("en"):
            assert refused_fields(barcode=barcode) == {"barcode": [message]}

    def test_spaces_inside_a_barcode_are_dropped(self):
        assert make_product(barcode=" 4006 3813 3393 1 ").barcode == "4006381333931"

    def test_a_barcode_belongs_to_one_product_but_many_may_have_none(self):
        make_product(barcode="96385074")
        make_product(barcode="")
        make_product(barcode="")
        with pytest.raises(ValidationFailed) as err, translation.override("en"):
            make_product(barcode="96385074")
        assert err.value.fields == {"barcode": ["Another product already has this barcode."]}


class TestPricesAndMeasures:
    @pytest.mark.parametrize("field", ["list_price", "standard_cost", "weight_kg", "volume_m3"])
    def test_negative_values_are_refused(self, field):
        assert field in refused_fields(**{field: Decimal("-0.01")})

    @pytest.mark.parametrize("field, value", [
        ("list_price", "1.23456"), ("standard_cost", "0.00001"), ("weight_kg", "1.2345"), ("volume_m3", "0.0000001"),
    ])
    def test_too_many_decimals_are_refused(self, field, value):
        fields = refused_fields(**{field: Decimal(value)})
        assert list(fields) == [field]

    def test_too_many_digits_are_refused(self):
        assert "list_price" in refused_fields(list_price=Decimal("12345678901"))

    def test_unit_prices_keep_four_decimals(self):
        product = make_product(list_price=Decimal("0.0350"), standard_cost=Decimal("0.0125"))
        product.refresh_from_db()
        assert product.list_price == Decimal("0.0350") and product.standard_cost == Decimal("0.0125")

    def test_prices_are_tax_inclusive_by_default(self):
        assert make_product().price_includes_tax is True

    def test_weight_and_volume_may_be_unknown(self):
        product = make_product(weight_kg=None, volume_m3=None)
        assert product.weight_kg is None and product.volume_m3 is None


class TestVatRate:
    @pytest.mark.parametrize("rate", ["0.13", "0.09", "0.06", "0", "0.1300"])
    def test_the_chinese_rates_are_accepted(self, rate):
        assert make_product(vat_rate=Decimal(rate)).vat_rate == Decimal(rate)

    @pytest.mark.parametrize("rate", ["0.17", "0.03", "0.5"])
    def test_other_rates_are_refused_with_the_list_of_rates(self, rate):
        with translation.override("en"):
            assert refused_fields(vat_rate=Decimal(rate)) == {"vat_rate": ["Choose a VAT rate of 13%, 9%, 6% or 0%."]}


class TestTextFieldsAndReferences:
    def test_sku_and_name_are_required(self):
        assert {"sku", "name"} <= set(refused_fields(sku="", name=" "))

    @pytest.mark.parametrize("sku", ["has space", "-starts-with-dash", "笔记本", "a" * 65])
    def test_a_sku_is_letters_digits_and_a_few_signs(self, sku):
        assert "sku" in refused_fields(sku=sku)

    def test_a_sku_belongs_to_one_product(self):
        make_product(sku="NB-001")
        with pytest.raises(ValidationFailed) as err, translation.override("en"):
            make_product(sku="NB-001")
        assert err.value.fields == {"sku": ["Another product already has this SKU."]}

    def test_text_is_trimmed(self):
        product = make_product(sku="  NB-002 ", name=" 笔记本电脑 ", spec=" 16G ")
        assert (product.sku, product.name, product.spec) == ("NB-002", "笔记本电脑", "16G")

    def test_an_unknown_unit_or_category_names_its_field(self):
        fields = refused_fields(unit="lightyear", category_id=999999)
        assert set(fields) == {"unit", "category_id"}

    def test_all_bad_fields_are_reported_at_once(self):
        fields = refused_fields(sku="", barcode="123", list_price=Decimal("-1"), vat_rate=Decimal("0.2"), unit="x")
        assert {"sku", "barcode", "list_price", "vat_rate", "unit"} <= set(fields)

    def test_unknown_fields_are_refused(self):
        with translation.override("en"):
            assert refused_fields(colour="red") == {"colour": ["Unknown field."]}

    def test_messages_are_translated(self):
        with translation.override("zh-hans"):
            zh = refused_fields(name="")["name"]
        with translation.override("en"):
            en = refused_fields(name="")["name"]
        assert zh != en


class TestUnits:
    def test_the_default_units_exist(self):
        names = set(Unit.objects.values_list("name", flat=True))
        assert {"个", "台", "箱", "件", "套", "包", "kg", "米", "升"} <= names

    def test_kg_allows_fractions_and_machines_do_not(self):
        assert Unit.objects.get(code="kg").allow_fraction
        assert not Unit.objects.get(code="unit").allow_fraction

    @pytest.mark.parametrize("code, quantity, ok", [
        ("unit", "2", True), ("unit", "2.000", True), ("unit", "1.5", False),
        ("kg", "1.5", True), ("m", "0.25", True), ("box", "0.5", False),
    ])
    def test_fractional_quantities_only_in_units_that_allow_them(self, code, quantity, ok):
        unit = Unit.objects.get(code=code)
        if ok:
            check_quantity(unit=unit, quantity=Decimal(quantity))
        else:
            with pytest.raises(ValidationFailed) as err, translation.override("en"):
                check_quantity(unit=unit, quantity=Decimal(quantity), field="lines.0.quantity")
            assert err.value.fields == {"lines.0.quantity": [f"“{unit.name}” is counted in whole numbers."]}


class TestDatabaseGuards:
    """Constraints hold even for writes that bypass the services."""

    @pytest.mark.parametrize("change", [{"list_price": -1}, {"standard_cost": -1}, {"weight_kg": -1},
                                        {"volume_m3": -1}, {"vat_rate": 1}, {"vat_rate": -1}])
    def test_refuses_negative_amounts_and_rates_out_of_range(self, change):
        product = make_product()
        with pytest.raises(IntegrityError), transaction.atomic():
            Product.objects.filter(pk=product.pk).update(**change)

    def test_a_product_has_at_most_one_primary_picture(self):
        product = make_product()
        fields = {"file": "a.png", "thumbnail": "a-thumb.jpg", "content_type": "image/png", "width": 1, "height": 1,
                  "size_bytes": 1}
        ProductImage.objects.create(product=product, is_primary=True, **fields)
        ProductImage.objects.create(product=product, is_primary=False, **fields)
        with pytest.raises(IntegrityError), transaction.atomic():
            ProductImage.objects.create(product=product, is_primary=True, **fields)

    def test_a_product_is_not_its_own_substitute_nor_listed_twice(self):
        a, b = make_product(), make_product()
        with pytest.raises(IntegrityError), transaction.atomic():
            ProductSubstitute.objects.create(product=a, substitute=a, position=1)
        ProductSubstitute.objects.create(product=a, substitute=b, position=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            ProductSubstitute.objects.create(product=a, substitute=b, position=2)

    def test_a_category_in_use_cannot_be_deleted(self):
        from django.db.models import ProtectedError

        category = make_category()
        make_product(category_id=category.pk)
        with pytest.raises(ProtectedError):
            category.delete()


def test_every_catalog_model_has_a_one_line_docstring():
    for model in (catalog_models.Category, catalog_models.Unit, Product, ProductImage, ProductSubstitute):
        doc = model.__doc__ or ""
        assert doc and "\n" not in doc.strip() and not doc.startswith(model.__name__ + "("), model
