from django.contrib import admin

from leaderboards.models import BestEntry, UserTotal


@admin.register(BestEntry)
class BestEntryAdmin(admin.ModelAdmin):
    """Derived rows (services.best_entry_refresh): read-only."""

    list_display = ("challenge", "device_class", "user", "score", "speedup", "submitted_at")
    list_filter = ("device_class", "challenge")
    readonly_fields = [f.name for f in BestEntry._meta.fields]


@admin.register(UserTotal)
class UserTotalAdmin(admin.ModelAdmin):
    list_display = ("device_class", "user", "total_score", "challenges", "last_improved_at")
    readonly_fields = [f.name for f in UserTotal._meta.fields]
