"""Output shapes of leaderboards and contests (rows are the owning apps' dataclasses)."""
import functools

from django.urls import reverse
from rest_framework import serializers

from api.serializers import DEVICE_CLASS_PATTERN


_DATETIME = serializers.DateTimeField()


@functools.lru_cache(maxsize=1)
def _entry_url_prefix() -> str:
    marker = "00000000-0000-0000-0000-000000000000"
    return reverse("leaderboard_entry", kwargs={"submission_id": marker}).removesuffix(f"{marker}/")


def board_row_data(row) -> dict:
    """A BoardRowOutput, built directly: a board is up to 500 rows, and DRF's field machinery
    cost most of the endpoint's time (docs/leaderboards.md). The schema stays BoardRowOutput's,
    and a test holds the two to the same output."""
    return {
        "entry_url": f"{_entry_url_prefix()}{row.submission_id}/",
        "rank": row.rank,
        "username": row.username,
        "score": float(row.score),
        "speedup": None if row.speedup is None else float(row.speedup),
        "speedup_ci": [float(v) for v in row.speedup_ci] if row.speedup_ci else None,
        "submitted_at": _DATETIME.to_representation(row.submitted_at),
        "submission_id": str(row.submission_id),
        "flags": [str(f) for f in row.flags],
    }


def global_row_data(row) -> dict:
    """A GlobalRowOutput, built directly (see board_row_data)."""
    return {
        "rank": row.rank,
        "username": row.username,
        "total_score": float(row.total_score),
        "challenges": int(row.challenges),
        "last_improved_at": _DATETIME.to_representation(row.last_improved_at),
    }


class BoardQuery(serializers.Serializer):
    device_class = serializers.RegexField(DEVICE_CLASS_PATTERN, required=False, default="cpu")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=10_000_000, default=0)


class EntryLinkMixin(serializers.Serializer):
    entry_url = serializers.SerializerMethodField(help_text="the entry's page (its code stays private unless the contest made it public)")

    def get_entry_url(self, obj) -> str:
        return reverse("leaderboard_entry", kwargs={"submission_id": obj.submission_id})


class BoardRowOutput(EntryLinkMixin):
    rank = serializers.IntegerField()
    username = serializers.CharField()
    score = serializers.FloatField()
    speedup = serializers.FloatField(allow_null=True, help_text="geometric mean across shapes")
    speedup_ci = serializers.ListField(child=serializers.FloatField(), allow_null=True, help_text="95% CI [low, high]")
    submitted_at = serializers.DateTimeField()
    submission_id = serializers.UUIDField()
    flags = serializers.ListField(child=serializers.CharField(), help_text="noisy, timing_mismatch: marked on the board")


class ChallengeBoardOutput(serializers.Serializer):
    challenge = serializers.CharField()
    device_class = serializers.CharField()
    device_classes = serializers.ListField(child=serializers.CharField(), help_text="classes with entries on this challenge")
    size = serializers.IntegerField(help_text="how many users the board ranks")
    rows = BoardRowOutput(many=True)
    me = BoardRowOutput(allow_null=True, help_text="your own row, wherever it is; null when you have none")


class GlobalRowOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    username = serializers.CharField()
    total_score = serializers.FloatField(help_text="sum of best scores")
    challenges = serializers.IntegerField()
    last_improved_at = serializers.DateTimeField()


class GlobalBoardOutput(serializers.Serializer):
    device_class = serializers.CharField()
    device_classes = serializers.ListField(child=serializers.CharField())
    size = serializers.IntegerField()
    rows = GlobalRowOutput(many=True)


class ContestOutput(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    freeze_at = serializers.DateTimeField(allow_null=True)
    device_class = serializers.CharField()
    registration = serializers.CharField(help_text="open or invite")
    rate_limit_count = serializers.IntegerField(help_text="submissions per user per window")
    rate_limit_window_s = serializers.IntegerField()
    phase = serializers.SerializerMethodField(help_text="upcoming, running, frozen, ended or published")
    challenges = serializers.SerializerMethodField()
    registered = serializers.SerializerMethodField(help_text="whether you are registered; null when not logged in")

    def get_phase(self, obj) -> str:
        from contests.selectors import contest_phase

        return contest_phase(contest=obj)

    def get_challenges(self, obj) -> list[str]:
        return [cc.challenge.slug for cc in obj.contest_challenges.all()]

    def get_registered(self, obj) -> bool | None:
        registered = self.context.get("registered_ids")
        return None if registered is None else obj.pk in registered


class ContestDetailOutput(ContestOutput):
    rules_md = serializers.CharField()
    submissions_left = serializers.SerializerMethodField(help_text="what the rate limit allows you now; null unless registered")

    def get_submissions_left(self, obj) -> int | None:
        return self.context.get("submissions_left")


class RegistrationOutput(serializers.Serializer):
    contest = serializers.CharField(source="contest.slug")
    username = serializers.CharField(source="user.username")
    registered_at = serializers.DateTimeField()


class BoardCellOutput(serializers.Serializer):
    submission_id = serializers.UUIDField()
    score = serializers.FloatField()
    speedup = serializers.FloatField(allow_null=True)
    speedup_ci = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    submitted_at = serializers.DateTimeField()
    flags = serializers.ListField(child=serializers.CharField())
    verified = serializers.BooleanField(help_text="re-graded with fresh seeds and reproduced")
    demoted = serializers.BooleanField(help_text="re-graded and did not reproduce: counts with the re-grading's score")
    note = serializers.CharField(help_text="why it was demoted")


class StandingRowOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    username = serializers.CharField()
    total_score = serializers.FloatField()
    speedup = serializers.FloatField(allow_null=True)
    last_submitted_at = serializers.DateTimeField()
    cells = serializers.DictField(child=BoardCellOutput(), help_text="by challenge slug")


class DisqualifiedOutput(serializers.Serializer):
    submission_id = serializers.UUIDField()
    username = serializers.CharField()
    challenge_slug = serializers.CharField()
    reason = serializers.CharField()
    disqualified_at = serializers.DateTimeField()


class ContestBoardOutput(serializers.Serializer):
    contest = serializers.CharField(source="contest_slug")
    challenges = serializers.ListField(child=serializers.CharField())
    live = serializers.BooleanField(help_text="false: the board frozen as of `as_of` (organisers see it live)")
    as_of = serializers.DateTimeField(allow_null=True)
    final = serializers.BooleanField(help_text="published: the standings are final")
    rows = StandingRowOutput(many=True)
    disqualified = DisqualifiedOutput(many=True, help_text="organisers only")
