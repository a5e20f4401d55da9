from django.urls import path

from kaidan.pricing import views

urlpatterns = [
    path("", views.price_list_list, name="price_list_list"),
    path("new/", views.price_list_create, name="price_list_create"),
    path("<int:price_list_id>/", views.price_list_detail, name="price_list_detail"),
    path("<int:price_list_id>/edit/", views.price_list_edit, name="price_list_edit"),
    path("<int:price_list_id>/deactivate/", views.price_list_deactivate, name="price_list_deactivate"),
    path("<int:price_list_id>/items/", views.price_list_item_add, name="price_list_item_add"),
    path("<int:price_list_id>/items/<int:item_id>/remove/", views.price_list_item_remove,
         name="price_list_item_remove"),
    path("promotions/", views.promotion_list, name="promotion_list"),
    path("promotions/new/", views.promotion_create, name="promotion_create"),
    path("promotions/<int:promotion_id>/", views.promotion_detail, name="promotion_detail"),
    path("promotions/<int:promotion_id>/edit/", views.promotion_edit, name="promotion_edit"),
    path("promotions/<int:promotion_id>/deactivate/", views.promotion_deactivate, name="promotion_deactivate"),
    path("discount-limits/", views.discount_limits, name="discount_limits"),
    path("discount-limits/<slug:role>/", views.discount_limit_save, name="discount_limit_save"),
]
