"""The recommended reading against its source, the Centre's page (../shared/seeds/): every
detail the portal shows is one the page gives; a typo the portal corrects is marked, on the
page and in the exports."""

import re
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
import rispy
from django.urls import reverse

from reading_list.models import Reference
from reading_list.seed import REFERENCES, UNVERIFIED, remove_unverified_details

pytestmark = pytest.mark.django_db

SOURCE = Path("/work/shared/seeds/000_d4ba63f0309febc8.txt")
# Abbreviations the portal writes out.
WRITTEN_OUT = {
    "International Journal of Psycho-Analysis": ("Int. J. Psycho-Anal.", "Int. J. Psychoanal."),
    "Oxford University Press": ("OUP",),
    "http://www.ucl.ac.uk/CORE": ("www.ucl.ac.uk/CORE",),
}


def plain(text):
    """Lower case, one kind of quote and dash, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[‘’“”\"']", "", text)
    text = re.sub(r"[–—-]", "-", text)
    return " ".join(text.split())


def source_entries():
    text = SOURCE.read_text()
    section = text[text.index("Recommended reading") : text.index("FAQs Members area")]
    return [plain(entry) for entry in section.split("\n\n")[1:] if entry.strip()]


def entry_for(reference):
    title = plain(reference.title)[:45]
    [entry] = [e for e in source_entries() if plain(reference.first_author_surname) in e and title in e]
    return entry


def given(value, entry):
    return any(plain(form) in entry for form in (value, *WRITTEN_OUT.get(value, ())))


def test_every_detail_shown_is_given_by_the_source():
    for reference in Reference.objects.all():
        entry = entry_for(reference)
        for name in ("year", "volume", "issue", "pages", "publisher", "place", "edition", "doi", "url"):
            value = getattr(reference, name)
            if value:
                assert given(str(value), entry), (reference.key, name, value)
        for person in reference.author_list + reference.editor_list:
            assert plain(person.split(",")[0]) in entry, (reference.key, person)
        if reference.container_title and not reference.source_correction:
            assert given(reference.container_title, entry), reference.key
        if reference.year is None and not reference.in_press:
            assert not re.search(r"\b(19|20)\d\d\b", entry.split(reference.title[:10].lower())[0]), reference.key


def test_the_unverified_details_are_gone():
    douglas = Reference.objects.get(key="douglas-nd-dynamic")
    leonidaki = Reference.objects.get(key="leonidaki-nd-clients")
    assert (douglas.year, leonidaki.year) == (None, None)
    assert douglas.year_display == "n.d." and not douglas.in_press
    assert Reference.objects.get(key="lemma2011development").doi == ""
    assert Reference.objects.get(key="lemma2010introduction").editor_list == []
    assert not Reference.objects.exclude(doi="").exists()  # the source gives no DOI


def test_each_correction_of_the_source_says_what_the_source_printed():
    corrected = {reference.key: reference for reference in Reference.objects.exclude(source_correction="")}
    assert set(corrected) == {"lemma2010introduction", "lemma2011development"}
    for reference in corrected.values():
        printed = re.search(r"printed “(.+)”", reference.source_correction).group(1)
        entry = entry_for(reference)
        assert plain(printed) in entry  # what the source says
        assert plain(reference.container_title) not in entry  # and the portal shows otherwise
    assert "Off the couch" in corrected["lemma2010introduction"].container_title


def test_the_page_and_the_exports_show_the_corrections(client):
    page = " ".join(client.get(reverse("reading_list:list")).content.decode().split())
    assert "Corrected from the source: the book’s title, printed “Off the coach”." in page.replace("&#x27;", "’")
    assert "Lemma, A., Patrick, M. (2010). Introduction" in page
    assert "Douglas, A., Ablett-Tate, N., Chad, N. (n.d.)." in page
    bibtex = bibtexparser.parse_string(client.get(reverse("reading_list:export_bibtex")).content.decode())
    entries = {entry.key: entry.fields_dict for entry in bibtex.entries}
    assert entries["lemma2010introduction"]["note"].value.startswith("Corrected from the source: the book")
    assert "editor" not in entries["lemma2010introduction"]
    assert "year" not in entries["douglas-nd-dynamic"] and "pubstate" not in entries["douglas-nd-dynamic"]
    records = {record["id"]: record for record in rispy.loads(client.get(reverse("reading_list:export_ris")).text)}
    assert any(note.startswith("Corrected from the source") for note in records["lemma2011development"]["notes"])
    assert "doi" not in records["lemma2011development"]


def test_the_data_migration_takes_the_details_out_of_a_database_seeded_before():
    """As reading_list 0002 entered them; a coordinator's own change is kept."""
    Reference.objects.filter(key="douglas-nd-dynamic").update(key="douglas2016dynamic", year=2016)
    Reference.objects.filter(key="leonidaki-nd-clients").update(key="leonidaki2016clients", year=2015)  # edited
    Reference.objects.filter(key="lemma2011development").update(doi="10.1521/psyc.2011.74.1.41", source_correction="")
    Reference.objects.filter(key="lemma2010introduction").update(editors="Lemma, A.\nPatrick, M.", source_correction="")
    remove_unverified_details(Reference)
    assert Reference.objects.get(key="douglas-nd-dynamic").year is None
    assert Reference.objects.get(key="leonidaki-nd-clients").year == 2015
    assert Reference.objects.get(key="lemma2011development").doi == ""
    assert Reference.objects.get(key="lemma2010introduction").editors == ""
    assert Reference.objects.exclude(source_correction="").count() == 2
    assert set(Reference.objects.values_list("key", flat=True)) == {item["key"] for item in REFERENCES}
    assert {key for key, _details in UNVERIFIED.values()} <= set(Reference.objects.values_list("key", flat=True))
