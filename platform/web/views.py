"""Pages. Thin: validate, call one service or selector, render."""
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from accounts.forms import SignUpForm
from catalog.markdown import render_markdown
from catalog.models import Challenge
from catalog.selectors import challenge_get, challenge_list
from leaderboards.selectors import challenge_board
from submissions.models import Submission
from submissions.selectors import submission_get, submission_list, user_has_solved
from submissions.services import submission_create
from web.forms import SubmitForm


def catalog(request):
    return render(request, "web/catalog.html", {"challenges": challenge_list(kind=request.GET.get("kind") or None, tag=request.GET.get("tag") or None)})


def _challenge_or_404(slug: str) -> Challenge:
    try:
        return challenge_get(slug=slug)
    except Challenge.DoesNotExist:
        raise Http404("No such challenge") from None


def challenge_detail(request, slug: str):
    challenge = _challenge_or_404(slug)
    version = challenge.current_version
    form = SubmitForm(request.POST or None, request.FILES or None, entry_file=version.entry_file, initial={"code": version.starter_files.get(version.entry_file, "")})
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if form.is_valid():
            try:
                submission = submission_create(user=request.user, challenge=challenge, files=form.submission_files())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("submission", submission_id=submission.pk)
    context = {
        "challenge": challenge,
        "version": version,
        "form": form,
        "solved": user_has_solved(user=request.user, challenge=challenge),
        "leaderboard": challenge_board(challenge=challenge, device_class="cpu", limit=10),
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
    return render(request, "web/prose.html", {"challenge": challenge, "title": "Hints", "html": render_markdown(challenge.current_version.hints_md)})


@login_required
def challenge_editorial(request, slug: str):
    challenge = _challenge_or_404(slug)
    if not (request.user.is_staff or user_has_solved(user=request.user, challenge=challenge)):
        messages.info(request, "The editorial opens once you have an accepted submission.")
        return redirect("challenge", slug=slug)
    return render(request, "web/prose.html", {"challenge": challenge, "title": "Editorial", "html": render_markdown(challenge.current_version.editorial_md)})


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
