"""Receipts, adjustments (stocktake) and transfers: the move ledger explains every number, bad input
writes nothing, and reserved stock cannot be taken away."""

from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from kaidan.core.errors import Forbidden, ValidationFailed
from kaidan.inventory import selectors, services
from kaidan.inventory.models import ImmutableError, StockLevel, StockMove, StockOperation
from tests.inventory.factories import receive_stock, stock_of

pytestmark = pytest.mark.django_db


def lines(*pairs):
    return [{"product_id": product.pk, **fields} for product, fields in pairs]


def test_a_receipt_adds_stock_and_writes_the_ledger(keeper, shenzhen, printer, toner):
    receipt = services.post_receipt(actor=keeper, data={
        "warehouse_id": shenzhen.pk, "supplier": "联想华南", "reference": "DN-778",
        "lines": lines((printer, {"quantity": "5"}), (toner, {"quantity": 12}))})
    assert receipt.number.startswith("GR") and receipt.kind == StockOperation.Kind.RECEIPT
    assert stock_of(printer, shenzhen) == (D(5), D(0))
    assert stock_of(toner, shenzhen) == (D(12), D(0))
    moves = list(receipt.moves.order_by("id"))
    assert [(m.kind, m.quantity, m.on_hand_after) for m in moves] == [("receipt", D(5), D(5)),
                                                                      ("receipt", D(12), D(12))]
    assert moves[0].reference == receipt.number and moves[0].created_by == keeper
    assert selectors.stock_discrepancies() == []


def test_bad_receipts_write_nothing(keeper, shenzhen, printer, copper):
    bad = {"warehouse_id": 999999, "lines": lines((printer, {"quantity": "-1"}), (printer, {"quantity": "1.5"}),
                                                  (copper, {"quantity": "0.12345"}))}
    with pytest.raises(ValidationFailed) as err:
        services.post_receipt(actor=keeper, data=bad)
    assert set(err.value.fields) == {"warehouse_id", "lines.0.quantity", "lines.1.quantity", "lines.2.quantity"}
    with pytest.raises(ValidationFailed) as err:
        services.post_receipt(actor=keeper, data={"warehouse_id": shenzhen.pk, "lines": [], "colour": "red"})
    assert set(err.value.fields) == {"lines", "colour"}
    assert not StockMove.objects.exists() and not StockOperation.objects.exists()


def test_fractions_are_fine_where_the_unit_allows_them(keeper, shenzhen, copper):
    receive_stock(copper, "12.5", shenzhen, actor=keeper)
    assert stock_of(copper, shenzhen) == (D("12.5"), D(0))


def test_only_warehouse_staff_post_stock(seller, shenzhen, printer):
    with pytest.raises(Forbidden):
        services.post_receipt(actor=seller, data={"warehouse_id": shenzhen.pk,
                                                  "lines": lines((printer, {"quantity": 1}))})


def test_an_adjustment_needs_a_reason(keeper, shenzhen, printer):
    receive_stock(printer, 5, shenzhen, actor=keeper)
    with pytest.raises(ValidationFailed) as err:
        services.post_adjustment(actor=keeper, data={"warehouse_id": shenzhen.pk, "reason": "  ",
                                                     "lines": lines((printer, {"quantity": "-1"}))})
    assert list(err.value.fields) == ["reason"]
    assert stock_of(printer, shenzhen) == (D(5), D(0))


def test_a_stocktake_posts_the_difference(keeper, shenzhen, printer, toner):
    receive_stock(printer, 5, shenzhen, actor=keeper)
    receive_stock(toner, 10, shenzhen, actor=keeper)
    adjustment = services.post_adjustment(actor=keeper, data={
        "warehouse_id": shenzhen.pk, "reason": "月末盘点",
        "lines": lines((printer, {"counted": "3"}), (toner, {"counted": "10"}))})
    assert stock_of(printer, shenzhen) == (D(3), D(0))
    assert [(m.kind, m.quantity, m.reason) for m in adjustment.moves.all()] == [("adjustment", D(-2), "月末盘点")]
    assert selectors.stock_discrepancies() == []


def test_stock_reserved_for_orders_cannot_be_adjusted_away(keeper, shenzhen, printer):
    receive_stock(printer, 5, shenzhen, actor=keeper)
    StockLevel.objects.filter(product=printer, warehouse=shenzhen).update(reserved=4)  # as if an order held 4
    with pytest.raises(ValidationFailed) as err:
        services.post_adjustment(actor=keeper, data={"warehouse_id": shenzhen.pk, "reason": "破损",
                                                     "lines": lines((printer, {"quantity": "-2"}))})
    assert "lines.0.quantity" in err.value.fields
    assert stock_of(printer, shenzhen) == (D(5), D(4))


def test_a_transfer_moves_stock_between_warehouses(keeper, shenzhen, shanghai, printer):
    receive_stock(printer, 5, shenzhen, actor=keeper)
    transfer = services.post_transfer(actor=keeper, data={
        "warehouse_id": shenzhen.pk, "to_warehouse_id": shanghai.pk, "lines": lines((printer, {"quantity": 2}))})
    assert stock_of(printer, shenzhen) == (D(3), D(0)) and stock_of(printer, shanghai) == (D(2), D(0))
    assert sorted(m.kind for m in transfer.moves.all()) == ["transfer_in", "transfer_out"]
    with pytest.raises(ValidationFailed) as err:
        services.post_transfer(actor=keeper, data={"warehouse_id": shenzhen.pk, "to_warehouse_id": shenzhen.pk,
                                                   "lines": lines((printer, {"quantity": 1}))})
    assert "to_warehouse_id" in err.value.fields
    with pytest.raises(ValidationFailed):
        services.post_transfer(actor=keeper, data={"warehouse_id": shenzhen.pk, "to_warehouse_id": shanghai.pk,
                                                   "lines": lines((printer, {"quantity": 4}))})
    assert stock_of(printer, shenzhen) == (D(3), D(0))


def test_moves_are_immutable(keeper, shenzhen, printer):
    receive_stock(printer, 5, shenzhen, actor=keeper)
    move = StockMove.objects.get()
    move.quantity = D(50)
    with pytest.raises(ImmutableError):
        move.save()
    with pytest.raises(ImmutableError):
        move.delete()


def test_the_database_refuses_reserving_more_than_on_hand(keeper, shenzhen, printer):
    receive_stock(printer, 5, shenzhen, actor=keeper)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(product=printer, warehouse=shenzhen).update(reserved=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(product=printer, warehouse=shenzhen).update(reserved=-1)


def test_check_stock_finds_a_level_that_disagrees_with_its_moves(keeper, shenzhen, printer, capsys):
    receive_stock(printer, 5, shenzhen, actor=keeper)
    call_command("check_stock")
    assert "stock OK" in capsys.readouterr().out
    StockLevel.objects.filter(product=printer).update(on_hand=7)
    with pytest.raises(CommandError):
        call_command("check_stock")
    assert "on hand 7" in capsys.readouterr().err
