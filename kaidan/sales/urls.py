from django.urls import path

from kaidan.sales import views, views_lines

urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("new/", views.order_create, name="order_create"),
    path("new/customers/", views.customer_options, name="order_customer_options"),
    path("<int:order_id>/", views.order_detail, name="order_detail"),
    path("<int:order_id>/edit/", views.order_edit, name="order_edit"),
    path("<int:order_id>/pdf/", views.order_pdf, name="order_pdf"),
    path("<int:order_id>/submit/", views.order_submit, name="order_submit"),
    path("<int:order_id>/confirm/", views.order_confirm, name="order_confirm"),
    path("<int:order_id>/send/", views.order_send, name="order_send"),
    path("<int:order_id>/convert/", views.order_convert, name="order_convert"),
    path("<int:order_id>/revise/", views.order_revise, name="order_revise"),
    path("<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("<int:order_id>/copy/", views.order_copy, name="order_copy"),
    path("<int:order_id>/products/", views_lines.product_options, name="order_product_options"),
    path("<int:order_id>/products/pick/", views_lines.product_pick, name="order_product_pick"),
    path("<int:order_id>/lines/", views_lines.line_add, name="order_line_add"),
    path("<int:order_id>/lines/<int:line_id>/", views_lines.line_edit, name="order_line_edit"),
    path("<int:order_id>/lines/<int:line_id>/delete/", views_lines.line_delete, name="order_line_delete"),
    path("<int:order_id>/lines/<int:line_id>/replace/", views_lines.line_replace, name="order_line_replace"),
]
