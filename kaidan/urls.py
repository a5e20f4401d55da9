from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from kaidan.api import api
from kaidan.core.access import SIGNED_IN, public_view, view_requires

urlpatterns = [
    path("accounts/login/", public_view(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
         name="login"),
    path("accounts/logout/", public_view(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/password/", view_requires(SIGNED_IN)(auth_views.PasswordChangeView.as_view()),
         name="password_change"),
    path("accounts/password/done/", view_requires(SIGNED_IN)(auth_views.PasswordChangeDoneView.as_view()),
         name="password_change_done"),
    path("i18n/setlang/", public_view(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("customers/", include("kaidan.parties.urls")),
    path("products/", include("kaidan.catalog.urls")),
    path("orders/", include("kaidan.sales.urls")),
    path("transfer/", include("kaidan.transfer.urls")),
    path("pricing/", include("kaidan.pricing.urls")),
    path("stock/", include("kaidan.inventory.urls")),
    path("approvals/", include("kaidan.approvals.urls")),
    path("shipping/", include("kaidan.shipping.urls")),
    path("", include("kaidan.core.urls")),
]

handler403 = "kaidan.core.errors_views.forbidden"
handler404 = "kaidan.core.errors_views.not_found"
handler500 = "kaidan.core.errors_views.server_error"
