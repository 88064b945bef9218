"""Contest pages. Thin: validate, call one service or selector, render or redirect."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from catalog.markdown import render_markdown
from contests.models import Contest, ContestChallenge, ContestSubmission
from contests.selectors import audit_log, contest_board, contest_challenges, contest_get, contest_list, contest_phase, is_organiser, is_participant, submissions_left
from contests.services import contest_publish, contest_reverify_check, contest_register, contest_submit, entry_disqualify, entry_reinstate
from contests.tasks import queue_reverification
from submissions.rate_limits import submission_rate_check


def _contest_or_404(slug: str) -> Contest:
    try:
        return contest_get(slug=slug)
    except Contest.DoesNotExist:
        raise Http404("No such contest") from None


def contests_page(request):
    now = timezone.now()
    return render(request, "contests/list.html", {"contests": [(c, contest_phase(contest=c, now=now)) for c in contest_list()]})


def contest_page(request, slug: str):
    contest = _contest_or_404(slug)
    now = timezone.now()
    participant = is_participant(contest=contest, user=request.user)
    organiser = is_organiser(contest=contest, user=request.user)
    context = {
        "contest": contest, "now": now, "phase": contest_phase(contest=contest, now=now),
        "rules_html": render_markdown(contest.rules_md), "board": contest_board(contest=contest, viewer=request.user, now=now),
        "challenges": contest_challenges(contest=contest),
        "participant": participant, "organiser": organiser,
        "submissions_left": submissions_left(contest=contest, user=request.user, now=now) if participant else None,
        "audit": audit_log(contest=contest) if organiser else [],
    }
    return render(request, "contests/contest.html", context)


def _message(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc) or "Not allowed."])


def _act(request, slug: str, action) -> object:
    """Run one service for a POST; its refusal becomes a message on the contest page."""
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    return redirect("contest", slug=slug)


@require_POST
@login_required
def register(request, slug: str):
    contest = _contest_or_404(slug)
    return _act(request, slug, lambda: contest_register(contest=contest, user=request.user))


@require_POST
@login_required
def submit(request, slug: str):
    contest = _contest_or_404(slug)
    challenge = ContestChallenge.objects.filter(contest=contest, challenge__slug=request.POST.get("challenge", "")).select_related("challenge__current_version").first()
    if challenge is None or challenge.challenge.current_version is None:
        messages.error(request, "Choose one of this contest's challenges.")
        return redirect("contest", slug=slug)
    files = {challenge.challenge.current_version.entry_file: request.POST.get("code", "")}

    def act():
        submission_rate_check(user=request.user)  # the site's rate, as on every path (submissions.rate_limits)
        contest_submit(contest=contest, user=request.user, challenge=challenge.challenge, files=files)

    return _act(request, slug, act)


def _entry_or_404(contest: Contest, submission_id) -> ContestSubmission:
    entry = ContestSubmission.objects.filter(contest=contest, submission_id=submission_id).select_related("contest", "submission").first()
    if entry is None:
        raise Http404("No such entry")
    return entry


@require_POST
@login_required
def disqualify(request, slug: str, submission_id):
    contest = _contest_or_404(slug)
    entry = _entry_or_404(contest, submission_id)
    return _act(request, slug, lambda: entry_disqualify(entry=entry, actor=request.user, reason=request.POST.get("reason", "")))


@require_POST
@login_required
def reinstate(request, slug: str, submission_id):
    contest = _contest_or_404(slug)
    entry = _entry_or_404(contest, submission_id)
    return _act(request, slug, lambda: entry_reinstate(entry=entry, actor=request.user, reason=request.POST.get("reason", "")))


@require_POST
@login_required
def reverify(request, slug: str):
    contest = _contest_or_404(slug)
    try:
        contest_reverify_check(contest=contest, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
        return redirect("contest", slug=slug)
    transaction.on_commit(lambda: queue_reverification(contest=contest, actor=request.user))
    messages.info(request, f"Re-verification of the top {contest.reverify_top_n} entries per challenge is queued on {contest.device_class}.")
    return redirect("contest", slug=slug)


@require_POST
@login_required
def publish(request, slug: str):
    contest = _contest_or_404(slug)
    return _act(request, slug, lambda: contest_publish(contest=contest, actor=request.user))
