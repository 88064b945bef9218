"""Input and output serializers, separate as in the HackSoft styleguide. Nothing hidden is ever
serialised: specs, hidden tests, references and package archives stay server-side."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from graders.submission_files import SubmissionFilesError, validate_submission_files

DEVICE_CLASS_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,19}$"  # cpu, h100, h200, rtx-4090 (the Celery queue's suffix)


class StrictCharField(serializers.CharField):
    """Text only: DRF's CharField would take 7 for "7"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSlugField(serializers.SlugField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ErrorOutput(serializers.Serializer):
    """Every error: a one-line `detail`; a field error also keeps DRF's messages under the field's name."""

    detail = serializers.CharField()


class ChallengeOutput(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    difficulty = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField(source="current_version.number")
    devices = serializers.ListField(child=serializers.CharField(), source="current_version.device_kinds")
    solved = serializers.SerializerMethodField(help_text="whether you solved it (first target tier reached); null when not logged in")

    def get_solved(self, obj) -> bool | None:
        solved_ids = self.context.get("solved_ids")
        return None if solved_ids is None else obj.pk in solved_ids


class ChallengeDetailOutput(ChallengeOutput):
    statement_md = serializers.CharField(source="current_version.statement_md")
    statement_html = serializers.CharField(source="current_version.statement_html")
    entry_file = serializers.CharField(source="current_version.entry_file")
    starter_files = serializers.DictField(child=serializers.CharField(), source="current_version.starter_files")


class SubmissionInput(serializers.Serializer):
    challenge = StrictSlugField(help_text="challenge slug")
    files = serializers.DictField(
        child=StrictCharField(allow_blank=True, trim_whitespace=False),
        help_text="file name -> source text: the challenge's entry file, and optionally files named like its starter files",
    )
    device = serializers.ChoiceField(choices=["cpu", "cuda"], required=False, help_text="the kind of device; default: the site's")
    device_class = serializers.RegexField(
        DEVICE_CLASS_PATTERN, required=False, help_text="cpu or a GPU model in lower case (h100...); it must have a live worker"
    )
    contest = StrictSlugField(required=False, help_text="submit as an entry of this contest (registered, while it runs, within its rate limit)")

    def validate_files(self, files: dict[str, str]) -> dict[str, str]:
        try:
            validate_submission_files(files)
        except SubmissionFilesError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return files


class SubmissionListQuery(serializers.Serializer):
    challenge = serializers.SlugField(required=False, help_text="only this challenge's submissions")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)


class ResultOutput(serializers.Serializer):
    verdict = serializers.CharField(help_text="read it with awaiting_review: a written answer a reviewer has yet to see shows 'awaiting review'")
    awaiting_review = serializers.BooleanField(help_text="a reviewer has yet to look: the score is provisional")
    solved = serializers.BooleanField(help_text="accepted and at or past the challenge's first target tier")
    score = serializers.FloatField()
    message = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    checks = serializers.ListField(child=serializers.DictField())
    metrics = serializers.DictField()
    log = serializers.CharField()


STAGES = {"queued": "queued", "running": "running", "graded": "done", "failed": "failed"}


class ProgressOutput(serializers.Serializer):
    """Where a grading is (submissions.progress.progress_for; docs/results.md)."""

    status = serializers.CharField(help_text="the submission's status")
    done = serializers.BooleanField(help_text="true once graded or failed")
    stage = serializers.CharField(help_text="queued, static, starting, correctness, peak_memory, latency, throughput, benchmark, profile, rubric, trace_answers or result")
    label = serializers.CharField(help_text="the stage in one line, as the web page and the CLI show it")
    position = serializers.IntegerField(required=False, help_text="queued: 1 for the next to be graded on its device class")
    step = serializers.IntegerField(required=False, help_text="the step within the stage (the timing round; the throughput step k)")
    of = serializers.IntegerField(required=False, help_text="the number of steps, where known (throughput step k of n)")
    case_step = serializers.IntegerField(required=False, help_text="the case being checked or timed, k")
    case_of = serializers.IntegerField(required=False, help_text="the number of cases, n")
    case = serializers.CharField(required=False, help_text="the case's name")
    speedup = serializers.FloatField(required=False, help_text="timing: the current case's speedup so far")
    ci = serializers.ListField(child=serializers.FloatField(), required=False, help_text="timing: its 95% CI so far, [low, high]")
    detail = serializers.CharField(required=False, help_text="what the step does (throughput: role, max_batch, load)")
    verdict = serializers.CharField(required=False, help_text="result: the verdict (awaiting_review for a written answer a reviewer has yet to see)")
    updated_at = serializers.CharField(required=False, help_text="when the harness last reported (ISO 8601)")


