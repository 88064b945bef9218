from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:review_id>/", views.review_detail, name="review"),
    path("<int:review_id>/marks/<int:mark_id>/override/", views.override, name="override"),
    path("<int:review_id>/complete/", views.complete, name="complete"),
]
