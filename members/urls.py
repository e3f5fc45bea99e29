from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.members_home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("profile/<int:pk>/evidence/", views.profile_evidence, name="profile_evidence"),
    path("access/", views.access_again, name="access_again"),
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/<int:pk>/download/", views.resource_download, name="resource_download"),
    path("networks/", views.network_list, name="network_list"),
    path("networks/<slug:slug>/", views.network_detail, name="network_detail"),
    path("networks/<slug:slug>/join/", views.join_network, name="network_join"),
    path("networks/<slug:slug>/leave/", views.leave_network, name="network_leave"),
    path("my-data/", views.my_data, name="my_data"),
]
