"""The editor's small JSON endpoints: the draft (GET, POST to save, DELETE to reset), reading an
upload, and the saved files as a zip. Logged-in users only, each reaching only their own draft;
POST and DELETE are CSRF-checked (the page sends the token in X-CSRFToken)."""
from __future__ import annotations

import json
from functools import wraps

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods, require_POST

from catalog.models import Challenge
from catalog.selectors import challenge_get
from drafts import services
from drafts.selectors import draft_get, editor_files
from drafts.uploads import uploaded_files, zip_of


def _json_login_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"detail": "Log in to keep a draft."}, status=403)
        return view(request, *args, **kwargs)
    return wrapped


def _challenge(slug: str) -> Challenge:
    try:
        return challenge_get(slug=slug)
    except Challenge.DoesNotExist:
        raise Http404("No such challenge") from None


def _error(detail: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


@_json_login_required
@require_http_methods(["GET", "POST", "DELETE"])
def draft(request, slug: str):
    challenge = _challenge(slug)
    if request.method == "DELETE":
        services.draft_delete(user=request.user, challenge=challenge)
        return JsonResponse({"deleted": True, "files": editor_files(user=request.user, challenge=challenge).files})
    if request.method == "GET":
        saved = draft_get(user=request.user, challenge=challenge)
        opened = editor_files(user=request.user, challenge=challenge)
        return JsonResponse({"files": opened.files, "source": opened.source, "saved_at": saved.updated_at.isoformat() if saved else None})
    try:
        files = json.loads(request.body or b"null").get("files")
    except RequestDataTooBig:
        return _error("The draft is larger than the submission limits allow.", status=413)
    except (ValueError, AttributeError):
        return _error('Send JSON: {"files": {"name": "text", ...}}.')
    try:
        saved = services.draft_save(user=request.user, challenge=challenge, files=files)
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    return JsonResponse({"saved": True, "saved_at": saved.updated_at.isoformat()})


def upload_reply(request, *, version) -> JsonResponse:
    """Read the request's uploaded files or zip under the submission rules for `version`; the
    files come back, unsaved (the practice editor's endpoint and an assessment item's)."""
    try:
        files = uploaded_files(request.FILES.getlist("upload"), version=version)
    except RequestDataTooBig:
        return _error("The upload is larger than the submission limits allow.", status=413)
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    if not files:
        return _error("Choose files, a folder or a zip to upload.")
    return JsonResponse({"files": files})


def zip_download(files: dict[str, str], *, slug: str) -> HttpResponse:
    response = HttpResponse(zip_of(files), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{slug}.zip"'
    return response


@_json_login_required
@require_POST
def upload(request, slug: str):
    """Read uploaded files or a zip under the submission rules; the files come back, unsaved."""
    return upload_reply(request, version=_challenge(slug).current_version)


def download(request, slug: str):
    """The files the editor opens (the saved draft, else the starter files) as one zip."""
    if not request.user.is_authenticated:
        raise Http404("Log in to download your draft")
    challenge = _challenge(slug)
    return zip_download(editor_files(user=request.user, challenge=challenge).files, slug=challenge.slug)
