"""The recommended reading: every reference of the Centre's list, the public page, and the
BibTeX and RIS exports read back with real parsers."""

import re

import bibtexparser
import pytest
import rispy
from django.urls import reverse

from reading_list.models import Reference, Topic
from reading_list.seed import REFERENCES, TOPICS, seed_reading_list

pytestmark = pytest.mark.django_db

SEED_PAGE = "/work/shared/seeds/000_d4ba63f0309febc8.txt"


def test_every_reference_of_the_source_page_is_entered():
    assert len(REFERENCES) == 26
    assert Reference.objects.count() == 26
    assert set(Reference.objects.values_list("key", flat=True)) == {item["key"] for item in REFERENCES}
    assert Reference.objects.filter(is_about_dit=True).count() == 6
    every_topic = Topic.objects.count()
    assert every_topic == len(TOPICS)
    assert not Reference.objects.filter(topics=None).exists()


def test_the_seed_is_idempotent_and_restores_edits():
    reference = Reference.objects.get(key="lemma2011brief")
    reference.title = "Changed"
    reference.save()
    seed_reading_list(Topic, Reference)
    assert Reference.objects.count() == 26
    assert Reference.objects.get(key="lemma2011brief").title == "Brief Dynamic Interpersonal Therapy"


def test_a_reference_keeps_every_published_detail():
    pilot = Reference.objects.get(key="lemma2011development")
    assert pilot.author_list == ["Lemma, A.", "Target, M.", "Fonagy, P."]
    assert (pilot.year, pilot.volume, pilot.issue, pilot.pages) == (2011, "74", "1", "41-48")
    assert pilot.is_about_dit
    chapter = Reference.objects.get(key="luyten2012assessment")
    assert chapter.editor_list == ["Bateman, A.", "Fonagy, P."]
    assert (chapter.publisher, chapter.place, chapter.pages) == (
        "American Psychiatric Association",
        "Washington, DC",
        "43-65",
    )
    in_press = Reference.objects.get(key="luyten-inpress-mentalising")
    assert in_press.year is None and in_press.in_press and in_press.year_display == "in press"


def test_the_page_groups_by_topic_and_marks_the_dit_works(client):
    text = client.get(reverse("reading_list:list")).content.decode()
    assert "26 references, 6 directly about DIT" in text
    assert text.index(">Dynamic Interpersonal Therapy</h2>") < text.index("Brief Dynamic Interpersonal Therapy")
    assert text.count('badge text-bg-primary">About DIT') >= 6
    for name in Topic.objects.values_list("name", flat=True):
        assert f">{name}</h2>" in text


def test_search_and_filters(client):
    found = client.get(reverse("reading_list:list"), {"q": "Bowlby"})
    assert [ref.key for _topic, refs in found.context["groups"] for ref in refs] == ["bowlby1958nature"]
    dit = client.get(reverse("reading_list:list"), {"dit": "on"})
    assert dit.context["count"] == 6
    topic = client.get(reverse("reading_list:list"), {"topic": "depression"})
    assert [group[0].slug for group in topic.context["groups"]] == ["depression"]
    chapters = client.get(reverse("reading_list:list"), {"kind": "chapter"})
    assert chapters.context["count"] == 3
    nothing = client.get(reverse("reading_list:list"), {"q": "zzz-nothing"})
    assert "No reference matches" in nothing.content.decode()


def _bibtex_entries(response):
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert response["Content-Disposition"] == 'attachment; filename="dit-recommended-reading.bib"'
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks
    return {entry.key: entry for entry in library.entries}


def test_the_whole_list_as_bibtex_keeps_every_field_of_every_reference(client):
    entries = _bibtex_entries(client.get(reverse("reading_list:export_bibtex")))
    assert len(entries) == 26
    for reference in Reference.objects.prefetch_related("topics"):
        entry = entries[reference.key]
        fields = entry.fields_dict
        assert fields["author"].value == " and ".join(reference.author_list)
        assert fields["title"].value == reference.title
        if reference.year:
            assert fields["year"].value == str(reference.year)
        elif reference.in_press:
            assert fields["pubstate"].value == "inpress"
        else:
            assert "year" not in fields and "pubstate" not in fields
        expected = {
            "editor": " and ".join(reference.editor_list),
            "edition": reference.edition,
            "volume": reference.volume,
            "number": reference.issue,
            "pages": reference.pages.replace("-", "--"),
            "address": reference.place,
            "doi": reference.doi,
            "url": reference.url,
            "note": reference.export_note,
        }
        for name, value in expected.items():
            if value:
                assert fields[name].value == value, (reference.key, name)
            else:
                assert name not in fields, (reference.key, name)
        if reference.publisher:
            publisher_field = "institution" if entry.entry_type == "techreport" else "publisher"
            assert fields[publisher_field].value == reference.publisher
        if reference.container_title:
            container = {"article": "journal", "incollection": "booktitle"}[entry.entry_type]
            assert fields[container].value == reference.container_title
        assert fields["keywords"].value == ", ".join(topic.name for topic in reference.topics.all())
    assert entries["lemma2011development"].entry_type == "article"
    assert entries["luyten2012assessment"].entry_type == "incollection"


