"""The site's error pages: hotpath.urls names them as handler400/403/404/500, and the settings'
CSRF_FAILURE_VIEW names csrf_failure. Each page says what happened and where to go next; none
shows debug detail (Django shows its technical pages instead only while DEBUG is on, and
csrf_failure gives its reason only then). Under /api/ they answer JSON, as the API's own
errors do."""
from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 200
# The last resort when even the 500 template cannot render (a broken template, a failing
# database under a context processor): plain HTML, nothing to go wrong.
BARE_500 = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Server error · Hotpath</title></head>"
            "<body><main><h1>Something went wrong on our side</h1><p>The error has been logged. "
            "<a href=\"/\">Back to the challenges</a></p></main></body></html>")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _message(exception) -> str:
    """What the code that refused said ("No such challenge"), when it said it in words. The
    resolver's own 404 carries the URL patterns it tried (a dict): that is never shown."""
    message = exception.args[0] if exception is not None and exception.args else ""
    return message[:MAX_MESSAGE_CHARS] if isinstance(message, str) else ""


def _page(request, *, template: str, status: int, detail: str, context: dict | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": detail}, status=status)
    body = loader.render_to_string(template, {"status": status, "detail": detail, **(context or {})}, request=request)
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return _page(request, template="400.html", status=400, detail="bad request")


def permission_denied(request, exception=None):
    return _page(request, template="403.html", status=403, detail=_message(exception) or "permission denied",
                 context={"message": _message(exception)})


def page_not_found(request, exception=None):
    return _page(request, template="404.html", status=404, detail=_message(exception) or "not found",
                 context={"message": _message(exception)})


def server_error(request):
    """Rendered without the request's context processors: what failed may be the database they
    read (the logged-in user). If the template fails too, a bare page still answers."""
    if _is_api(request):
        return JsonResponse({"detail": "server error"}, status=500)
    try:
        body = loader.render_to_string("500.html", {"status": 500})
    except Exception:  # noqa: BLE001  (an error page must answer whatever broke)
        logger.exception("the 500 page could not render")
        body = BARE_500
    return HttpResponse(body, status=500)


def csrf_failure(request, reason: str = ""):
    """A form sent without its CSRF token (a page left open across a log-in elsewhere, cookies
    blocked). Django's reason is shown only while DEBUG is on."""
    return _page(request, template="403_csrf.html", status=403, detail="CSRF check failed",
                 context={"reason": reason if settings.DEBUG else ""})
