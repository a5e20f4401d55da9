from django.urls import path

from kaidan.catalog import category_views, image_views, views

urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("new/", views.product_create, name="product_create"),
    path("<int:product_id>/", views.product_detail, name="product_detail"),
    path("<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path("<int:product_id>/deactivate/", views.product_deactivate, name="product_deactivate"),
    path("<int:product_id>/delete/", views.product_delete, name="product_delete"),
    path("<int:product_id>/substitutes/", views.product_substitutes, name="product_substitutes"),
    path("<int:product_id>/substitutes/candidates/", views.substitute_candidates, name="substitute_candidates"),
    path("<int:product_id>/images/", image_views.image_upload, name="product_image_upload"),
    path("<int:product_id>/images/<int:image_id>/primary/", image_views.image_primary, name="product_image_primary"),
    path("<int:product_id>/images/<int:image_id>/delete/", image_views.image_delete, name="product_image_delete"),
    path("images/<int:image_id>/", image_views.product_image_file, name="product_image_file"),
    path("images/<int:image_id>/thumb/", image_views.product_image_thumb, name="product_image_thumb"),
    path("categories/", category_views.category_list, name="category_list"),
    path("categories/new/", category_views.category_create, name="category_create"),
    path("categories/<int:category_id>/edit/", category_views.category_edit, name="category_edit"),
]
