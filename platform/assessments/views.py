"""Pages for members (/orgs/, /hiring/) and candidates (/assess/<token>/). Thin: look the object
up through a selector that checks who may see it (404 otherwise), call one service, render."""
from __future__ import annotations

import csv
import json
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments import selectors, services
from assessments.forms import AssessmentForm, InvitationForm, MemberInviteForm, OrganisationForm, OverrideForm
from assessments.models import CandidateInvitation, CandidateSession
from assessments.reports import CSV_COLUMNS, candidate_report, comparison, csv_rows, similarity_pairs
from assessments.rules import invitation_status, seconds_left, session_is_open
from assessments.similarity import compare
from catalog.markdown import render_markdown
from drafts.editor import editor_context
from drafts.files import ordered, posted_files, starter_tabs
from drafts.views import upload_reply, zip_download


def login_required(view):
    """Members' pages: an anonymous visitor gets a 404 with a log-in link, as for a private
    repository, so no URL tells an outsider whether an object exists."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return render(request, "assessments/login_needed.html", {"next": request.get_full_path()}, status=404)
        return view(request, *args, **kwargs)
    return wrapped


def _get(finder, **kwargs):
    try:
        return finder(**kwargs)
    except ObjectDoesNotExist:
        raise Http404("Not found") from None


def _site(request) -> str:
    return request.build_absolute_uri("/")


# -- organisations -------------------------------------------------------------------------------
@login_required
def org_list(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(owner=request.user, name=form.cleaned_data["name"], slug=form.cleaned_data["slug"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("assessments:org", slug=organisation.slug)
    return render(request, "assessments/orgs.html", {"orgs": selectors.organisations_for(user=request.user), "form": form})


@login_required
def org_detail(request, slug: str):
    organisation = _get(selectors.organisation_for_member, user=request.user, slug=slug)
    role = selectors.role_in(user=request.user, organisation=organisation)
    return render(request, "assessments/org.html", {
        "org": organisation, "role": role, "members": selectors.members_of(organisation=organisation),
        "assessments": selectors.assessment_list(organisation=organisation), "invite_form": MemberInviteForm(),
        "pending": selectors.pending_reviews(organisation=organisation).count()})


@login_required
@require_POST
def member_invite(request, slug: str):
    organisation = _get(selectors.organisation_for_member, user=request.user, slug=slug, roles=selectors.OWNER)
    form = MemberInviteForm(request.POST)
    if form.is_valid():
        try:
            services.member_invite(organisation=organisation, actor=request.user, site_url=_site(request), **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Invitation e-mailed to {form.cleaned_data['email']}.")
    else:
        messages.error(request, "Give an e-mail address and a role.")
    return redirect("assessments:org", slug=slug)


@login_required
def member_join(request, token: str):
    if request.method != "POST":
        return render(request, "assessments/member_join.html", {"token": token})
    try:
        membership = services.member_join(token=token, user=request.user)
    except ValidationError as exc:
        return render(request, "assessments/member_join.html", {"token": token, "error": " ".join(exc.messages)}, status=410)
    return redirect("assessments:org", slug=membership.organisation.slug)


@login_required
def audit(request, slug: str):
    organisation = _get(selectors.organisation_for_member, user=request.user, slug=slug, roles=selectors.OWNER)
    return render(request, "assessments/audit.html", {"org": organisation, "entries": selectors.audit_log(organisation=organisation)[:500]})


# -- the builder and invitations -------------------------------------------------------------------
@login_required
def assessment_new(request, slug: str):
    organisation = _get(selectors.organisation_for_member, user=request.user, slug=slug, roles=selectors.MANAGE)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("title", "instructions_md", "time_limit_minutes", "device_class", "invitation_days")}
        try:
            assessment = services.assessment_create(organisation=organisation, actor=request.user, items=form.items(), **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("assessments:assessment", assessment_id=assessment.pk)
    return render(request, "assessments/builder.html", {"org": organisation, "form": form})


@login_required
def assessment_detail(request, assessment_id: int):
    assessment = _get(selectors.assessment_for_member, user=request.user, assessment_id=assessment_id)
    services.sessions_close_due(assessment=assessment)
    role = selectors.role_in(user=request.user, organisation=assessment.organisation)
    sort = request.GET.get("sort") or "-weighted_score"
    invitations = [(inv, invitation_status(inv)) for inv in selectors.invitation_list(assessment=assessment)]
    return render(request, "assessments/assessment.html", {
        "assessment": assessment, "org": assessment.organisation, "role": role, "can_manage": role in selectors.MANAGE,
        "invitations": invitations, "rows": comparison(assessment=assessment, sort=sort), "sort": sort,
        "items": list(assessment.items.all()), "form": InvitationForm(), "similar": similarity_pairs(assessment=assessment)})


@login_required
@require_POST
def invitation_new(request, assessment_id: int):
    assessment = _get(selectors.assessment_for_member, user=request.user, assessment_id=assessment_id, roles=selectors.MANAGE)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the candidate's e-mail address.")
    else:
        services.invitation_create(assessment=assessment, actor=request.user, site_url=_site(request), **form.cleaned_data)
        messages.success(request, f"Invitation e-mailed to {form.cleaned_data['email']}.")
    return redirect("assessments:assessment", assessment_id=assessment.pk)


@login_required
@require_POST
def invitation_resend(request, invitation_id: int):
    invitation = _get(selectors.invitation_for_member, user=request.user, invitation_id=invitation_id, roles=selectors.MANAGE)
    try:
        services.invitation_resend(invitation=invitation, actor=request.user, site_url=_site(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Invitation sent again to {invitation.email}.")
    return redirect("assessments:assessment", assessment_id=invitation.assessment_id)


@login_required
@require_POST
def invitation_revoke(request, invitation_id: int):
    invitation = _get(selectors.invitation_for_member, user=request.user, invitation_id=invitation_id, roles=selectors.MANAGE)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, f"Invitation of {invitation.email} revoked; what was saved is kept.")
    return redirect("assessments:assessment", assessment_id=invitation.assessment_id)


@login_required
def comparison_csv(request, assessment_id: int):
    assessment = _get(selectors.assessment_for_member, user=request.user, assessment_id=assessment_id)
    services.sessions_close_due(assessment=assessment)
    rows = comparison(assessment=assessment, sort=request.GET.get("sort") or "-weighted_score")
    items = [item.challenge_version.challenge.slug for item in assessment.items.all()]
    services.export_recorded(organisation=assessment.organisation, actor=request.user, what=assessment.title, fmt="csv",
                             assessment_id=assessment.pk)
    return _csv(f"assessment-{assessment.pk}.csv", ["candidate", "email", "status", "weighted_score", "final", *items],
                [[r["candidate"], r["email"], r["status"], r["weighted_score"], r["final"], *r["scores"]] for r in rows])


# -- reports ---------------------------------------------------------------------------------------
def _session_report(request, session_id: int) -> tuple:
    session = _get(selectors.session_for_member, user=request.user, session_id=session_id)
    session = services.session_close_if_due(session=session)
    return session, candidate_report(session=session)


@login_required
def report(request, session_id: int):
    session, data = _session_report(request, session_id)
    role = selectors.role_in(user=request.user, organisation=session.invitation.assessment.organisation)
    return render(request, "assessments/report.html", {"report": data, "session": session, "printable": False,
                                                       "can_review": role in selectors.REVIEW, "form": OverrideForm()})


@login_required
def report_print(request, session_id: int):
    session, data = _session_report(request, session_id)
    services.export_recorded(organisation=session.invitation.assessment.organisation, actor=request.user,
                             what=session.invitation.email, fmt="print", session_id=session.pk)
    return render(request, "assessments/report.html", {"report": data, "session": session, "printable": True})


@login_required
def report_json(request, session_id: int):
    session, data = _session_report(request, session_id)
    services.export_recorded(organisation=session.invitation.assessment.organisation, actor=request.user,
                             what=session.invitation.email, fmt="json", session_id=session.pk)
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="report-{session.pk}.json"'
    return response


@login_required
def report_csv(request, session_id: int):
    session, data = _session_report(request, session_id)
    services.export_recorded(organisation=session.invitation.assessment.organisation, actor=request.user,
                             what=session.invitation.email, fmt="csv", session_id=session.pk)
    return _csv(f"report-{session.pk}.csv", CSV_COLUMNS, csv_rows(report=data))


def _csv(filename: str, header: list, rows: list) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    return response


def _cell(value):
    """A spreadsheet runs a cell that starts with = + - @: candidates' names must not."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@login_required
