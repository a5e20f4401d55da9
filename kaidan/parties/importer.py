"""Customers in and out of Excel: the template's columns, a row's checks, and the writes — through
create_customer / update_customer, so validation, audit history and the search column are the UI's.

Rows are keyed by the customer code: a code that exists updates that customer, a new code creates
one. The record rule holds: a salesperson updates only customers they own (anyone else's code is
"not found") and the customers they create are theirs. Blank cells clear text, group and payment
terms, and keep the type, salesperson, credit limit and currency of an existing customer.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaidan.core import audit
from kaidan.core.roles import Capability, has_capability
from kaidan.parties import selectors, services
from kaidan.parties.forms import CustomerFilterForm
from kaidan.parties.models import Customer, CustomerGroup, PaymentTerm
from kaidan.transfer.cells import CellError, decimal, text
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

KIND_WORDS = {"company": Customer.Kind.COMPANY, "公司": Customer.Kind.COMPANY, "企业": Customer.Kind.COMPANY,
              "individual": Customer.Kind.INDIVIDUAL, "个人": Customer.Kind.INDIVIDUAL,
              "person": Customer.Kind.INDIVIDUAL}
KIND_LABELS = {Customer.Kind.COMPANY: "公司", Customer.Kind.INDIVIDUAL: "个人"}
TEXT_FIELDS = ["name", "short_name", "invoice_title", "tax_address", "tax_phone", "bank_name", "bank_account",
               "notes"]
COMPARED = services.SNAPSHOT_FIELDS


def _kind(value: Any) -> str | None:
    word = text(value).lower()
    if not word:
        return None
    if word in KIND_WORDS:
        return KIND_WORDS[word]
    raise CellError(_("Enter 公司 (company) or 个人 (individual)."))


def _upper(value: Any) -> str:
    return text(value).upper()


@dataclass
class Context:
    actor: Any
    visible: dict[str, Customer]
    taken_codes: set[str]
    uscc_owner: dict[str, str]
    groups: CodeLookup
    terms: CodeLookup
    users: dict[str, Any]
    can_add: bool
    can_change: bool
    can_set_credit: bool
    can_assign: bool
    seen_codes: dict[str, int] = field(default_factory=dict)
    seen_usccs: dict[str, int] = field(default_factory=dict)


class CustomerImporter(Importer):
    kind = "customers"
    title = gettext_lazy("Customers")
    capability = Capability.IMPORT_CUSTOMERS
    key = "code"
    columns = [
        Column("code", "编码", "Code", gettext_lazy(
            "Required. The customer's unique code, at most 30 characters. A code that exists updates that "
            "customer; a new code creates one. Row 2 of the template is an example and is skipped."),
            "EXAMPLE-001", 14, aliases=("客户编码", "customer code")),
        Column("name", "名称", "Name", gettext_lazy("Required for a new customer. Full registered name."),
               "上海示例贸易有限公司", 30, aliases=("客户名称", "customer name")),
        Column("short_name", "简称", "Short name", gettext_lazy("Optional, at most 60 characters."), "示例贸易", 14),
        Column("kind", "类型", "Type", gettext_lazy("公司 (company) or 个人 (individual). Empty: company for a "
                                                  "new customer, unchanged otherwise."), "公司", 10),
        Column("uscc", "统一社会信用代码", "Credit code", gettext_lazy(
            "统一社会信用代码: 18 characters with a correct check character; unique among customers."),
            "91310000MA1FL0000X", 22, aliases=("统一社会信用代码", "uscc", "税号")),
        Column("group", "客户分组", "Group", gettext_lazy("The code (or name) of a customer group; see the Codes "
                                                      "sheet. Empty: no group."), "", 12),
        Column("owner", "业务员", "Salesperson", gettext_lazy(
            "The salesperson's user name. Empty: you for a new customer, unchanged otherwise. Only sales managers "
            "may give customers to someone else."), "", 12, aliases=("owner",)),
        Column("payment_term", "付款条件", "Payment terms", gettext_lazy(
            "The code (or name) of a payment term; see the Codes sheet. Empty: none."), "", 14),
        Column("credit_limit", "信用额度", "Credit limit", gettext_lazy(
            "A number with at most 2 decimals, 0 or more. Empty: 0 for a new customer, unchanged otherwise. "
            "Only sales managers and finance may change it."), Decimal("50000.00"), 14, "#,##0.00"),
        Column("currency", "币种", "Currency", gettext_lazy("Three capital letters. Empty: CNY for a new "
                                                          "customer, unchanged otherwise."), "CNY", 8),
        Column("invoice_title", "开票抬头", "Invoice title", gettext_lazy("Empty: the name."), "", 24),
        Column("tax_address", "注册地址", "Registered address", gettext_lazy("For VAT special invoices."),
               "上海市浦东新区示例路1号", 28),
        Column("tax_phone", "注册电话", "Registered phone", gettext_lazy("Digits, spaces, + ( ) and -."),
               "021-12345678", 16),
        Column("bank_name", "开户银行", "Bank", gettext_lazy("For VAT special invoices."), "中国工商银行上海分行", 22),
        Column("bank_account", "银行账号", "Bank account", gettext_lazy("Digits only; type it as text so Excel "
                                                                     "keeps every digit."),
               "1001 2345 6789 0123", 22),
        Column("notes", "备注", "Notes", gettext_lazy("Optional, at most 4000 characters."), "", 30),
    ]
    field_columns = {"group_id": "group", "owner_id": "owner", "payment_term_id": "payment_term",
                     "reason": "", "version": "", **{name: name for name in COMPARED}}

    def prepare(self, *, actor, records: list[Record]) -> Context:
        codes = {text(r.values.get("code")) for r in records} - {""}
        usccs = {_upper(r.values.get("uscc")) for r in records if "uscc" in r.values} - {""}
        visible: dict[str, Customer] = {}
        taken: set[str] = set()
        uscc_owner: dict[str, str] = {}
        for chunk in in_chunks(sorted(codes)):
            visible.update({c.code: c for c in selectors.customers_visible_to(actor).filter(code__in=chunk)})
            taken.update(Customer.objects.filter(code__in=chunk).values_list("code", flat=True))
        for chunk in in_chunks(sorted(usccs)):
            uscc_owner.update(Customer.objects.filter(uscc__in=chunk).values_list("uscc", "code"))
        usernames = {text(r.values.get("owner")) for r in records if "owner" in r.values} - {""}
        users = {}
        for chunk in in_chunks(sorted(usernames)):
            users.update({u.get_username(): u for u in get_user_model().objects.filter(username__in=chunk)})
        return Context(
            actor=actor, visible=visible, taken_codes=taken, uscc_owner=uscc_owner,
            groups=CodeLookup(CustomerGroup.objects.filter(active=True)),
            terms=CodeLookup(PaymentTerm.objects.filter(active=True)), users=users,
            can_add=has_capability(actor, Capability.ADD_CUSTOMER),
            can_change=has_capability(actor, Capability.CHANGE_CUSTOMER),
            can_set_credit=has_capability(actor, Capability.SET_CREDIT_LIMIT),
            can_assign=has_capability(actor, Capability.VIEW_ALL_CUSTOMERS))

    def check(self, context: Context, record: Record) -> RowPlan:
        check = RowCheck(self, record)
        code = check.parse("code")
        plan = RowPlan(row=record.row, key=code or "")
        if not code:
            check.problem("code", _("Enter the customer's code."))
            plan.problems = check.sorted_problems()
            return plan
        self.check_unique_in_file(check, "code", code, context.seen_codes, fold=str)
        existing = context.visible.get(code)
        if existing is None and code in context.taken_codes:
            check.problem("code", _("No customer you may change has this code."))
        elif existing is None and not context.can_add:
            check.problem("code", _("You may not create customers."))
        elif existing is not None and not context.can_change:
            check.problem("code", _("You may not change customers."))
        data = self._data(check, context, existing)
        plan.target, plan.data = existing, data
        after = copy.copy(existing) if existing else Customer(owner_id=context.actor.pk)
        for name, value in data.items():
            setattr(after, name, value)
        self._privileges(check, context, existing, after)
        after.code = code
        after.invoice_title = after.invoice_title or after.name
        if not after.name:
            check.problem("name", _("Enter the customer's name."))
        self.model_problems(check, after, exclude=["group", "owner", "payment_term", "version", "search_text"])
        uscc = after.uscc
        self.check_unique_in_file(check, "uscc", uscc, context.seen_usccs)
        if uscc and context.uscc_owner.get(uscc, code) != code:
            check.problem("uscc", _("Another customer already has this unified social credit code."))
        if existing is None:
            plan.action = CREATE
        else:
            same = audit.snapshot(existing, COMPARED) == audit.snapshot(after, COMPARED)
            plan.action = UNCHANGED if same else UPDATE
        plan.problems = check.sorted_problems()
        return plan

    def _data(self, check: RowCheck, context: Context, existing: Customer | None) -> dict[str, Any]:
        """The service data of the columns present: blank text clears, blank kind/owner/limit/currency keep."""
        data: dict[str, Any] = {"code": check.parse("code")}
        for name in TEXT_FIELDS + ["uscc"]:
            if check.has(name):
                data[name] = check.parse(name, _upper if name == "uscc" else text) or ""
        for name, lookup in (("group", context.groups), ("payment_term", context.terms)):
            value = check.parse(name)
            if value:
                found = lookup.find(value)
                if found is None:
                    check.problem(name, _("“%(value)s” is not an active code here; see the Codes sheet of the "
                                          "template.") % {"value": shown(value)})
                data[f"{name}_id"] = found.pk if found else None
            elif check.has(name):
                data[f"{name}_id"] = None
        owner = check.parse("owner")
        if owner:
            user = context.users.get(owner)
            if user is None or not user.is_active:
                check.problem("owner", _("No active user is called “%(name)s”.") % {"name": shown(owner)})
            else:
                data["owner_id"] = user.pk
        kind = check.parse("kind", _kind)
        if kind:
            data["kind"] = kind
        limit = check.parse("credit_limit", lambda v: decimal(v, places=2, max_digits=14))
        if limit is not None:
            data["credit_limit"] = limit
        currency = check.parse("currency", _upper)
        if currency:
            data["currency"] = currency
        return data

    def _privileges(self, check: RowCheck, context: Context, existing: Customer | None, after: Customer) -> None:
        old_limit = existing.credit_limit if existing else Decimal("0")
        if after.credit_limit != old_limit and not context.can_set_credit:
            check.problem("credit_limit", _("Only a sales manager or finance may set the credit limit."))
        old_owner = existing.owner_id if existing else context.actor.pk
        if after.owner_id != old_owner and not context.can_assign:
            check.problem("owner", _("Only a sales manager may give a customer to another salesperson."))

    def apply(self, context: Context, plan: RowPlan) -> str:
        if plan.target is None:
            services.create_customer(actor=context.actor, data=plan.data)
            return CREATE
        saved = services.update_customer(actor=context.actor, customer_id=plan.target.pk,
                                         version=plan.target.version, data=plan.data)
        return UPDATE if saved.version != plan.target.version else UNCHANGED

    def export_rows(self, user, params):
        filters = CustomerFilterForm(params)
        wanted = filters.cleaned_data if filters.is_valid() else {}
        customers = selectors.customer_list(user, q=wanted.get("q"), status=wanted.get("status") or None,
                                            group_id=wanted["group"].pk if wanted.get("group") else None,
                                            sort=wanted.get("sort") or None)
        for c in customers.iterator(chunk_size=2000):
            yield [c.code, c.name, c.short_name, KIND_LABELS.get(c.kind, c.kind), c.uscc,
                   c.group.code if c.group_id else "", c.owner.get_username() if c.owner_id else "",
                   c.payment_term.code if c.payment_term_id else "", c.credit_limit, c.currency, c.invoice_title,
                   c.tax_address, c.tax_phone, c.bank_name, c.bank_account, c.notes]

    def reference_sheets(self) -> dict[str, list[list[Any]]]:
        lines: list[list[Any]] = [["客户分组 Group", ""]]
        lines += [[g.code, g.name] for g in CustomerGroup.objects.filter(active=True).order_by("code")]
        lines += [["", ""], ["付款条件 Payment terms", ""]]
        lines += [[t.code, t.name] for t in PaymentTerm.objects.filter(active=True)]
        lines += [["", ""], ["业务员 Salesperson", ""]]
        sales = get_user_model().objects.filter(Q(groups__name__in=["sales", "sales_manager"]), is_active=True)
        lines += [[u.get_username(), u.get_full_name()] for u in sales.distinct().order_by("username")]
        return {"代码 Codes": lines}


CUSTOMERS = CustomerImporter()
