from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("", views.my_certificates, name="mine"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/open-badge/", views.open_badge, name="open_badge"),
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
