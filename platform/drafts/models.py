from django.conf import settings
from django.db import models


class Draft(models.Model):
    """A user's unsubmitted work on a challenge, as the editor last autosaved it (all its files).
    An assessment session's work is its own draft (assessments.ItemWork), saved by that app."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    challenge = models.ForeignKey("catalog.Challenge", on_delete=models.CASCADE, related_name="drafts")
    files = models.JSONField(default=dict, help_text="file name -> text, as last autosaved")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "challenge"], name="one_draft_per_user_and_challenge")]

    def __str__(self) -> str:
        return f"draft of {self.challenge_id} by {self.user_id}"
