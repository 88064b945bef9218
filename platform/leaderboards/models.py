"""Denormalised boards: one best entry per (user, challenge, device class) and one total per
(user, device class), kept up to date whenever a Result is saved (see services.py), so that a
board is one indexed range scan however many submissions there are."""
from django.conf import settings
from django.db import models


class BestEntry(models.Model):
    """A user's best counted submission on one challenge and device class."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="best_entries")
    challenge = models.ForeignKey("catalog.Challenge", on_delete=models.CASCADE, related_name="best_entries")
    device_class = models.CharField(max_length=20)
    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    speedup = models.FloatField(null=True, blank=True, help_text="geometric mean over shapes (metrics.speedup)")
    # The ordering key for speedup: speedup, or 0 when there is none, so that one plain
    # index serves the board's ordering on every database (NULLs sort differently).
    rank_speedup = models.FloatField(default=0.0)
    speedup_ci_low = models.FloatField(null=True, blank=True)
    speedup_ci_high = models.FloatField(null=True, blank=True)
    noisy = models.BooleanField(default=False)
    timing_mismatch = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "challenge", "device_class"], name="lb_one_best_entry")]
        indexes = [
            # the board's whole ORDER BY (ranking.BOARD_ORDER, id last), so LIMIT reads only its rows
            models.Index(fields=["challenge", "device_class", "-score", "-rank_speedup", "submitted_at", "id"], name="lb_board_order2"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.challenge} ({self.device_class}): {self.score:g}"


class UserTotal(models.Model):
    """The sum of a user's best scores on one device class: the global board."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leaderboard_totals")
    device_class = models.CharField(max_length=20)
    total_score = models.FloatField()
    challenges = models.PositiveIntegerField(help_text="challenges with a counted entry")
    last_improved_at = models.DateTimeField(help_text="the latest best entry's submission time (tie-break: earlier wins)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "device_class"], name="lb_one_total")]
        indexes = [models.Index(fields=["device_class", "-total_score", "-challenges", "last_improved_at", "id"], name="lb_global_order2")]

    def __str__(self) -> str:
        return f"{self.user} ({self.device_class}): {self.total_score:g}"