def similarity_view(request, session_id: int, other_id: int, item_id: int):
    """Side by side: the two candidates' latest code for the item, shared lines highlighted."""
    session = _get(selectors.session_for_member, user=request.user, session_id=session_id)
    other = _get(selectors.session_for_member, user=request.user, session_id=other_id)
    if other.invitation.assessment_id != session.invitation.assessment_id:
        raise Http404("Not found")
    texts = []
    for s in (session, other):
        work = next((w for w in selectors.works_of(session=s) if w.item_id == item_id), None)
        submission = selectors.latest_submission(work) if work else None
        if submission is None:
            raise Http404("Not found")
        texts.append("\n".join(submission.files.values()))
    found = compare(*texts)
    sides = [[(n, line, n in set(found[key])) for n, line in enumerate(text.splitlines(), 1)]
             for text, key in zip(texts, ("lines_a", "lines_b"))]
    return render(request, "assessments/similarity.html", {"session": session, "other": other, "score": found["score"], "sides": sides})


# -- reviewers --------------------------------------------------------------------------------------
@login_required
def review_queue(request, slug: str):
    organisation = _get(selectors.organisation_for_member, user=request.user, slug=slug, roles=selectors.REVIEW)
    return render(request, "assessments/review_queue.html", {"org": organisation, "reviews": selectors.pending_reviews(organisation=organisation)[:200]})


