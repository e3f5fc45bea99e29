from django.urls import path

from . import credential_views

app_name = "credentials"
urlpatterns = [
    path("issuer/", credential_views.issuer, name="issuer"),
    path("jwks.json", credential_views.keys, name="jwks"),
    path("status/", credential_views.status_list, name="status_list"),
]
