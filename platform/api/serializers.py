"""Input and output serializers, separate as in the HackSoft styleguide. Nothing hidden is ever
serialised: specs, hidden tests, references and package archives stay server-side."""
from rest_framework import serializers

from graders.submission_files import SubmissionFilesError, validate_submission_files


class ChallengeOutput(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    difficulty = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField(source="current_version.number")


class ChallengeDetailOutput(ChallengeOutput):
    statement_md = serializers.CharField(source="current_version.statement_md")
    statement_html = serializers.CharField(source="current_version.statement_html")
    entry_file = serializers.CharField(source="current_version.entry_file")
    starter_files = serializers.DictField(child=serializers.CharField(), source="current_version.starter_files")
    devices = serializers.ListField(child=serializers.CharField(), source="current_version.device_kinds")


class SubmissionInput(serializers.Serializer):
    challenge = serializers.SlugField(help_text="challenge slug")
    files = serializers.DictField(child=serializers.CharField(allow_blank=True, trim_whitespace=False), help_text="file name -> source text")
    device = serializers.ChoiceField(choices=["cpu", "cuda"], required=False)

    def validate_files(self, files: dict[str, str]) -> dict[str, str]:
        try:
            validate_submission_files(files)
        except SubmissionFilesError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return files


class ResultOutput(serializers.Serializer):
    verdict = serializers.CharField()
    score = serializers.FloatField()
    message = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    checks = serializers.ListField(child=serializers.DictField())
    metrics = serializers.DictField()
    log = serializers.CharField()


class SubmissionOutput(serializers.Serializer):
    id = serializers.UUIDField()
    challenge = serializers.CharField(source="challenge_version.challenge.slug")
    version = serializers.IntegerField(source="challenge_version.number")
    device = serializers.CharField()
    device_class = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    result = serializers.SerializerMethodField()

    def get_result(self, obj) -> dict | None:
        result = getattr(obj, "result", None)
        if result is None or obj.status != "graded":
            return None
        return ResultOutput(result).data
