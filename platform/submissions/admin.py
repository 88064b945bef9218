from django.contrib import admin

from submissions.models import Result, Submission


class ResultInline(admin.StackedInline):
    model = Result
    extra = 0
    readonly_fields = ("verdict", "score", "message", "flags", "checks", "metrics", "log", "created_at")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "challenge_version", "device_class", "status", "created_at")
    list_filter = ("status", "device_class", "challenge_version__challenge")
    search_fields = ("id", "user__username")
    readonly_fields = ("created_at", "started_at", "finished_at")
    inlines = [ResultInline]


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ("submission", "verdict", "score", "created_at")
    list_filter = ("verdict",)
