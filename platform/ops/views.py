"""Probes and metrics: plain answers for load balancers, orchestrators and Prometheus."""
from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from ops import health, metrics
from ops.net import client_ip, ip_allowed


@never_cache
@require_GET
def healthz(request):
    """The process is alive and serving (touches nothing else)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """200 when the database and the broker answer; 503 with the reasons otherwise."""
    problems = health.readiness_problems()
    if problems:
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    return JsonResponse({"status": "ok"})


def metrics_allowed(request) -> bool:
    """With HOTPATH_METRICS_TOKEN, `Authorization: Bearer <token>`; from an address in
    HOTPATH_METRICS_ALLOWED_IPS, without one."""
    token = settings.HOTPATH_METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return ip_allowed(client_ip(request), settings.HOTPATH_METRICS_ALLOWED_IPS)


@never_cache
@require_GET
def metrics_view(request):
    if not metrics_allowed(request):
        return HttpResponse("Metrics need the bearer token (HOTPATH_METRICS_TOKEN) or an allowed address "
                            "(HOTPATH_METRICS_ALLOWED_IPS).\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