@login_required
def review(request, review_id: int):
    found = _get(selectors.review_for_member, user=request.user, review_id=review_id)
    session = found.submission.assessment_link.work.session
    return redirect("assessments:report", session_id=session.pk)


@login_required
@require_POST
def review_override(request, review_id: int, mark_id: int):
    found = _get(selectors.review_for_member, user=request.user, review_id=review_id)
    session = found.submission.assessment_link.work.session
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give points and a reason.")
    else:
        try:
            _get(services.review_override, review=found, mark_id=mark_id, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Criterion updated; the report and the audit log record it.")
    return redirect("assessments:report", session_id=session.pk)


@login_required
@require_POST
def review_sign_off(request, review_id: int):
    found = _get(selectors.review_for_member, user=request.user, review_id=review_id)
    services.review_sign_off(review=found, actor=request.user)
    messages.success(request, "Review signed off.")
    return redirect("assessments:report", session_id=found.submission.assessment_link.work.session.pk)


# -- candidates -------------------------------------------------------------------------------------
def _invitation(token: str) -> CandidateInvitation:
    return _get(selectors.invitation_by_token, token=token)


def _unusable(request, invitation: CandidateInvitation, exc: services.InvitationUnusable, status: int = 410):
    session = CandidateSession.objects.filter(invitation=invitation).first()
    return render(request, "assessments/candidate_closed.html", {"invitation": invitation, "message": exc.messages[0],
                                                                 "reason": exc.reason, "session": session}, status=status)


def candidate(request, token: str):
    invitation = _invitation(token)
    try:
        services.invitation_open(invitation=invitation)
    except services.InvitationUnusable as exc:
        return _unusable(request, invitation, exc)
    session = CandidateSession.objects.filter(invitation=invitation).first()
    assessment = invitation.assessment
    context = {"invitation": invitation, "assessment": assessment, "session": session, "token": token,
               "instructions": render_markdown(assessment.instructions_md or ""), "items": list(assessment.items.all())}
    if session is not None:
        context.update(rows=[(w.item, w, selectors.latest_submission(w)) for w in selectors.works_of(session=session)],
                       seconds_left=seconds_left(session))
    return render(request, "assessments/candidate.html", context)


@require_POST
def candidate_start(request, token: str):
    invitation = _invitation(token)
    try:
        services.session_start(invitation=invitation, consent=request.POST.get("consent") == "yes")
    except services.InvitationUnusable as exc:
        return _unusable(request, invitation, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("assessments:candidate", token=token)


def _candidate_session(token: str):
    invitation = _invitation(token)
    session = CandidateSession.objects.filter(invitation=invitation).first()
    if session is None:
        raise Http404("Start the assessment first")
    return invitation, services.session_close_if_due(session=session)


def candidate_clock(request, token: str):
    """The server's clock for the candidate's page: remaining seconds (the page counts down from it)."""
    _, session = _candidate_session(token)
    return JsonResponse({"seconds_left": seconds_left(session), "open": session_is_open(session), "deadline": session.deadline.isoformat()})


def candidate_item(request, token: str, item_id: int):
    invitation, session = _candidate_session(token)
    item = _get(invitation.assessment.items.select_related("challenge_version__challenge").get, pk=item_id)
    work = next(w for w in selectors.works_of(session=session) if w.item_id == item.pk)
    version = item.challenge_version
    if request.method == "POST":
        return _candidate_submit(request, token, session, item, version)
    if not session_is_open(session):
        return redirect("assessments:candidate", token=token)  # which says why, and that the saved work is kept
    files = _item_files(work, version)
    return render(request, "assessments/candidate_item.html", {
        "invitation": invitation, "session": session, "item": item, "version": version, "work": work,
        "token": token, "open": session_is_open(session), "seconds_left": seconds_left(session),
        "submission": selectors.latest_submission(work),
        **editor_context(version=version, files=files, uploads=True,
                         upload_url=reverse("assessments:candidate_upload", kwargs={"token": token, "item_id": item.pk}),
                         download_url=reverse("assessments:candidate_download", kwargs={"token": token, "item_id": item.pk}))})


def _candidate_submit(request, token, session, item, version):
    try:
        services.item_submit(session=session, item=item, files=posted_files(request.POST, entry_file=version.entry_file))
    except services.SessionClosed as exc:
        return render(request, "assessments/candidate_late.html", {"message": exc.messages[0], "token": token}, status=409)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Submitted for grading. You may keep improving it until the time is up.")
    return redirect("assessments:candidate_item", token=token, item_id=item.pk)


@require_POST
def candidate_save(request, token: str, item_id: int):
    """Autosave (JSON or a form post): 200 with the time saved, 409 once the session closed."""
    invitation, session = _candidate_session(token)
    item = _get(invitation.assessment.items.select_related("challenge_version").get, pk=item_id)
    try:
        work = services.work_save(session=session, item=item, files=posted_files(request.POST, entry_file=item.challenge_version.entry_file))
    except services.SessionClosed as exc:
        return JsonResponse({"saved": False, "detail": exc.messages[0], "seconds_left": 0}, status=409)
    except ValidationError as exc:
        return JsonResponse({"saved": False, "detail": " ".join(exc.messages), "seconds_left": seconds_left(session)}, status=400)
    return JsonResponse({"saved": True, "saved_at": work.saved_at.isoformat(), "seconds_left": seconds_left(session)})


def _item_files(work, version) -> dict[str, str]:
    """What the item's editor opens: the saved work, else the starter files."""
    return ordered(dict(work.files), version=version) if work.files else starter_tabs(version)


@require_POST
def candidate_upload(request, token: str, item_id: int):
    """Read uploaded files, a folder or a zip for an item, under the same rules as the practice
    editor's (drafts.views.upload_reply); the files come back unsaved (the page's autosave keeps them)."""
    invitation, session = _candidate_session(token)
    item = _get(invitation.assessment.items.select_related("challenge_version__challenge").get, pk=item_id)
    if not session_is_open(session):
        return JsonResponse({"detail": "The session is closed: your saved work is kept."}, status=409)
    return upload_reply(request, version=item.challenge_version)


def candidate_download(request, token: str, item_id: int):
    """The item's saved work (else its starter files) as one zip."""
    invitation, session = _candidate_session(token)
    item = _get(invitation.assessment.items.select_related("challenge_version__challenge").get, pk=item_id)
    work = next(w for w in selectors.works_of(session=session) if w.item_id == item.pk)
    return zip_download(_item_files(work, item.challenge_version), slug=item.challenge_version.challenge.slug)


@require_POST
def candidate_finish(request, token: str):
    invitation, session = _candidate_session(token)
    if session_is_open(session):
        services.session_finish(session=session)
    return redirect("assessments:candidate", token=token)

