from django.contrib import admin

from assessments.models import (Assessment, AssessmentItem, AuditEntry, CandidateInvitation, CandidateSession, MemberInvite,
                                Membership, Organisation)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "created_at")
    inlines = [MembershipInline]


class ItemInline(admin.TabularInline):
    model = AssessmentItem
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "time_limit_minutes", "device_class", "created_at")
    list_filter = ("organisation",)
    inlines = [ItemInline]


@admin.register(CandidateInvitation)
class CandidateInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "assessment", "sent_at", "opened_at", "expires_at", "revoked_at")
    exclude = ("token",)  # the link is the candidate's secret


@admin.register(CandidateSession)
class CandidateSessionAdmin(admin.ModelAdmin):
    list_display = ("invitation", "started_at", "deadline", "finished_at")
    readonly_fields = ("started_at", "deadline", "consent_at")


@admin.register(MemberInvite)
class MemberInviteAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "expires_at", "accepted_at")
    exclude = ("token",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organisation", "actor", "action", "target")
    list_filter = ("organisation", "action")
    readonly_fields = ("organisation", "actor", "action", "target", "detail", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
