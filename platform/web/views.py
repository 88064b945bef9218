"""Pages. Thin: validate, call one service or selector, render."""
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.forms import SignUpForm
from catalog.markdown import render_markdown
from catalog.models import Challenge
from catalog.selectors import catalog_facets, challenge_get, challenge_list, hints_for
from catalog.services import hint_reveal
from drafts.editor import editor_context
from drafts.selectors import editor_files
from drafts.services import draft_save
from leaderboards.selectors import challenge_board
from submissions.models import Submission
from submissions.rate_limits import submission_rate_check
from submissions.selectors import challenge_history as challenge_history_of
from submissions.selectors import (device_classes_for, is_solved, solved_challenge_ids, submission_diff, submission_get,
                                   submission_list)
from submissions.services import submission_create
from web.forms import CatalogFilterForm, SubmitForm
from web.selectors import profile_summary


def catalog(request):
    form = CatalogFilterForm(request.GET or None, facets=catalog_facets())
    filters = form.filters() if request.GET else {}
    challenges = challenge_list(kind=request.GET.get("kind") or None, **filters)
    context = {"challenges": challenges, "filter_form": form, "filtered": any(filters.values()) or bool(request.GET.get("kind")),
               "solved_ids": solved_challenge_ids(user=request.user)}
    return render(request, "web/catalog.html", context)


def _challenge_or_404(slug: str) -> Challenge:
    try:
        return challenge_get(slug=slug)
    except Challenge.DoesNotExist:
        raise Http404("No such challenge") from None


def challenge_detail(request, slug: str):
    challenge = _challenge_or_404(slug)
    version = challenge.current_version
    classes = device_classes_for(challenge=challenge)
    form = SubmitForm(request.POST or None, request.FILES or None, version=version, device_classes=classes)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if form.is_valid():
            # The files are the draft first, kept whatever the submission's fate (no live worker, say).
            draft_save(user=request.user, challenge=challenge, files=form.submission_files())
            try:
                submission_rate_check(user=request.user)  # the site's rate, as on every path (submissions.rate_limits)
                submission = submission_create(user=request.user, challenge=challenge, files=form.submission_files(),
                                               device_class=form.cleaned_data.get("device_class") or None)
            except ValidationError as exc:  # DeviceClassUnavailable included: its message says which classes are online
                form.add_error(None, exc)
            else:
                return redirect("submission", submission_id=submission.pk)
    opened = editor_files(user=request.user, challenge=challenge, from_submission=request.GET.get("from"))
    files = (form.posted_files() if form.is_bound else None) or opened.files  # a refused post is drawn as it was sent
    context = {
        "challenge": challenge,
        "version": version,
        "form": form,
        "opened": opened,
        "device_classes": classes,
        "solved": is_solved(user=request.user, challenge=challenge),
        "leaderboard": challenge_board(challenge=challenge, device_class="cpu", limit=10),
        **editor_context(version=version, files=files, uploads=True, starter_url_name="challenge_starter_file",
                         draft_url=reverse("draft", args=[slug]), upload_url=reverse("draft_upload", args=[slug]),
                         download_url=reverse("draft_download", args=[slug])),
    }
    return render(request, "web/challenge.html", context)


def challenge_starter_file(request, slug: str, name: str):
    """Starter files are public: the statement may point at one (a trace to analyse, a model)."""
    files = _challenge_or_404(slug).current_version.starter_files
    if name not in files:
        raise Http404("No such starter file")
    response = HttpResponse(files[name], content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def challenge_hints(request, slug: str):
    challenge = _challenge_or_404(slug)
    return render(request, "web/hints.html", {"challenge": challenge, "hints": hints_for(user=request.user, challenge=challenge)})


@login_required
@require_POST
def challenge_hint_reveal(request, slug: str):
    challenge = _challenge_or_404(slug)
    try:
        reveal = hint_reveal(user=request.user, challenge=challenge)
    except (ValidationError, PermissionDenied) as exc:
        messages.info(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("challenge_hints", slug=slug)
    return redirect(reverse("challenge_hints", args=[slug]) + f"#hint-{reveal.index + 1}")


@login_required
def challenge_editorial(request, slug: str):
    challenge = _challenge_or_404(slug)
    if not (request.user.is_staff or is_solved(user=request.user, challenge=challenge)):
        messages.info(request, "The editorial opens once you solve the challenge: reach its first target tier "
                               "(for a written answer, its pass mark).")
        return redirect("challenge", slug=slug)
    return render(request, "web/prose.html", {"challenge": challenge, "title": "Editorial", "html": render_markdown(challenge.current_version.editorial_md)})


@login_required
def challenge_history(request, slug: str):
    challenge = _challenge_or_404(slug)
    attempts = list(challenge_history_of(user=request.user, challenge=challenge)[:200])
    return render(request, "web/history.html", {"challenge": challenge, "attempts": attempts,
                                                "solved": is_solved(user=request.user, challenge=challenge)})


@login_required
def challenge_diff(request, slug: str):
    challenge = _challenge_or_404(slug)
    old_id, new_id = request.GET.get("a", ""), request.GET.get("b", "")
    try:
        files = submission_diff(user=request.user, challenge=challenge, old_id=old_id, new_id=new_id)
    except Submission.DoesNotExist:
        messages.info(request, "Choose two of your attempts at this challenge to compare.")
        return redirect("challenge_history", slug=slug)
    return render(request, "web/diff.html", {"challenge": challenge, "files": files, "old_id": old_id, "new_id": new_id})


@login_required
def profile(request):
    return render(request, "web/profile.html", profile_summary(user=request.user))


@login_required
def submission_detail(request, submission_id):
    try:
        submission = submission_get(user=request.user, submission_id=submission_id)
    except Submission.DoesNotExist:
        raise Http404("No such submission") from None
    result = getattr(submission, "result", None)
    return render(request, "web/submission.html", {"submission": submission, "result": result, "refresh": not submission.is_done})


@login_required
def my_submissions(request):
    return render(request, "web/submissions.html", {"submissions": submission_list(user=request.user)[:100]})


def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        return redirect("catalog")
    return render(request, "registration/signup.html", {"form": form})
