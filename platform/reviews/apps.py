from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    label = "reviews"
    verbose_name = "Written-answer reviews"
    default_auto_field = "django.db.models.BigAutoField"
