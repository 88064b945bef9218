from django.contrib import admin

from drafts.models import Draft


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ("user", "challenge", "updated_at")
    raw_id_fields = ("user", "challenge")
    readonly_fields = ("updated_at",)
