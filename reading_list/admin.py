from django.contrib import admin
from django.db import models

from .models import Reference, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # an address typed without one is https
    list_display = ["title", "first_author_surname", "year_display", "reference_type", "is_about_dit"]
    list_filter = ["is_about_dit", "reference_type", "topics"]
    search_fields = ["title", "authors", "container_title", "key"]
    filter_horizontal = ["topics"]
    fieldsets = [
        (None, {"fields": ["reference_type", "authors", ("year", "in_press"), "title", "is_about_dit", "topics"]}),
        (
            "Where it appears",
            {"fields": ["container_title", "editors", ("edition", "volume", "issue", "pages"), ("publisher", "place")]},
        ),
        ("Links and notes", {"fields": ["doi", "url", "note", "source_correction", "key"]}),
    ]

    @admin.display(description="First author", ordering="authors")
    def first_author_surname(self, reference):
        return reference.first_author_surname

    @admin.display(description="Year", ordering="year")
    def year_display(self, reference):
        return reference.year_display
