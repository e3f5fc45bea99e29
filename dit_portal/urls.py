from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("faqs/", views.faqs, name="faqs"),
    path("health/", views.health, name="health"),
    path("health/ready/", views.ready, name="health_ready"),
    path("about/<slug:slug>/", views.page_detail, name="page"),
    path("contact/", include("members.contact_urls")),
    path("accounts/", include("allauth.urls")),
    path("members/", include("members.urls")),
    path("trainings/", include("trainings.urls")),
    path("supervision/", include("supervision.urls")),
    path("pathway/", include("accreditation.urls")),
    path("certificates/", include("certificates.urls")),
    path("credentials/", include("dit_portal.credential_urls")),
    path("register/", include("members.register_urls")),
    path("reminders/", include("reminders.urls")),
    path("providers/", include("providers.urls")),
    path("reading/", include("reading_list.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "dit_portal.views.error_400"
handler403 = "dit_portal.views.error_403"
handler404 = "dit_portal.views.error_404"
handler500 = "dit_portal.views.error_500"
