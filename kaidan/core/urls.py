from django.urls import path

from kaidan.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("settings/company/", views.company_settings, name="company_settings"),
    path("settings/series/", views.series_list, name="series_list"),
    path("settings/series/<slug:doc_type>/", views.series_edit, name="series_edit"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/audit/", views.audit_log, name="audit_log"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
]
