import re

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from .enums import ReferenceType


class Topic(models.Model):
    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('reading_list:list')}?topic={self.slug}"


class Reference(models.Model):
    """One recommended reading. Authors and editors are one per line, "Surname, Initials"."""

    key = models.SlugField(
        "citation key", max_length=80, unique=True, help_text="Used in BibTeX exports, e.g. “lemma2011brief”."
    )
    reference_type = models.CharField(max_length=10, choices=ReferenceType.choices)
    authors = models.TextField(help_text="One per line, “Surname, Initials.”, in the order published.")
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty when in press, or when the source gives none (shown “n.d.”)."
    )
    in_press = models.BooleanField(default=False)
    title = models.CharField(max_length=400)
    container_title = models.CharField(
        "journal or book", max_length=300, blank=True, help_text="The journal of an article; the book of a chapter."
    )
    editors = models.TextField(blank=True, help_text="Of the book a chapter appears in; one per line.")
    edition = models.CharField(max_length=50, blank=True, help_text="E.g. “3rd”.")
    volume = models.CharField(max_length=30, blank=True)
    issue = models.CharField(max_length=30, blank=True)
    pages = models.CharField(max_length=30, blank=True, help_text="E.g. “329-346”.")
    publisher = models.CharField(max_length=200, blank=True)
    place = models.CharField("place of publication", max_length=100, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True, help_text="Only where known for certain, e.g. 10.1521/…")
    url = models.URLField("web address", blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="E.g. “particularly the chapter …”.")
    source_correction = models.CharField(
        "corrected from the source",
        max_length=300,
        blank=True,
        help_text="Where this entry corrects a typo of the Centre's list: what it printed, e.g. “the book's title, "
        "printed ‘Off the coach’”. Shown with the reference and in the exports' note.",
    )
    is_about_dit = models.BooleanField(
        "directly about DIT", default=False, help_text="Marked on the list (bold on the Centre's old page)."
    )
    topics = models.ManyToManyField(Topic, related_name="references", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["authors", "year", "title"]

    def __str__(self):
        return f"{self.first_author_surname} ({self.year_display}) {self.title}"

    SINGLE_LINE_FIELDS = [
        "title",
        "container_title",
        "edition",
        "volume",
        "issue",
        "pages",
        "publisher",
        "place",
        "doi",
        "note",
        "source_correction",
    ]

    def clean(self):
        """Single-line fields stay on one line: the exports would otherwise carry a line break."""
        errors = {
            name: "Keep this on one line."
            for name in self.SINGLE_LINE_FIELDS
            if re.search(r"[\r\n\x0b\x0c\x85\u2028\u2029]", getattr(self, name) or "")
        }
        if errors:
            raise ValidationError(errors)

    @property
    def author_list(self):
        return [line.strip() for line in self.authors.splitlines() if line.strip()]

    @property
    def editor_list(self):
        return [line.strip() for line in self.editors.splitlines() if line.strip()]

    @property
    def first_author_surname(self):
        authors = self.author_list
        return authors[0].split(",")[0] if authors else ""

    @property
    def year_display(self):
        if self.in_press:
            return "in press"
        return "n.d." if self.year is None else str(self.year)

    @property
    def correction_note(self):
        return f"Corrected from the source: {self.source_correction}." if self.source_correction else ""

    @property
    def export_note(self):
        """The note the exports carry: the reference's own, then any correction of the source."""
        return " ".join(part for part in (self.note, self.correction_note) if part)

    @property
    def first_page(self):
        return self.pages.replace("–", "-").split("-")[0].strip() if self.pages else ""

    @property
    def last_page(self):
        parts = self.pages.replace("–", "-").split("-")
        return parts[-1].strip() if len(parts) > 1 else ""
