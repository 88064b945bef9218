"""REST endpoints for assessments, invitations, sessions and reports (included from api/urls.py).
Thin: every object is looked up through assessments.selectors, which answer 404 to anyone outside
the organisation and 403 to a member whose role does not allow the action."""
from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.serializers import StrictCharField, StrictSlugField
from api.views.base import ApiView, error
from assessments import selectors, services
from assessments.reports import candidate_report, comparison
from assessments.rules import invitation_status
from catalog.models import Challenge


def _found(finder, **kwargs):
    try:
        return finder(**kwargs)
    except ObjectDoesNotExist:
        raise NotFound("not found") from None


# -- serializers ---------------------------------------------------------------------------------
class ItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    challenge = serializers.CharField(source="challenge_version.challenge.slug")
    version = serializers.IntegerField(source="challenge_version.number")
    weight = serializers.FloatField()


class AssessmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.slug")
    title = serializers.CharField()
    instructions_md = serializers.CharField()
    time_limit_minutes = serializers.IntegerField()
    device_class = serializers.CharField()
    invitation_days = serializers.IntegerField()
    items = ItemOutput(many=True, source="items.all")
    created_at = serializers.DateTimeField()


class ItemInput(serializers.Serializer):
    challenge = StrictSlugField()
    weight = serializers.FloatField(min_value=0.01, max_value=100)


class AssessmentInput(serializers.Serializer):
    organisation = StrictSlugField()
    title = StrictCharField(max_length=200)
    instructions_md = StrictCharField(required=False, allow_blank=True, default="", max_length=20000)
    time_limit_minutes = serializers.IntegerField(min_value=1, max_value=services.MAX_TIME_LIMIT_MINUTES)
    device_class = StrictCharField(required=False, default="cpu", max_length=20)
    invitation_days = serializers.IntegerField(required=False, default=7, min_value=1, max_value=90)
    items = ItemInput(many=True)


class InvitationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    assessment = serializers.IntegerField(source="assessment_id")
    email = serializers.EmailField()
    name = serializers.CharField()
    status = serializers.SerializerMethodField()
    sent_at = serializers.DateTimeField(allow_null=True)
    send_count = serializers.IntegerField()
    opened_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    session = serializers.SerializerMethodField(help_text="the session id once started")

    def get_status(self, obj) -> str:
        return invitation_status(obj)

    def get_session(self, obj) -> int | None:
        return selectors.CandidateSession.objects.filter(invitation=obj).values_list("pk", flat=True).first()


class InvitationInput(serializers.Serializer):
    email = serializers.EmailField()
    name = StrictCharField(required=False, allow_blank=True, default="", max_length=200)


class ComparisonRowOutput(serializers.Serializer):
    session_id = serializers.IntegerField()
    candidate = serializers.CharField()
    email = serializers.CharField()
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    weighted_score = serializers.FloatField()
    final = serializers.BooleanField()
    scores = serializers.ListField(child=serializers.FloatField())
    verdicts = serializers.ListField(child=serializers.CharField())


class ReportItemOutput(serializers.Serializer):
    item_id = serializers.IntegerField()
    challenge = serializers.CharField()
    kind = serializers.CharField()
    version = serializers.IntegerField()
    weight = serializers.FloatField()
    verdict = serializers.CharField(allow_null=True)
    display_verdict = serializers.CharField()
    score = serializers.FloatField()
    awaiting_review = serializers.BooleanField()
    flags = serializers.ListField(child=serializers.CharField())
    speedup = serializers.FloatField(allow_null=True)
    speedup_ci = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    latency_ms = serializers.DictField(allow_null=True)
    profile = serializers.DictField(allow_null=True)
    rubric = serializers.DictField(allow_null=True, help_text="answer, criteria with evidence and overrides (who, when, why)")
    seconds_spent = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    automatic = serializers.BooleanField()
    similarity = serializers.ListField(child=serializers.DictField())


class ReportOutput(serializers.Serializer):
    session_id = serializers.IntegerField()
    candidate = serializers.CharField()
    email = serializers.CharField()
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    weighted_score = serializers.FloatField()
    final = serializers.BooleanField()
    items = ReportItemOutput(many=True)