def test_the_whole_list_as_ris_keeps_every_field_of_every_reference(client):
    response = client.get(reverse("reading_list:export_ris"))
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    records = {record["id"]: record for record in rispy.loads(response.content.decode())}
    assert len(records) == 26
    types = {"article": "JOUR", "book": "BOOK", "chapter": "CHAP", "report": "RPRT"}
    for reference in Reference.objects.prefetch_related("topics"):
        record = records[reference.key]
        assert record["type_of_reference"] == types[reference.reference_type]
        assert record["authors"] == reference.author_list
        assert record.get("secondary_authors", []) == reference.editor_list
        assert record["title"] == reference.title
        assert record.get("year", "") == (str(reference.year) if reference.year else "")
        assert record.get("secondary_title", "") == reference.container_title
        pages = "-".join(part for part in (record.get("start_page", ""), record.get("end_page", "")) if part)
        assert pages == reference.pages
        for key, value in {
            "edition": reference.edition,
            "volume": reference.volume,
            "number": reference.issue,
            "publisher": reference.publisher,
            "place_published": reference.place,
            "doi": reference.doi,
        }.items():
            assert record.get(key, "") == value, (reference.key, key)
        assert record.get("urls", []) == ([reference.url] if reference.url else [])
        assert record["keywords"] == [topic.name for topic in reference.topics.all()]
        notes = record.get("notes", [])
        assert (reference.note in notes) if reference.note else True
        assert (reference.correction_note in notes) if reference.correction_note else True
        assert ("In press" in notes) is reference.in_press


def test_a_selection_or_a_filter_exports_only_those(client):
    selected = _bibtex_entries(
        client.get(reverse("reading_list:export_bibtex"), {"ref": ["bowlby1958nature", "lemma2011brief"]})
    )
    assert set(selected) == {"bowlby1958nature", "lemma2011brief"}
    dit = rispy.loads(client.get(reverse("reading_list:export_ris"), {"dit": "on"}).content.decode())
    assert len(dit) == 6


def test_an_unknown_selection_is_refused_clearly(client):
    response = client.get(reverse("reading_list:export_bibtex"), {"ref": ["no-such-reference"]})
    assert response.status_code == 400
    assert "could not be made" in response.content.decode()


def test_coordinators_add_a_reference_in_the_admin_and_it_is_listed(client):
    from members import roles
    from tests.factories import staff_with_totp

    client.force_login(staff_with_totp(roles.COORDINATOR))
    topic = Topic.objects.get(slug="dit")
    response = client.post(
        reverse("admin:reading_list_reference_add"),
        {
            "reference_type": "article",
            "authors": "Fonagy, P.\nLemma, A.",
            "year": "2024",
            "title": "A new paper on DIT",
            "is_about_dit": "on",
            "topics": [topic.pk],
            "container_title": "Psychoanalytic Psychotherapy",
            "key": "fonagy2024new",
        },
    )
    assert response.status_code == 302
    text = client.get(reverse("reading_list:list")).content.decode()
    assert "A new paper on DIT" in text
    assert "27 references, 7 directly about DIT" in text


# Hostile text typed by staff cannot add or change references in the public exports -------

HOSTILE_TITLE = "Closing} early, note = {injected}}\n@misc{evil, title = {Injected entry}}"
HOSTILE_NOTE = "Read this\nER  - \nTY  - JOUR\nID  - evil\nTI  - Injected record\nER  - "
HOSTILE_AUTHORS = "Brace}, A.\nSmith, J. and Evil, E.\nBack\\slash, {B}.\n@misc{x,"


