"""The contact page, at /contact/ (outside the members area: anyone may write)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.contact, name="contact"),
    path("sent/", views.contact_sent, name="contact_sent"),
]
