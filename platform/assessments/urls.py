from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    # members
    path("orgs/", views.org_list, name="orgs"),
    path("orgs/join/<str:token>/", views.member_join, name="member_join"),
    path("orgs/<slug:slug>/", views.org_detail, name="org"),
    path("orgs/<slug:slug>/members/invite/", views.member_invite, name="member_invite"),
    path("orgs/<slug:slug>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("orgs/<slug:slug>/reviews/", views.review_queue, name="review_queue"),
    path("orgs/<slug:slug>/audit/", views.audit, name="audit"),
    path("hiring/assessments/<int:assessment_id>/", views.assessment_detail, name="assessment"),
    path("hiring/assessments/<int:assessment_id>/invite/", views.invitation_new, name="invite"),
    path("hiring/assessments/<int:assessment_id>/export.csv", views.comparison_csv, name="comparison_csv"),
    path("hiring/invitations/<int:invitation_id>/resend/", views.invitation_resend, name="resend"),
    path("hiring/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="revoke"),
    path("hiring/sessions/<int:session_id>/", views.report, name="report"),
    path("hiring/sessions/<int:session_id>/print/", views.report_print, name="report_print"),
    path("hiring/sessions/<int:session_id>/report.json", views.report_json, name="report_json"),
    path("hiring/sessions/<int:session_id>/report.csv", views.report_csv, name="report_csv"),
    path("hiring/sessions/<int:session_id>/similar/<int:other_id>/<int:item_id>/", views.similarity_view, name="similarity"),
    path("hiring/reviews/<int:review_id>/", views.review, name="review"),
    path("hiring/reviews/<int:review_id>/marks/<int:mark_id>/override/", views.review_override, name="override"),
    path("hiring/reviews/<int:review_id>/sign-off/", views.review_sign_off, name="sign_off"),
    # candidates: the token is the only key
    path("assess/<str:token>/", views.candidate, name="candidate"),
    path("assess/<str:token>/start/", views.candidate_start, name="candidate_start"),
    path("assess/<str:token>/clock/", views.candidate_clock, name="candidate_clock"),
    path("assess/<str:token>/items/<int:item_id>/", views.candidate_item, name="candidate_item"),
    path("assess/<str:token>/items/<int:item_id>/save/", views.candidate_save, name="candidate_save"),
    path("assess/<str:token>/items/<int:item_id>/upload/", views.candidate_upload, name="candidate_upload"),
    path("assess/<str:token>/items/<int:item_id>/files.zip", views.candidate_download, name="candidate_download"),
    path("assess/<str:token>/finish/", views.candidate_finish, name="candidate_finish"),
]
