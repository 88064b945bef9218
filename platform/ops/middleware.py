"""Request id for the logs; request bodies and uploads capped before they are read."""
from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from ops import context
from ops.uploads import UploadTooLarge, too_large_message

_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """The request's X-Request-ID (when a proxy sent a sane one) or a new one: on every log line
    written while the request is served, and echoed in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        token = context.request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            context.request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestLimitsMiddleware:
    """A body declared larger than HOTPATH_MAX_REQUEST_BYTES is answered 413 without reading it; a
    form upload is parsed here, in chunks, through ops.uploads.CappedUploadHandler, so a file over
    its cap is a 413 too (never a 500, never a file on disk)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.HOTPATH_MAX_REQUEST_BYTES
        if _declared_length(request) > limit:
            return too_large(request, too_large_message(what="The request", limit=limit))
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018 - parse now, where a refusal can still be answered
            except UploadTooLarge as exc:
                return too_large(request, exc.message)
        return self.get_response(request)


def _declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads no body it cannot measure


def too_large(request, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=413)
    else:
        response = HttpResponse(message + "\n", status=413, content_type="text/plain; charset=utf-8")
    return response
