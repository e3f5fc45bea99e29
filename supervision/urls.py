from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("cases/add/", views.case_add, name="case_add"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/hours/", views.case_hours, name="case_hours"),
    path("cases/<int:pk>/recordings/", views.case_recording, name="case_recording"),
    path("cases/<int:pk>/ended/", views.case_end, name="case_end"),
    path("sessions/add/", views.session_add, name="session_add"),
    path("sessions/<int:pk>/withdraw/", views.session_withdraw, name="session_withdraw"),
    path("cpd/add/", views.cpd_add, name="cpd_add"),
    path("supervising/", views.supervisor_page, name="supervisor"),
    path("supervising/people/<int:pk>/", views.supervisee_detail, name="supervisee"),
    path("supervising/sessions/<int:pk>/confirm/", views.session_confirm, name="session_confirm"),
    path("supervising/sessions/<int:pk>/dispute/", views.session_dispute, name="session_dispute"),
    path("supervising/recordings/<int:pk>/rate/", views.recording_rate, name="recording_rate"),
    path("supervising/cases/<int:pk>/confirm/", views.case_confirm_close, name="case_confirm_close"),
    path("directory/", views.directory, name="directory"),
    path("directory/mine/", views.listing, name="listing"),
    path("directory/<int:pk>/contact/", views.contact, name="contact"),
]