class SubmissionOutput(serializers.Serializer):
    id = serializers.UUIDField()
    challenge = serializers.CharField(source="challenge_version.challenge.slug")
    version = serializers.IntegerField(source="challenge_version.number")
    device = serializers.CharField()
    device_class = serializers.CharField()
    status = serializers.CharField(help_text="queued, running, graded or failed (a platform error, never the candidate's)")
    stage = serializers.SerializerMethodField(help_text="where the grading is: queued, running, done, awaiting_review (a written answer), failed")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField(help_text="grading attempts so far (platform retries)")
    error = serializers.CharField(help_text="the platform error, when status is failed")
    result = serializers.SerializerMethodField()
    log = serializers.SerializerMethodField(help_text="candidate stdout/stderr (at most 64 KiB), once graded")
    progress = serializers.SerializerMethodField(help_text="the live stage of the grading (docs/results.md)")

    def get_stage(self, obj) -> str:
        detailed = getattr(obj, "stage", "")  # a finer stage, where the submission records one
        if obj.status == "running" and isinstance(detailed, str) and detailed:
            return detailed
        result = getattr(obj, "result", None)
        if obj.status == "graded" and result is not None and result.awaiting_review:
            return "awaiting_review"
        return STAGES.get(obj.status, obj.status)

    @extend_schema_field(ResultOutput(allow_null=True))
    def get_result(self, obj) -> dict | None:
        result = getattr(obj, "result", None)
        if result is None or obj.status != "graded":
            return None
        return ResultOutput(result).data

    def get_log(self, obj) -> str:
        result = getattr(obj, "result", None)
        return result.log if result is not None and obj.status == "graded" else ""

    @extend_schema_field(ProgressOutput)
    def get_progress(self, obj) -> dict:
        from submissions.progress import progress_for

        return progress_for(submission=obj)


class HistoryEntryOutput(serializers.Serializer):
    """One attempt in a user's history of a challenge: the summary, without files or log."""

    id = serializers.UUIDField()
    version = serializers.IntegerField(source="challenge_version.number")
    device_class = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    verdict = serializers.CharField(source="result.verdict", allow_null=True, default=None)
    score = serializers.FloatField(source="result.score", allow_null=True, default=None)
    speedup = serializers.FloatField(source="result.speedup", allow_null=True, default=None)
    tier = serializers.SerializerMethodField(help_text="the highest target tier reached (1 = the first)")
    solved = serializers.BooleanField(source="result.solved", default=False)
    awaiting_review = serializers.BooleanField(source="result.awaiting_review", default=False)
    speedup_ci = serializers.SerializerMethodField()
    flags = serializers.ListField(child=serializers.CharField(), source="result.flags", default=list)

    def get_tier(self, obj) -> int | None:
        result = getattr(obj, "result", None)
        tier = result.metrics.get("tier") if result is not None else None
        return tier if isinstance(tier, int) else None

    def get_speedup_ci(self, obj) -> list[float] | None:
        result = getattr(obj, "result", None)
        ci = result.metrics.get("speedup_ci") if result is not None else None
        return ci if isinstance(ci, list) else None


class DeviceClassOutput(serializers.Serializer):
    name = serializers.CharField(help_text="cpu or the GPU model in lower case")
    gpu_model = serializers.CharField(allow_null=True, allow_blank=True)
    workers = serializers.IntegerField()
    free_slots = serializers.IntegerField()
    last_seen = serializers.DateTimeField(allow_null=True)


class WebhookInput(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text="http or https URL that receives submission.graded events")
    rotate_secret = serializers.BooleanField(required=False, default=False)


class WebhookOutput(serializers.Serializer):
    url = serializers.CharField()
    secret = serializers.CharField(help_text="HMAC-SHA256 key of the X-Hotpath-Signature header")
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class WebhookDeliveryOutput(serializers.Serializer):
    id = serializers.UUIDField()
    event = serializers.CharField()
    submission = serializers.UUIDField(source="submission_id")
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    response_status = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
