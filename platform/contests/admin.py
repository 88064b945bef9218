from django.contrib import admin

from contests.models import AuditEvent, Contest, ContestChallenge, ContestSubmission, Invitation, Participant, Verification


class ContestChallengeInline(admin.TabularInline):
    model = ContestChallenge
    extra = 1


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "starts_at", "ends_at", "freeze_at", "device_class", "registration", "published_at")
    inlines = [ContestChallengeInline]
    filter_horizontal = ("organisers",)


@admin.register(ContestSubmission)
class ContestSubmissionAdmin(admin.ModelAdmin):
    """Read-only here: disqualification goes through the contest page (it is audited)."""

    list_display = ("contest", "user", "challenge", "created_at", "disqualified_at")
    list_filter = ("contest",)
    readonly_fields = [f.name for f in ContestSubmission._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("contest", "action", "actor", "entry", "created_at")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register([Invitation, Participant, Verification])
