"""Products in and out of Excel: the template's columns, a row's checks, and the writes — through
create_product / update_product, so validation, audit history and the search column are the UI's.

Rows are keyed by SKU: an SKU that exists updates that product, a new one creates it. Categories are
given by code, units by code or name (个, 台...). Blank cells clear text, the category, weight and
volume, and keep the unit, prices, VAT rate and flags of an existing product (a new product gets the
defaults: price 0, tax-inclusive, the company's VAT rate, active).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaidan.catalog import selectors, services
from kaidan.catalog.forms import ProductFilterForm
from kaidan.catalog.models import VAT_RATE_CHOICES, Category, Product, Unit
from kaidan.core.errors import ValidationFailed
from kaidan.core.pagination import apply_sort
from kaidan.core.roles import Capability
from kaidan.transfer.cells import boolean, decimal, percent, text, yes_no
from kaidan.transfer.importing import (
    CREATE,
    UNCHANGED,
    UPDATE,
    CodeLookup,
    Column,
    Importer,
    Record,
    RowCheck,
    RowPlan,
    in_chunks,
    shown,
)

RATES = [value for value, _label in VAT_RATE_CHOICES]
TEXT_FIELDS = ["name", "spec", "model", "brand", "barcode", "description"]
# column → (decimal places, max digits, cleared when blank)
NUMBERS = {"list_price": (4, 14, False), "standard_cost": (4, 14, False), "weight_kg": (3, 12, True),
           "volume_m3": (6, 12, True)}


@dataclass
class Context:
    actor: Any
    existing: dict[str, Product]
    barcode_owner: dict[str, str]
    units: CodeLookup
    categories: CodeLookup
    default_vat_rate: Decimal
    seen_skus: dict[str, int] = field(default_factory=dict)
    seen_barcodes: dict[str, int] = field(default_factory=dict)


def _barcode(value: Any) -> str:
    return text(value).replace(" ", "")


class ProductImporter(Importer):
    kind = "products"
    title = gettext_lazy("Products")
    capability = Capability.IMPORT_PRODUCTS
    key = "sku"
    columns = [
        Column("sku", "商品编码", "SKU", gettext_lazy(
            "Required. Letters, digits and . _ / - (at most 64). An SKU that exists updates that product; a new "
            "one creates it. Row 2 of the template is an example and is skipped."), "EXAMPLE-001", 16,
            aliases=("sku", "编码", "货号")),
        Column("name", "名称", "Name", gettext_lazy("Required for a new product; at most 200 characters."),
               "示例笔记本电脑", 28, aliases=("商品名称", "product name")),
        Column("spec", "规格", "Spec", gettext_lazy("Optional, e.g. 14英寸 16G/512G."), "14英寸 16G/512G", 18,
               aliases=("specification",)),
        Column("model", "型号", "Model", gettext_lazy("Optional."), "X14-2024", 12),
        Column("brand", "品牌", "Brand", gettext_lazy("Optional."), "示例", 12),
        Column("category", "商品分类", "Category", gettext_lazy("The code of a category; see the Codes sheet. "
                                                          "Empty: no category."), "", 14),
        Column("unit", "单位", "Unit", gettext_lazy("Required for a new product: the code or name of a unit (pcs "
                                                  "or 个, kg...); see the Codes sheet."), "pcs", 8),
        Column("barcode", "条形码", "Barcode", gettext_lazy(
            "Optional EAN-13, UPC-A or EAN-8 with its check digit; unique. Type it as text so Excel keeps "
            "every digit."), "6901234567892", 16),
        Column("list_price", "标价", "List price", gettext_lazy(
            "At most 4 decimals, 0 or more. Empty: 0 for a new product, unchanged otherwise."),
            Decimal("5999.0000"), 12, "#,##0.00##"),
        Column("price_includes_tax", "含税", "Price includes VAT", gettext_lazy(
            "是 (yes) or 否 (no). Empty: 是 for a new product, unchanged otherwise."), "是", 8),
        Column("standard_cost", "标准成本", "Standard cost", gettext_lazy(
            "At most 4 decimals, 0 or more. Empty: 0 for a new product, unchanged otherwise."),
            Decimal("4800.0000"), 12, "#,##0.00##"),
        Column("vat_rate", "税率", "VAT rate", gettext_lazy(
            "13%, 9%, 6% or 0%. Empty: the company's default for a new product, unchanged otherwise."),
            Decimal("0.13"), 8, "0%"),
        Column("weight_kg", "重量(kg)", "Weight (kg)", gettext_lazy("At most 3 decimals. Empty: unknown."),
               Decimal("1.350"), 10, "0.###"),
        Column("volume_m3", "体积(m³)", "Volume (m³)", gettext_lazy("At most 6 decimals. Empty: unknown."), "", 10,
               "0.######"),
        Column("active", "启用", "Active", gettext_lazy(
            "是 (yes) or 否 (no; it can no longer be ordered). Empty: 是 for a new product, unchanged otherwise."),
            "是", 8),
        Column("description", "描述", "Description", gettext_lazy("Optional, at most 4000 characters."), "", 30),
    ]
    field_columns = {"category_id": "category", "category": "category", "unit": "unit"}

    def prepare(self, *, actor, records: list[Record]) -> Context:
        skus = {text(r.values.get("sku")) for r in records} - {""}
        barcodes = {_barcode(r.values.get("barcode")) for r in records if "barcode" in r.values} - {""}
        existing: dict[str, Product] = {}
        barcode_owner: dict[str, str] = {}
        for chunk in in_chunks(sorted(skus)):
            rows = Product.objects.select_related("category", "unit").filter(sku__in=chunk)
            existing.update({p.sku: p for p in rows})
        for chunk in in_chunks(sorted(barcodes)):
            barcode_owner.update(Product.objects.filter(barcode__in=chunk).values_list("barcode", "sku"))
        categories = CodeLookup(Category.objects.filter(active=True))
        return Context(actor=actor, existing=existing, barcode_owner=barcode_owner,
                       units=CodeLookup(Unit.objects.all()), categories=categories,
                       default_vat_rate=services.default_vat_rate())

    def check(self, context: Context, record: Record) -> RowPlan:
        check = RowCheck(self, record)
        sku = check.parse("sku")
        plan = RowPlan(row=record.row, key=sku or "")
        if not sku:
            check.problem("sku", _("Enter the product's SKU."))
            plan.problems = check.sorted_problems()
            return plan
        self.check_unique_in_file(check, "sku", sku, context.seen_skus, fold=str)
        existing = context.existing.get(sku)
        data = self._data(check, context, existing)
        after = copy.copy(existing) if existing else Product(vat_rate=context.default_vat_rate)
        unit, category = data.pop("_unit", None), data.pop("_category", False)
        for name, value in data.items():
            if name not in ("unit", "category_id"):
                setattr(after, name, value)
        if unit is not None:
            after.unit = unit
        if category is not False:
            after.category = category
        if not after.name:
            check.problem("name", _("Enter the product's name."))
        if not after.unit_id and not any(p.field == "unit" for p in check.problems):
            check.problem("unit", _("Enter the unit of a new product."))
        self.model_problems(check, after, exclude=services.PRODUCT_CLEAN_EXCLUDE)
        self.check_unique_in_file(check, "barcode", after.barcode, context.seen_barcodes, fold=str)
        if after.barcode and context.barcode_owner.get(after.barcode, sku) != sku:
            check.problem("barcode", _("Another product already has this barcode."))
        if existing is None:
            plan.action = CREATE
        else:
            same = services.product_snapshot(existing) == services.product_snapshot(after)
            plan.action = UNCHANGED if same else UPDATE
        plan.target, plan.data, plan.problems = existing, data, check.sorted_problems()
        return plan

    def _data(self, check: RowCheck, context: Context, existing: Product | None) -> dict[str, Any]:
        """The service data of the columns present (and the unit/category objects, for the checks)."""
        data: dict[str, Any] = {"sku": check.parse("sku")}
        for name in TEXT_FIELDS:
            if check.has(name):
                data[name] = check.parse(name, _barcode if name == "barcode" else text) or ""
        unit_text = check.parse("unit")
        if unit_text:
            unit = context.units.find(unit_text)
            if unit is None:
                check.problem("unit", _("“%(value)s” is not a unit here; see the Codes sheet of the template.")
                              % {"value": shown(unit_text)})
            else:
                data["unit"], data["_unit"] = unit.code, unit
        category_text = check.parse("category")
        if category_text:
            category = context.categories.find(category_text)
            if category is None:
                check.problem("category", _("“%(value)s” is not an active category code; see the Codes sheet of "
                                            "the template.") % {"value": shown(category_text)})
            data["category_id"], data["_category"] = (category.pk, category) if category else (None, None)
        elif check.has("category"):
            data["category_id"], data["_category"] = None, None
        for name, (places, digits, clear) in NUMBERS.items():
            value = check.parse(name, lambda v, p=places, d=digits: decimal(v, places=p, max_digits=d))
            if value is not None or (clear and check.has(name) and not any(p.field == name for p in check.problems)):
                data[name] = value
        rate = check.parse("vat_rate", lambda v: percent(v, allowed=RATES))
        if rate is not None:
            data["vat_rate"] = rate
        elif existing is None:
            data["vat_rate"] = context.default_vat_rate
        for name in ("price_includes_tax", "active"):
            flag = check.parse(name, boolean)
            if flag is not None:
                data[name] = flag
        return data

    def apply(self, context: Context, plan: RowPlan) -> str:
        if plan.target is None:
            services.create_product(actor=context.actor, data=plan.data)
            return CREATE
        saved = services.update_product(actor=context.actor, product_id=plan.target.pk,
                                        version=plan.target.version, data=plan.data)
        return UPDATE if saved.version != plan.target.version else UNCHANGED

    def export_rows(self, user, params):
        filters = ProductFilterForm(params)
        products = selectors.products(**filters.wanted())
        try:
            products = apply_sort(products, params.get("sort") or None, allowed=selectors.PRODUCT_SORTS,
                                  default=["sku"])
        except ValidationFailed:
            products = apply_sort(products, None, allowed=selectors.PRODUCT_SORTS, default=["sku"])
        for p in products.iterator(chunk_size=2000):
            yield [p.sku, p.name, p.spec, p.model, p.brand, p.category.code if p.category_id else "", p.unit.code,
                   p.barcode, p.list_price, yes_no(p.price_includes_tax), p.standard_cost, p.vat_rate, p.weight_kg,
                   p.volume_m3, yes_no(p.active), p.description]

    def reference_sheets(self) -> dict[str, list[list[Any]]]:
        lines: list[list[Any]] = [["单位 Unit", ""]]
        lines += [[u.code, u.name] for u in selectors.units()]
        lines += [["", ""], ["商品分类 Category", ""]]
        lines += [[node.category.code, node.path] for node in selectors.category_tree() if node.category.active]
        return {"代码 Codes": lines}


PRODUCTS = ProductImporter()
