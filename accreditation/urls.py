from django.urls import path

from . import views

app_name = "accreditation"
urlpatterns = [
    path("", views.my_pathway, name="my_pathway"),
    path("case-study/", views.upload_case_study, name="case_study_upload"),
    path("case-study/<int:pk>/file/", views.case_study_file, name="case_study_file"),
    path("letters/", views.upload_letter, name="letter_upload"),
    path("letters/<int:pk>/file/", views.letter_file, name="letter_file"),
    path("trainer-days/", views.trainer_days, name="trainer_days"),
]