# -- views ---------------------------------------------------------------------------------------
class AssessmentListApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AssessmentOutput(many=True))
    def get(self, request):
        rows = selectors.Assessment.objects.filter(organisation__in=selectors.organisations_for(user=request.user)).prefetch_related(
            "items__challenge_version__challenge").select_related("organisation")
        return Response(AssessmentOutput(rows, many=True).data)

    @extend_schema(request=AssessmentInput, responses={201: AssessmentOutput, 400: error("invalid"), 403: error("role"), 404: error("no such organisation or challenge")})
    def post(self, request):
        data = AssessmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        organisation = _found(selectors.organisation_for_member, user=request.user, slug=values.pop("organisation"), roles=selectors.MANAGE)
        items = [(_found(Challenge.objects.select_related("current_version").get, slug=i["challenge"]), i["weight"]) for i in values.pop("items")]
        assessment = services.assessment_create(organisation=organisation, actor=request.user, items=items, **values)
        return Response(AssessmentOutput(assessment).data, status=status.HTTP_201_CREATED)


class AssessmentDetailApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AssessmentOutput, 404: error("not found")})
    def get(self, request, assessment_id: int):
        return Response(AssessmentOutput(_found(selectors.assessment_for_member, user=request.user, assessment_id=assessment_id)).data)


class InvitationListApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: InvitationOutput(many=True), 404: error("not found")})
    def get(self, request, assessment_id: int):
        assessment = _found(selectors.assessment_for_member, user=request.user, assessment_id=assessment_id)
        return Response(InvitationOutput(selectors.invitation_list(assessment=assessment), many=True).data)

    @extend_schema(request=InvitationInput, responses={201: InvitationOutput, 400: error("invalid"), 403: error("role"), 404: error("not found")})
    def post(self, request, assessment_id: int):
        assessment = _found(selectors.assessment_for_member, user=request.user, assessment_id=assessment_id, roles=selectors.MANAGE)
        data = InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(assessment=assessment, actor=request.user, site_url=request.build_absolute_uri("/"), **data.validated_data)
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetailApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: InvitationOutput, 404: error("not found")})
    def get(self, request, invitation_id: int):
        return Response(InvitationOutput(_found(selectors.invitation_for_member, user=request.user, invitation_id=invitation_id)).data)


class InvitationResendApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: InvitationOutput, 400: error("started, submitted or revoked"), 403: error("role"), 404: error("not found")})
    def post(self, request, invitation_id: int):
        invitation = _found(selectors.invitation_for_member, user=request.user, invitation_id=invitation_id, roles=selectors.MANAGE)
        return Response(InvitationOutput(services.invitation_resend(invitation=invitation, actor=request.user, site_url=request.build_absolute_uri("/"))).data)


class InvitationRevokeApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: InvitationOutput, 403: error("role"), 404: error("not found")})
    def post(self, request, invitation_id: int):
        invitation = _found(selectors.invitation_for_member, user=request.user, invitation_id=invitation_id, roles=selectors.MANAGE)
        return Response(InvitationOutput(services.invitation_revoke(invitation=invitation, actor=request.user)).data)


class SessionListApi(ApiView):
    """The comparison table: one row per started session, sorted by `sort` (default -weighted_score)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ComparisonRowOutput(many=True), 404: error("not found")})
    def get(self, request, assessment_id: int):
        assessment = _found(selectors.assessment_for_member, user=request.user, assessment_id=assessment_id)
        services.sessions_close_due(assessment=assessment)
        rows = comparison(assessment=assessment, sort=str(request.query_params.get("sort") or "-weighted_score"))
        return Response(ComparisonRowOutput(rows, many=True).data)


class SessionReportApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ReportOutput, 404: error("not found")})
    def get(self, request, session_id: int):
        session = _found(selectors.session_for_member, user=request.user, session_id=session_id)
        session = services.session_close_if_due(session=session)
        services.export_recorded(organisation=session.invitation.assessment.organisation, actor=request.user,
                                 what=session.invitation.email, fmt="api", session_id=session.pk)
        return Response(ReportOutput(candidate_report(session=session)).data)


urlpatterns = [
    path("assessments/", AssessmentListApi.as_view(), name="api-assessments"),
    path("assessments/<int:assessment_id>/", AssessmentDetailApi.as_view(), name="api-assessment"),
    path("assessments/<int:assessment_id>/invitations/", InvitationListApi.as_view(), name="api-assessment-invitations"),
    path("assessments/<int:assessment_id>/sessions/", SessionListApi.as_view(), name="api-assessment-sessions"),
    path("invitations/<int:invitation_id>/", InvitationDetailApi.as_view(), name="api-invitation"),
    path("invitations/<int:invitation_id>/resend/", InvitationResendApi.as_view(), name="api-invitation-resend"),
    path("invitations/<int:invitation_id>/revoke/", InvitationRevokeApi.as_view(), name="api-invitation-revoke"),
    path("sessions/<int:session_id>/report/", SessionReportApi.as_view(), name="api-session-report"),
]
