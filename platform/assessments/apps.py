from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    label = "assessments"
    verbose_name = "Hiring assessments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Organisation reviewers may override the written answers of their own assessments.
        from assessments.permissions import register_review_permission

        register_review_permission()
