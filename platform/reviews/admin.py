from django.contrib import admin

from reviews.models import CriterionMark, CriterionOverride, WrittenReview


class CriterionMarkInline(admin.TabularInline):
    model = CriterionMark
    extra = 0
    can_delete = False
    fields = ("criterion_id", "kind", "grader_points", "final_points", "max_points", "confidence", "evidence")
    readonly_fields = fields  # change points through an override, which records who and why


@admin.register(WrittenReview)
class WrittenReviewAdmin(admin.ModelAdmin):
    list_display = ("submission", "status", "grader_score", "final_score", "rubric_max", "uncertainty", "created_at")
    list_filter = ("status",)
    ordering = ("-uncertainty",)
    readonly_fields = ("submission", "grader_score", "final_score", "rubric_max", "uncertainty", "flags",
                       "reviewed_by", "reviewed_at")
    inlines = [CriterionMarkInline]


@admin.register(CriterionOverride)
class CriterionOverrideAdmin(admin.ModelAdmin):
    list_display = ("mark", "previous_points", "points", "reviewer", "created_at")
    search_fields = ("reason", "mark__criterion_id")
    readonly_fields = ("mark", "reviewer", "previous_points", "points", "reason", "created_at")

    def has_add_permission(self, request) -> bool:
        return False  # overrides go through reviews.services.criterion_override
