"""Every API error is JSON with a one-line `detail`; a field error keeps DRF's per-field
messages next to it (`{"detail": "files: ...", "files": [...]}`). Nothing a client sends
(malformed or huge JSON, NUL bytes, deep nesting, wrong types) becomes a 500."""
from __future__ import annotations

import codecs
import json
import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from graders.submission_files import LIMITS

logger = logging.getLogger(__name__)

# A submission's files may hold LIMITS.max_total_bytes; JSON escaping (\n, \", \uXXXX) can
# grow them up to about 3x. Bigger bodies are refused before they are parsed.
MAX_BODY_BYTES = 4 * LIMITS.max_total_bytes + (64 << 10)


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB."
    default_code = "too_large"


class LimitedJSONParser(JSONParser):
    """JSON with a size cap, read no further than the cap; deep nesting is a parse error."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and str(length).isdigit() and int(length) > MAX_BODY_BYTES:
            raise BodyTooLarge()
        raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_BODY_BYTES:
            raise BodyTooLarge()
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            text = codecs.decode(raw, encoding)
            return json.loads(text, parse_constant=_refuse_constant if api_settings.STRICT_JSON else None)
        except (ValueError, UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def summary(errors) -> str:
    """One line from DRF's nested messages: `files: File name 'a b' is not allowed.`"""
    if isinstance(errors, dict):
        parts = []
        for key, value in errors.items():
            text = summary(value)
            parts.append(text if key in ("detail", api_settings.NON_FIELD_ERRORS_KEY) else f"{key}: {text}")
        return "; ".join(parts)
    if isinstance(errors, (list, tuple)):
        return " ".join(summary(value) for value in errors)
    return str(errors)


def _printable(data):
    """Error messages may quote the input: a lone surrogate there would fail the UTF-8 response."""
    if isinstance(data, dict):
        return {_printable(key): _printable(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_printable(value) for value in data]
    if isinstance(data, str):
        return data.encode("utf-8", "backslashreplace").decode("utf-8")
    return data


def exception_handler(exc, context):
    """DRF's handler, plus: Django ValidationErrors are 400s; too-large or suspicious requests
    are 413/400; anything unexpected is logged and answered with a JSON 500."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError({"detail": " ".join(exc.messages)})
    elif isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(str(exc) or "bad request")
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.error("API error", exc_info=exc)
        set_rollback()
        return Response({"detail": "internal error: the platform failed; try again later"}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    data = _printable(response.data)
    if isinstance(data, dict):
        rest = {key: value for key, value in data.items() if key != "detail"}
        response.data = {"detail": summary(data["detail"]) if "detail" in data else summary(rest), **rest}
    else:
        response.data = {"detail": summary(data), "errors": data}
    return response


@csrf_exempt  # a POST to a wrong path is told it is wrong, not that it lacks a CSRF token
def not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer JSON (a path without its trailing slash says so)."""
    hint = f" (did you mean {request.path}/ ?)" if not request.path.endswith("/") else ""
    return JsonResponse({"detail": f"no such API endpoint: {request.path}{hint}"}, status=404)
