from django.contrib import admin

from catalog.models import Challenge, ChallengeVersion, HintReveal


class ChallengeVersionInline(admin.TabularInline):
    model = ChallengeVersion
    fields = ("number", "content_hash", "entry_file", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "kind", "difficulty", "is_active", "current_version")
    list_filter = ("kind", "difficulty", "is_active")
    search_fields = ("slug", "title")
    inlines = [ChallengeVersionInline]


@admin.register(ChallengeVersion)
class ChallengeVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "content_hash", "created_at")
    list_filter = ("challenge",)
    exclude = ("package_archive",)
    readonly_fields = ("challenge", "number", "content_hash", "spec", "entry_file", "device_kinds", "source_path", "created_at")


@admin.register(HintReveal)
class HintRevealAdmin(admin.ModelAdmin):
    list_display = ("user", "challenge", "index", "revealed_at")
    list_filter = ("challenge",)
    search_fields = ("user__username",)
