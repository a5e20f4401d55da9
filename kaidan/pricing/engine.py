"""The price engine: pure functions, no ORM. Given the facts (customer, products, quantities, date,
price lists, promotions) it prices an order and explains every step of every line.

The pipeline for one line, in the order's price mode (tax-inclusive 含税 or tax-exclusive):

1. list price — the product's list price, converted into the order's mode when the product's
   price is stored in the other mode (÷ or × (1 + VAT rate), rounded to 4 decimals);
2. price list — the first applicable list (see ``choose_price_lists``) that has an item for the
   product; the item with the largest ``min_quantity`` not above the quantity wins (quantity
   breaks); a fixed price (converted into the order's mode like the list price) or a % off the
   list price; a manual unit price given by the salesperson replaces this step;
3. promotions — line promotions (percent off, amount off per unit) applicable on the date to the
   product (directly or through its category or any ancestor) and customer group, in priority
   order (lower number first, then id). If the first applicable one is *exclusive*, it is the only
   promotion on that line, and the line takes no part in order threshold discounts; otherwise every
   *combinable* one applies, each on what is left after the previous one;
4. manual discount — the salesperson's discount %, on what is left after promotions;
5. order threshold discounts (满减) — when the order amount of the lines that may share it reaches
   the threshold, the discount is allocated to those lines in proportion to their amounts
   (``money.allocate``: largest remainder, so the shares add up to the discount exactly);
6. VAT and rounding — ``money.split_inclusive`` or ``money.add_tax`` on the final line amount.

Buy X get Y free adds a free line (unit price 0, amount 0) for every X bought.
Every amount is rounded through ``kaidan.core.money``; nothing here rounds on its own.

The details
-----------
* Unit prices carry 4 decimals (``round_unit_price``), amounts the currency's places
  (``round_money``, half-up). Amounts are rounded per line, never per unit:
  ``base_amount = round(quantity × unit_price)``; a percent-off promotion takes
  ``round(left × percent / 100)``; an amount-off promotion ``round(quantity × amount)``, capped at
  what is left; the manual discount ``round(left × discount / 100)``. No amount goes below zero.
* A buy-X-get-Y promotion is a line promotion too and stacks like the others (an exclusive one that
  applies first is the only promotion of its line). It applies when the line holds at least one full
  X; for every full X on that one line it adds Y of the free product (the same product, or
  ``ctx.products[free_product_id]``; a free product the caller did not provide is skipped
  silently) as a free line right after its line: key ``"<key>:free:<promotion id>"``, unit price
  and amounts 0, its cost counted (so its margin is negative).
* Order threshold promotions are looked at once every line is priced. The lines that may share one
  are the non-free lines whose first applicable line promotion was not exclusive and that the
  threshold promotion's product/category filter matches; it is *reached* when their amount (after
  manual discounts) is at least the threshold. Of the reached ones, in priority order: if the first
  is exclusive it is the only one; otherwise every combinable one applies, each allocated over the
  amounts left after the previous one and never more than those amounts.
* VAT on the final line amount: tax-inclusive order: ``tax = round(gross × r / (1 + r))``,
  ``net = gross − tax``; tax-exclusive: ``tax = round(net × r)``, ``gross = net + tax``.
* Order totals are sums of the line values; ``by_rate`` groups the non-free lines by VAT rate.
* Every line carries its ``steps``: the rule, the unit price it set or the change it made to the
  line amount, and the facts as strings; ``kaidan.pricing.explain`` turns them into sentences. Codes:
  ``list_price``, ``mode_conversion``, ``price_list``, ``manual_price``, ``promotion_percent``,
  ``promotion_amount``, ``free_item``, ``manual_discount``, ``threshold``, ``vat`` (see ``Step``).
Pricing is linear in the number of lines (items and promotions are indexed once per call).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from kaidan.core.money import add_tax, allocate, plain_number, round_money, round_unit_price, split_inclusive
from kaidan.pricing.facts import (
    ZERO,
    AppliedThreshold,
    CustomerFacts,
    LineRequest,
    PricedLine,
    PricedOrder,
    PriceListFacts,
    PriceListItemFacts,
    PricingContext,
    ProductFacts,
    PromotionFacts,
    RateTotal,
    Step,
)
from kaidan.pricing.rules import (
    HUNDRED,
    ONE,
    choose_price_lists,
    manual_reduction_percent,
    matches_product,
    valid_on,
    validate_requests,
)

# The facts and rule choices are part of the engine's interface: ``engine.Step``, ``engine.LineRequest``...
__all__ = [
    "ZERO", "ProductFacts", "CustomerFacts", "PriceListItemFacts", "PriceListFacts", "PromotionFacts",
    "LineRequest", "PricingContext", "Step", "PricedLine", "RateTotal", "AppliedThreshold", "PricedOrder",
    "choose_price_lists", "price_order", "manual_reduction_percent",
]


LINE_KINDS = frozenset({"percent_off", "amount_off", "buy_x_get_y"})


def price_order(lines: Sequence[LineRequest], ctx: PricingContext) -> PricedOrder:
    """Price every line and the totals. Raises ValueError on facts that cannot be priced (a quantity
    of 0 or less, a discount outside 0–100, a negative manual price, two lines with one key)."""
    lines = list(lines)  # read twice, and it keeps the facts alive for the caches keyed by id()
    validate_requests(lines)
    return _Pricer(ctx).price(lines)


# --- the parts --------------------------------------------------------------------------------


@dataclass(slots=True)
class _ProductPlan:
    """What every line of one product shares within a call."""

    product: ProductFacts
    list_price: Decimal  # in the order's mode
    list_steps: tuple[Step, ...]
    lists: list[tuple[PriceListFacts, list[PriceListItemFacts]]]  # the lists with items for it, in order
    promotions: list[PromotionFacts]  # the line promotions that reach it, in order
    item_prices: dict[int, tuple[Decimal, tuple[Step, ...]]] = field(default_factory=dict)  # by id(item)


class _Pricer:
    """One pricing call: the context indexed once, then every line priced against the indexes.

    Caches are keyed by ``id()`` of facts objects, which the caller keeps alive for the call."""

    def __init__(self, ctx: PricingContext) -> None:
        self.ctx = ctx
        self.currency = ctx.currency
        self.inclusive = ctx.prices_include_tax
        self.mode = "inclusive" if ctx.prices_include_tax else "exclusive"
        self.zero = round_money(0, ctx.currency)
        self.zero_price = round_unit_price(0)
        # the lists in the order they are tried, each with its items per product by min_quantity
        self.lists: list[tuple[PriceListFacts, dict[int, list[PriceListItemFacts]]]] = []
        for price_list in choose_price_lists(ctx):
            by_product: dict[int, list[PriceListItemFacts]] = {}
            for item in price_list.items:
                by_product.setdefault(item.product_id, []).append(item)
            for items in by_product.values():
                items.sort(key=lambda item: item.min_quantity)  # stable: the first listed wins a tie
            self.lists.append((price_list, by_product))
        # the promotions valid on the date for this customer, by priority then id
        group = ctx.customer.group_id
        promotions = sorted(
            (
                p
                for p in ctx.promotions
                if valid_on(p.valid_from, p.valid_to, ctx.date)
                and (not p.customer_group_ids or group in p.customer_group_ids)
            ),
            key=lambda p: (p.priority, p.id),
        )
        self.line_promotions = [p for p in promotions if p.kind in LINE_KINDS]
        self.threshold_promotions = [p for p in promotions if p.kind == "order_threshold"]
        # line promotions indexed by reach (positions in line_promotions, so order is kept)
        self.promotions_for_all: list[int] = []
        self.promotions_by_product: dict[int, list[int]] = {}
        self.promotions_by_category: dict[int, list[int]] = {}
        for index, promotion in enumerate(self.line_promotions):
            if not promotion.product_ids and not promotion.category_ids:
                self.promotions_for_all.append(index)
            for product_id in promotion.product_ids:
                self.promotions_by_product.setdefault(product_id, []).append(index)
            for category_id in promotion.category_ids:
                self.promotions_by_category.setdefault(category_id, []).append(index)
        self.promotions_everywhere = [self.line_promotions[i] for i in self.promotions_for_all]
        self._plans: dict[int, _ProductPlan] = {}
        self._promotion_texts: dict[int, dict[str, str]] = {}
        self._rate_texts: dict[Decimal, str] = {}
        self._plain_texts: dict[Decimal, str] = {}

    # -- the whole order ---------------------------------------------------------------------------

    def price(self, requests: Sequence[LineRequest]) -> PricedOrder:
        lines: list[PricedLine] = []
        sharing: list[tuple[PricedLine, ProductFacts]] = []  # the lines that may share threshold discounts
        for request in requests:
            self._price_line(request, lines, sharing)
        thresholds = self._apply_thresholds(sharing) if sharing and self.threshold_promotions else []
        return self._finish(lines, thresholds)

    # -- one line ----------------------------------------------------------------------------------

    def _price_line(
        self, request: LineRequest, lines: list[PricedLine], sharing: list[tuple[PricedLine, ProductFacts]]
    ) -> None:
        """Steps 1–4 of the pipeline; appends the line (and its free lines) to ``lines``."""
        product, quantity, currency, zero = request.product, request.quantity, self.currency, self.zero
        plan = self._plans.get(id(product)) or self._plan(product)
        list_price = engine_price = plan.list_price
        steps = list(plan.list_steps)
        source, price_list_id = "list", None
        if plan.lists:
            found = self._price_list_price(plan, quantity)
            if found is not None:
                engine_price, price_list_id, list_steps = found
                steps.extend(list_steps)
                source = "price_list"
        if request.unit_price is not None:
            unit_price = round_unit_price(request.unit_price)
            source, price_list_id = "manual", None
            params = {"price": str(unit_price), "engine_price": str(engine_price)}
            steps.append(Step("manual_price", unit_price, params))
        else:
            unit_price = engine_price

        base = left = round_money(quantity * unit_price, currency)
        promotion_discount = manual_discount = zero
        promotion_ids: tuple[int, ...] = ()
        free_lines: list[PricedLine] = []
        first_exclusive = first = False
        for promotion in plan.promotions:
            free_product = None
            if promotion.kind == "buy_x_get_y":
                free_product = self._free_product(promotion, product, quantity)
                if free_product is None:
                    continue  # not applicable: too few bought, or no free product to give
            elif (promotion.percent if promotion.kind == "percent_off" else promotion.amount) is None:
                continue  # incomplete facts: no promotion
            if not first:
                first, first_exclusive = True, promotion.exclusive
            elif promotion.exclusive:
                continue  # an exclusive promotion only applies when it comes first
            promotion_ids += (promotion.id,)
            params = self._promotion_texts.get(id(promotion)) or self._promotion_params(promotion)
            if promotion.kind == "percent_off":
                off = min(max(round_money(left * promotion.percent / HUNDRED, currency), zero), left)
                steps.append(Step("promotion_percent", zero - off, {**params, "amount": str(off)}))
            elif promotion.kind == "amount_off":
                off = min(max(round_money(quantity * promotion.amount, currency), zero), left)
                steps.append(Step("promotion_amount", zero - off, {**params, "amount": str(off)}))
            else:
                off = zero
                free_step = Step("free_item", self.zero_price, dict(params))
                steps.append(free_step)
                free_lines.append(self._free_line(request, promotion, free_product, free_step))
            left -= off
            promotion_discount += off
            if first_exclusive:
                break

        discount_percent = request.discount_percent
        if discount_percent:
            manual_discount = round_money(left * discount_percent / HUNDRED, currency)
            left -= manual_discount
            params = {"percent": self._plain_of(discount_percent), "amount": str(manual_discount)}
            steps.append(Step("manual_discount", zero - manual_discount, params))

        # positional (in field order): a 24-keyword call costs more than the rest of the line
        line = PricedLine(
            request.key,
            product.id,
            quantity,
            list_price,
            unit_price,
            engine_price,
            source,
            price_list_id,
            discount_percent,
            base,
            promotion_discount,
            manual_discount,
            zero,  # allocated_discount, step 5
            left,  # amount
            zero,  # net, tax and gross: step 6
            zero,
            zero,
            product.vat_rate,
            round_money(quantity * product.standard_cost, currency),  # cost
            zero,  # margin, with the net
            steps,
            False,  # is_free
            None,  # free_for_key
            promotion_ids,
        )
        lines.append(line)
        lines.extend(free_lines)
        if not first_exclusive:
            sharing.append((line, product))

    def _plan(self, product: ProductFacts) -> _ProductPlan:
        """Work out once per product and call: its list price in the order's mode, the price lists
        with items for it, the line promotions that reach it."""
        stored = round_unit_price(product.list_price)
        steps = [Step("list_price", stored, {"price": str(stored)})]
        price = stored
        if product.list_price_includes_tax != self.inclusive:
            price = self._convert(stored, product.list_price_includes_tax, product.vat_rate, "list_price", steps)
        lists = [(pl, by_product[product.id]) for pl, by_product in self.lists if product.id in by_product]
        indexes = list(self.promotions_by_product.get(product.id, ()))
        for category_id in product.category_ids:
            indexes.extend(self.promotions_by_category.get(category_id, ()))
        if indexes:
            promotions = [self.line_promotions[i] for i in sorted({*indexes, *self.promotions_for_all})]
        else:
            promotions = self.promotions_everywhere
        plan = self._plans[id(product)] = _ProductPlan(product, price, tuple(steps), lists, promotions)
        return plan

    def _convert(self, price: Decimal, includes_tax: bool, rate: Decimal, source: str, steps: list[Step]) -> Decimal:
        """A unit price stored in one mode, in the order's mode (a mode_conversion step if it moved)."""
        if includes_tax == self.inclusive:
            return price
        converted = round_unit_price(price / (ONE + rate) if includes_tax else price * (ONE + rate))
        params = {"source": source, "from": str(price), "to": str(converted), "rate": self._percent_of(rate)}
        steps.append(Step("mode_conversion", converted, {**params, "mode": self.mode}))
        return converted

    def _price_list_price(self, plan: _ProductPlan, quantity: Decimal) -> tuple[Decimal, int, tuple[Step, ...]] | None:
        """(unit price, list id, steps) from the first list with an item for the product at this quantity."""
        for price_list, items in plan.lists:
            chosen = None
            for item in items:  # ascending min_quantity
                if item.min_quantity > quantity:
                    break
                if chosen is None or item.min_quantity > chosen.min_quantity:
                    chosen = item
            if chosen is None:
                continue  # the list's breaks start above this quantity
            priced = plan.item_prices.get(id(chosen))
            if priced is None:
                priced = plan.item_prices[id(chosen)] = self._item_price(plan, price_list, items, chosen)
            return priced[0], price_list.id, priced[1]
        return None

    def _item_price(
        self, plan: _ProductPlan, price_list: PriceListFacts, items: list[PriceListItemFacts], item: PriceListItemFacts
    ) -> tuple[Decimal, tuple[Step, ...]]:
        params = {"name": price_list.name, "code": price_list.code}
        if item.min_quantity > 1 or item.min_quantity > items[0].min_quantity:
            params["min_quantity"] = plain_number(item.min_quantity)  # a quantity break
        if item.method == "percent_off":
            params["percent"] = plain_number(item.value)
            price = round_unit_price(plan.list_price * (ONE - item.value / HUNDRED))
            return price, (Step("price_list", price, params),)
        stored = round_unit_price(item.value)
        params["price"] = str(stored)
        steps = [Step("price_list", stored, params)]
        price = self._convert(stored, price_list.prices_include_tax, plan.product.vat_rate, "price_list", steps)
        return price, tuple(steps)

    def _percent_of(self, rate: Decimal) -> str:
        """A VAT rate as a percent ("13"), worked out once per rate."""
        text = self._rate_texts.get(rate)
        if text is None:
            text = self._rate_texts[rate] = plain_number(rate * HUNDRED)
        return text

    def _plain_of(self, value: Decimal) -> str:
        """``_plain`` worked out once per value (discounts repeat: 5, 10...)."""
        text = self._plain_texts.get(value)
        if text is None:
            text = self._plain_texts[value] = plain_number(value)
        return text

    def _promotion_params(self, promotion: PromotionFacts) -> dict[str, str]:
        """The params every step of this promotion shares (worked out once per call)."""
        params = {"name": promotion.name, "code": promotion.code}
        if promotion.kind == "percent_off":
            params["percent"] = plain_number(promotion.percent)
        elif promotion.kind == "amount_off":
            params["per_unit"] = str(promotion.amount)
        elif promotion.kind == "buy_x_get_y":
            params.update(buy=plain_number(promotion.buy_quantity), free=plain_number(promotion.free_quantity))
        self._promotion_texts[id(promotion)] = params
        return params

    def _free_product(self, promotion: PromotionFacts, product: ProductFacts, quantity: Decimal) -> ProductFacts | None:
        buy, free = promotion.buy_quantity, promotion.free_quantity
        if buy is None or free is None or buy <= 0 or free <= 0 or quantity < buy:
            return None
        if promotion.free_product_id is None:
            return product
        return self.ctx.products.get(promotion.free_product_id)

    def _free_line(
        self, request: LineRequest, promotion: PromotionFacts, product: ProductFacts, step: Step
    ) -> PricedLine:
        quantity = (request.quantity // promotion.buy_quantity) * promotion.free_quantity
        plan = self._plans.get(id(product)) or self._plan(product)
        zero = self.zero
        return PricedLine(
            f"{request.key}:free:{promotion.id}",
            product.id,
            quantity,
            plan.list_price,
            self.zero_price,  # unit_price
            self.zero_price,  # engine_unit_price
            "list",
            None,  # price_list_id
            zero,  # discount_percent
            zero,  # base_amount, promotion, manual and allocated discounts, amount, net, tax, gross
            zero,
            zero,
            zero,
            zero,
            zero,
            zero,
            zero,
            product.vat_rate,
            round_money(quantity * product.standard_cost, self.currency),  # cost
            zero,  # margin, with the net
            [*plan.list_steps, step],
            True,  # is_free
            request.key,  # free_for_key
            (promotion.id,),
        )

    # -- step 5: order threshold discounts ---------------------------------------------------------

    def _apply_thresholds(self, sharing: list[tuple[PricedLine, ProductFacts]]) -> list[AppliedThreshold]:
        zero, currency = self.zero, self.currency
        reached: list[tuple[PromotionFacts, list[PricedLine], Decimal]] = []
        for promotion in self.threshold_promotions:
            if promotion.threshold is None or promotion.amount is None:
                continue  # incomplete facts: no promotion
            if promotion.product_ids or promotion.category_ids:
                eligible = [line for line, product in sharing if matches_product(promotion, product)]
            else:
                eligible = [line for line, _ in sharing]
            eligible_amount = sum([line.amount for line in eligible], zero)
            if eligible and eligible_amount >= promotion.threshold:
                reached.append((promotion, eligible, eligible_amount))
        if reached and reached[0][0].exclusive:
            reached = reached[:1]
        else:
            reached = [entry for entry in reached if not entry[0].exclusive]

        applied = []
        for promotion, eligible, eligible_amount in reached:
            weights = [line.amount for line in eligible]  # what is left after the previous ones
            discount = min(max(round_money(promotion.amount, currency), zero), sum(weights, zero))
            threshold = round_money(promotion.threshold, currency)
            params = {"name": promotion.name, "code": promotion.code, "threshold": str(threshold),
                      "discount": str(discount)}
            promotion_id = (promotion.id,)
            for line, share in zip(eligible, allocate(discount, weights, currency), strict=True):
                line.allocated_discount += share
                line.amount -= share
                line.promotion_ids += promotion_id
                line.steps.append(Step("threshold", zero - share, {**params, "share": str(share)}))
            applied.append(
                AppliedThreshold(
                    promotion_id=promotion.id,
                    code=promotion.code,
                    name=promotion.name,
                    threshold=threshold,
                    eligible_amount=eligible_amount,
                    discount=discount,
                    line_keys=tuple(line.key for line in eligible),
                )
            )
        return applied

    # -- step 6: VAT, and the totals ---------------------------------------------------------------

    def _finish(self, lines: list[PricedLine], thresholds: list[AppliedThreshold]) -> PricedOrder:
        """VAT on every line's final amount, then the order totals: sums of the lines."""
        currency, mode, zero = self.currency, self.mode, self.zero
        split = split_inclusive if self.inclusive else None
        net_total = tax_total = gross_total = cost_total = margin_total = discount_total = zero
        rates: dict[Decimal, RateTotal] = {}
        for line in lines:
            amount, rate = line.amount, line.vat_rate
            if line.is_free:
                net = tax = gross = zero  # its amount is 0
            elif split is not None:
                gross = amount
                net, tax = split(amount, rate, currency)
            else:
                net = amount
                tax, gross = add_tax(amount, rate, currency)
            margin = net - line.cost
            line.net, line.tax, line.gross, line.margin = net, tax, gross, margin
            params = {"rate": self._percent_of(rate), "net": str(net), "tax": str(tax), "gross": str(gross),
                      "mode": mode}
            line.steps.append(Step("vat", tax, params))

            net_total += net
            tax_total += tax
            gross_total += gross
            cost_total += line.cost
            margin_total += margin
            if line.is_free:
                continue  # nothing to add by rate, and no discount
            discount_total += line.promotion_discount + line.manual_discount + line.allocated_discount
            total = rates.get(rate)
            if total is None:
                total = rates[rate] = RateTotal(rate, zero, zero, zero)
            total.net += net
            total.tax += tax
            total.gross += gross
        by_rate = [rates[rate] for rate in sorted(rates)]
        return PricedOrder(lines, net_total, tax_total, gross_total, cost_total, margin_total, discount_total,
                           by_rate, thresholds)
