from django.contrib import admin

from workers.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "device_class", "gpu_model", "free_slots", "last_seen")
    list_filter = ("device_class",)
    readonly_fields = ("hostname", "device_class", "gpu_model", "free_slots", "last_seen")  # written by the heartbeat only
