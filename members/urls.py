from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.members_home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("profile/<int:pk>/evidence/", views.profile_evidence, name="profile_evidence"),
    path("my-data/", views.my_data, name="my_data"),
]
