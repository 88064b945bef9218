from django.urls import path

from contests import views

urlpatterns = [
    path("", views.contests_page, name="contests"),
    path("<slug:slug>/", views.contest_page, name="contest"),
    path("<slug:slug>/register/", views.register, name="contest_register"),
    path("<slug:slug>/submit/", views.submit, name="contest_submit"),
    path("<slug:slug>/reverify/", views.reverify, name="contest_reverify"),
    path("<slug:slug>/publish/", views.publish, name="contest_publish"),
    path("<slug:slug>/entries/<uuid:submission_id>/disqualify/", views.disqualify, name="contest_disqualify"),
    path("<slug:slug>/entries/<uuid:submission_id>/reinstate/", views.reinstate, name="contest_reinstate"),
]
