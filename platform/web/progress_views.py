"""The result page's live parts: the progress endpoint it polls (submissions.progress) and the
profiler trace download. Owner-only, like the page (staff may look too)."""
from __future__ import annotations

import base64
import binascii
import gzip
import io
import json

from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from submissions.models import Submission
from submissions.progress import progress_for
from submissions.selectors import submission_get

TRACE_UNPACKED_CAP = 64 << 20


def _own_submission(request, submission_id) -> Submission:
    if not request.user.is_authenticated:
        raise Http404("No such submission")
    try:
        return submission_get(user=request.user, submission_id=submission_id)
    except Submission.DoesNotExist:
        raise Http404("No such submission") from None


@require_GET
@never_cache
def submission_progress(request, submission_id):
    """{"status", "done", "stage", "label", ...} (docs/results.md) and where the result page is."""
    try:
        submission = _own_submission(request, submission_id)
    except Http404:
        return JsonResponse({"error": "no such submission"}, status=404)
    body = progress_for(submission=submission)
    body["result_url"] = reverse("submission", args=[submission.pk])
    return JsonResponse(body)


@require_GET
def submission_trace(request, submission_id):
    """The profiler's Chrome-trace JSON (opens in Perfetto and chrome://tracing), as a download."""
    submission = _own_submission(request, submission_id)
    trace = profile_trace(submission)
    if trace is None:
        raise Http404("This result has no profiler trace")
    response = HttpResponse(trace, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="hotpath-{str(submission.pk)[:8]}-trace.json"'
    return response


def profile_trace(submission: Submission) -> bytes | None:
    """The trace stored with the result (metrics.profile.trace_gz_b64), unpacked and checked to be
    a Chrome trace; None where there is none or it is unusable."""
    result = getattr(submission, "result", None)
    profile = (result.metrics or {}).get("profile") if result is not None else None
    packed = profile.get("trace_gz_b64") if isinstance(profile, dict) else None
    if not isinstance(packed, str):
        return None
    try:
        raw = gzip.GzipFile(fileobj=io.BytesIO(base64.b64decode(packed, validate=True))).read(TRACE_UNPACKED_CAP + 1)
        document = json.loads(raw) if len(raw) <= TRACE_UNPACKED_CAP else None
    except (binascii.Error, OSError, EOFError, ValueError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("traceEvents"), list):
        return None
    return raw
