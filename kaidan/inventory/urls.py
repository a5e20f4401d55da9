from django.urls import path

from kaidan.inventory import views_replenishment, views_stock
from kaidan.inventory.models import StockOperation

Kind = StockOperation.Kind

urlpatterns = [
    path("", views_stock.stock_overview, name="stock_overview"),
    path("products/options/", views_stock.sku_options, name="stock_sku_options"),
    path("products/<int:product_id>/", views_stock.stock_card, name="stock_card"),
    path("operations/", views_stock.operation_list, name="stock_operation_list"),
    path("operations/<int:operation_id>/", views_stock.operation_detail, name="stock_operation_detail"),
    path("receipts/", views_stock.operation_list, {"kind": Kind.RECEIPT}, name="stock_receipt_list"),
    path("receipts/new/", views_stock.receipt_create, name="stock_receipt_create"),
    path("adjustments/", views_stock.operation_list, {"kind": Kind.ADJUSTMENT}, name="stock_adjustment_list"),
    path("adjustments/new/", views_stock.adjustment_create, name="stock_adjustment_create"),
    path("transfers/", views_stock.operation_list, {"kind": Kind.TRANSFER}, name="stock_transfer_list"),
    path("transfers/new/", views_stock.transfer_create, name="stock_transfer_create"),
    path("replenishment/", views_replenishment.board, name="replenishment_board"),
    path("replenishment/new/", views_replenishment.request_create, name="replenishment_request_create"),
    path("replenishment/<int:request_id>/order/", views_replenishment.request_order, name="replenishment_order"),
    path("replenishment/<int:request_id>/receive/", views_replenishment.request_receive,
         name="replenishment_receive"),
    path("replenishment/<int:request_id>/cancel/", views_replenishment.request_cancel, name="replenishment_cancel"),
    path("reorder-rules/", views_replenishment.rule_list, name="reorder_rule_list"),
    path("reorder-rules/new/", views_replenishment.rule_create, name="reorder_rule_create"),
    path("reorder-rules/<int:rule_id>/edit/", views_replenishment.rule_edit, name="reorder_rule_edit"),
    path("reorder-rules/<int:rule_id>/delete/", views_replenishment.rule_delete, name="reorder_rule_delete"),
]
