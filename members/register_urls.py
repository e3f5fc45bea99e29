from django.urls import path

from . import register_views

app_name = "register"
urlpatterns = [
    path("", register_views.register, name="search"),
    path("achievements/<str:kind>/", register_views.achievement, name="achievement"),
    path("my-credentials/<int:pk>/open-badge/", register_views.credential_badge, name="credential_badge"),
]
