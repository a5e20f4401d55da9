from django.urls import path

from kaidan.parties import views

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("new/", views.customer_create, name="customer_create"),
    path("<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:customer_id>/status/<slug:status>/", views.customer_status, name="customer_status"),
    path("<int:customer_id>/delete/", views.customer_delete, name="customer_delete"),
    path("<int:customer_id>/addresses/", views.address_save, name="address_add"),
    path("<int:customer_id>/addresses/<int:address_id>/", views.address_save, name="address_edit"),
    path("<int:customer_id>/addresses/<int:address_id>/delete/", views.address_delete, name="address_delete"),
    path("<int:customer_id>/contacts/", views.contact_save, name="contact_add"),
    path("<int:customer_id>/contacts/<int:contact_id>/", views.contact_save, name="contact_edit"),
    path("<int:customer_id>/contacts/<int:contact_id>/delete/", views.contact_delete, name="contact_delete"),
]
