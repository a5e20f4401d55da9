from django.urls import path

from kaidan.transfer import views

urlpatterns = [
    path("customers/import/", views.customer_import, name="customer_import"),
    path("customers/template.xlsx", views.customer_template, name="customer_import_template"),
    path("customers/export.xlsx", views.customer_export, name="customer_export"),
    path("products/import/", views.product_import, name="product_import"),
    path("products/template.xlsx", views.product_template, name="product_import_template"),
    path("products/export.xlsx", views.product_export, name="product_export"),
    path("imports/", views.job_list, name="import_job_list"),
    path("imports/<int:job_id>/", views.job_detail, name="import_job"),
    path("imports/<int:job_id>/progress/", views.job_progress, name="import_job_progress"),
    path("imports/<int:job_id>/import/", views.job_commit, name="import_job_commit"),
]
