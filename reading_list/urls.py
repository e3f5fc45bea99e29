from django.urls import path

from . import views

app_name = "reading_list"
urlpatterns = [
    path("", views.reading_list, name="list"),
    path("export.bib", views.export_bibtex, name="export_bibtex"),
    path("export.ris", views.export_ris, name="export_ris"),
]
