from django.conf import settings
from django.db import models


class Challenge(models.Model):
    """A challenge slug. Its content lives in versions; a changed package makes a new one."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    difficulty = models.CharField(max_length=10)
    tags = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True, help_text="False once the package left every catalog root")
    current_version = models.ForeignKey("ChallengeVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class ChallengeVersion(models.Model):
    """An immutable snapshot of a package: submissions keep the version they were graded on."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    spec = models.JSONField(help_text="challenge.toml as loaded; never served to candidates")
    statement_md = models.TextField()
    statement_html = models.TextField()
    hints_md = models.TextField(blank=True)
    editorial_md = models.TextField(blank=True)
    starter_files = models.JSONField(default=dict, blank=True)
    entry_file = models.CharField(max_length=100)
    device_kinds = models.JSONField(default=list)
    package_archive = models.BinaryField(help_text="the whole package (hidden files included), tar.gz")
    source_path = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "number"], name="unique_version_number"),
            models.UniqueConstraint(fields=["challenge", "content_hash"], name="unique_version_content"),
        ]

    def __str__(self) -> str:
        return f"{self.challenge.slug} v{self.number}"


class HintReveal(models.Model):
    """A user asked to see one more hint of a challenge (hints are revealed one at a time, in order)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hint_reveals")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="hint_reveals")
    index = models.PositiveSmallIntegerField(help_text="0 for the first hint")
    revealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "challenge", "index"]
        constraints = [models.UniqueConstraint(fields=["user", "challenge", "index"], name="unique_hint_reveal")]

    def __str__(self) -> str:
        return f"{self.user} saw hint {self.index + 1} of {self.challenge}"