@pytest.fixture
def hostile():
    topic = Topic.objects.create(name="Tricky } topic", slug="tricky")
    reference = Reference.objects.create(
        key="hostile2026",
        reference_type="article",
        authors=HOSTILE_AUTHORS,
        year=2026,
        title=HOSTILE_TITLE,
        container_title="Journal of {Braces}",
        volume="1}",
        pages="1-2",
        note=HOSTILE_NOTE,
        publisher="Pub \\ lisher",
    )
    reference.topics.add(topic)
    return reference


def _one_line(value):
    return " ".join(value.split())


def _bibtex_unescaped(value):
    return re.sub(r"\\textbackslash\{\}|\\([{}])", lambda match: match.group(1) or "\\", value)


def _bibtex_names(value):
    """Split at top-level " and ", as BibTeX does, dropping the braces that protect a name."""
    names, depth, current, index = [], 0, "", 0
    while index < len(value):
        if value.startswith("\\{", index) or value.startswith("\\}", index):
            current += value[index : index + 2]
            index += 2
            continue
        char = value[index]
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and value.startswith(" and ", index):
            names.append(current)
            current, index = "", index + 5
            continue
        current += char
        index += 1
    names.append(current)
    return [_bibtex_unescaped(name[1:-1] if name.startswith("{") and name.endswith("}") else name) for name in names]


def test_hostile_text_exports_as_bibtex_with_exactly_the_references_and_their_fields(client, hostile):
    entries = _bibtex_entries(client.get(reverse("reading_list:export_bibtex")))
    assert set(entries) == set(Reference.objects.values_list("key", flat=True))
    fields = {name: field.value for name, field in entries[hostile.key].fields_dict.items()}
    assert set(fields) == {"author", "title", "journal", "year", "volume", "pages", "publisher", "note", "keywords"}
    assert _bibtex_names(fields["author"]) == [_one_line(name) for name in hostile.author_list]
    assert _bibtex_unescaped(fields["title"]) == _one_line(HOSTILE_TITLE)
    assert _bibtex_unescaped(fields["note"]) == _one_line(HOSTILE_NOTE)
    assert _bibtex_unescaped(fields["journal"]) == "Journal of {Braces}"
    assert _bibtex_unescaped(fields["volume"]) == "1}"
    assert _bibtex_unescaped(fields["publisher"]) == "Pub \\ lisher"
    assert _bibtex_unescaped(fields["keywords"]) == "Tricky } topic"


def test_hostile_text_exports_as_ris_with_exactly_the_references_and_their_fields(client, hostile):
    records = rispy.loads(client.get(reverse("reading_list:export_ris")).content.decode())
    assert sorted(record["id"] for record in records) == sorted(Reference.objects.values_list("key", flat=True))
    record = next(record for record in records if record["id"] == hostile.key)
    assert record["title"] == _one_line(HOSTILE_TITLE)
    assert record["notes"] == [_one_line(HOSTILE_NOTE)]
    assert record["authors"] == [_one_line(name) for name in hostile.author_list]
    assert record["keywords"] == ["Tricky } topic"]
    assert (record["volume"], record["publisher"]) == ("1}", "Pub \\ lisher")


def test_the_admin_keeps_single_line_fields_on_one_line(hostile):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        hostile.full_clean()
    assert set(error.value.message_dict) == {"title", "note"}
    assert error.value.message_dict["note"] == ["Keep this on one line."]


def test_the_page_lists_each_reference_once_with_all_its_topics(client):
    """The count said 26 while 29 entries were listed (three references under two topics)."""
    html = client.get(reverse("reading_list:list")).text
    listed = html.count('name="ref"')
    assert "26 references" in html
    assert listed == Reference.objects.count() == 26
    shared = [reference for reference in Reference.objects.all() if reference.topics.count() > 1]
    assert shared, "the seeded list has references under two topics"
    for reference in shared:
        assert html.count(f'value="{reference.key}"') == 1
        for topic in reference.topics.all()[1:]:
            assert f'<a href="#topic-{topic.slug}">{topic.name}</a>' in html


def test_the_ris_export_has_no_numbering_lines_between_records(client):
    text = client.get(reverse("reading_list:export_ris")).content.decode()
    lines = text.splitlines()
    assert lines[0].startswith("TY  - ")
    assert all(line == "" or re_ris_line(line) for line in lines), [
        line for line in lines if line and not re_ris_line(line)
    ]
    assert len(rispy.loads(text)) == 26


def re_ris_line(line):
    import re

    return re.match(r"^[A-Z][A-Z0-9]  - ", line) is not None
