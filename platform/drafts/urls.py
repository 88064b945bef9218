from django.urls import path

from drafts import views

urlpatterns = [
    path("challenges/<slug:slug>/", views.draft, name="draft"),
    path("challenges/<slug:slug>/upload/", views.upload, name="draft_upload"),
    path("challenges/<slug:slug>/files.zip", views.download, name="draft_download"),
]
