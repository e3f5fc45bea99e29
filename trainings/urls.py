from django.urls import path

from . import views

app_name = "trainings"
urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/<slug:slug>/", views.course_detail, name="course_detail"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/apply/", views.apply, name="apply"),
    path("mine/", views.my_trainings, name="my_trainings"),
    path("mine/<int:pk>/", views.enrolment_detail, name="enrolment_detail"),
    path("mine/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("mine/<int:pk>/calendar.ics", views.enrolment_calendar, name="enrolment_calendar"),
    path("mine/<int:pk>/accept-place/", views.accept_offer, name="accept_offer"),
    path("mine/<int:pk>/decline-place/", views.decline_offer, name="decline_offer"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
