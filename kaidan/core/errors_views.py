"""403/404/500 for the whole site: a translated page for people, the error envelope under /api/."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kaidan.core.errors import server_error_envelope


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def forbidden(request, exception=None):
    if _is_api(request):
        return JsonResponse({"code": "forbidden", "message": _("You do not have permission to do this."),
                             "detail": {}}, status=403)
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"code": "not_found", "message": _("Not found."), "detail": {}}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    request_id = getattr(request, "request_id", "-")
    if _is_api(request):
        return JsonResponse(server_error_envelope(request_id), status=500)
    # A minimal context: the template must render even when the database is down.
    return render(request, "500.html", {"request_id": request_id}, status=500)
