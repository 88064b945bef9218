from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.serializers import SubmissionInput, SubmissionListQuery, SubmissionOutput
from api.services import FileNamesError, api_submission_create
from api.views.base import ApiView, Refused429, challenge_or_404, error, query
from api.views.contests import contest_or_404
from submissions.models import Submission
from submissions.rate_limits import SubmissionRateLimited, submission_rate_check
from submissions.selectors import submission_get, submission_list


class SubmissionListApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("challenge", str, description="only this challenge's"), OpenApiParameter("limit", int, description="1 to 500 (100)")],
        responses={200: SubmissionOutput(many=True), 400: error("a bad parameter")},
    )
    def get(self, request):
        params = query(SubmissionListQuery, request)
        submissions = submission_list(user=request.user)
        if params.get("challenge"):
            submissions = submissions.filter(challenge_version__challenge__slug=params["challenge"])
        return Response(SubmissionOutput(submissions[: params["limit"]], many=True).data)

    @extend_schema(
        request=SubmissionInput,
        responses={
            201: SubmissionOutput,
            400: error("bad files (names, sizes, NUL bytes), a device the challenge does not run on, or a device class with no live worker"),
            404: error("no such challenge (or contest)"),
            429: error("too many submissions (HOTPATH_SUBMISSION_RATE, the same on every path; Retry-After says when)"),
        },
    )
    def post(self, request):
        try:
            submission_rate_check(user=request.user)
        except SubmissionRateLimited as exc:
            raise Refused429(wait=exc.retry_after_s, detail=exc.messages[0]) from None
        data = SubmissionInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        challenge = challenge_or_404(fields["challenge"])
        contest = contest_or_404(fields["contest"]) if fields.get("contest") else None
        try:
            submission = api_submission_create(
                user=request.user, challenge=challenge, files=fields["files"], device=fields.get("device"),
                device_class=fields.get("device_class"), contest=contest,
            )
        except FileNamesError as exc:
            raise ValidationError({"files": exc.messages}) from None
        return Response(SubmissionOutput(submission).data, status=status.HTTP_201_CREATED)


class SubmissionDetailApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: SubmissionOutput, 404: error("no such submission (or not yours)")})
    def get(self, request, submission_id):
        try:
            return Response(SubmissionOutput(submission_get(user=request.user, submission_id=submission_id)).data)
        except Submission.DoesNotExist:
            raise NotFound("no such submission") from None
