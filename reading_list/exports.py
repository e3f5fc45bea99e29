r"""BibTeX and RIS exports, written by maintained libraries (bibtexparser, rispy).

The writers put values in as given, so what staff typed is made safe first: every value is
one line (a newline would start a new RIS tag, such as `ER  -`, or a new BibTeX entry), and
BibTeX's braces and backslash are escaped (`\{`, `\}`, `\textbackslash{}`), so an
unbalanced `}` cannot close the field and open a new one. An author whose name holds " and "
is braced, so it stays one author."""

import re

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field

from .enums import ReferenceType

BIBTEX_TYPES = {
    ReferenceType.ARTICLE: "article",
    ReferenceType.BOOK: "book",
    ReferenceType.CHAPTER: "incollection",
    ReferenceType.REPORT: "techreport",
}
RIS_TYPES = {
    ReferenceType.ARTICLE: "JOUR",
    ReferenceType.BOOK: "BOOK",
    ReferenceType.CHAPTER: "CHAP",
    ReferenceType.REPORT: "RPRT",
}


BIBTEX_ESCAPES = str.maketrans({"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}"})


def one_line(value):
    return " ".join(str(value).split())


def _bibtex_text(value):
    return one_line(value).translate(BIBTEX_ESCAPES)


def _bibtex_names(names):
    escaped = [_bibtex_text(name) for name in names]
    return " and ".join(f"{{{name}}}" if re.search(r"\sand\s", name, re.IGNORECASE) else name for name in escaped)


def _bibtex_fields(reference):
    container = {
        ReferenceType.ARTICLE: "journal",
        ReferenceType.CHAPTER: "booktitle",
    }.get(reference.reference_type)
    publisher_field = "institution" if reference.reference_type == ReferenceType.REPORT else "publisher"
    values = [
        ("author", reference.author_list),
        ("editor", reference.editor_list),
        ("title", reference.title),
        (container, reference.container_title) if container else (None, ""),
        ("year", str(reference.year) if reference.year else ""),
        ("pubstate", "inpress" if reference.in_press else ""),
        ("edition", reference.edition),
        ("volume", reference.volume),
        ("number", reference.issue),
        ("pages", reference.pages.replace("-", "--")),
        (publisher_field, reference.publisher),
        ("address", reference.place),
        ("doi", reference.doi),
        ("url", reference.url),
        ("note", reference.export_note),
        ("keywords", ", ".join(one_line(topic.name) for topic in reference.topics.all())),
    ]
    return [
        Field(name, _bibtex_names(value) if isinstance(value, list) else _bibtex_text(value))
        for name, value in values
        if name and value
    ]


def to_bibtex(references):
    library = bibtexparser.Library()
    for reference in references:
        library.add(Entry(BIBTEX_TYPES[reference.reference_type], reference.key, _bibtex_fields(reference)))
    return bibtexparser.write_string(library)


def _ris_entry(reference):
    entry = {
        "type_of_reference": RIS_TYPES[reference.reference_type],
        "id": reference.key,
        "authors": reference.author_list,
        "secondary_authors": reference.editor_list,
        "title": reference.title,
        "year": str(reference.year) if reference.year else "",
        "secondary_title": reference.container_title,
        "edition": reference.edition,
        "volume": reference.volume,
        "number": reference.issue,
        "start_page": reference.first_page,
        "end_page": reference.last_page,
        "publisher": reference.publisher,
        "place_published": reference.place,
        "doi": reference.doi,
        "urls": [reference.url] if reference.url else [],
        "notes": [
            note
            for note in (reference.note, reference.correction_note, "In press" if reference.in_press else "")
            if note
        ],
        "keywords": [topic.name for topic in reference.topics.all()],
    }
    if reference.reference_type == ReferenceType.ARTICLE:
        entry["journal_name"] = reference.container_title
    entry = {
        key: [one_line(item) for item in value] if isinstance(value, list) else one_line(value)
        for key, value in entry.items()
    }
    return {key: value for key, value in entry.items() if value}


class _RisWriter(rispy.RisWriter):
    """rispy's writer without its "1.", "2." line before each record (not RIS: reference
    managers read it as junk); a blank line separates the records instead."""

    SEPARATOR = ""

    def set_header(self, count):
        return ""


def to_ris(references):
    return rispy.dumps([_ris_entry(reference) for reference in references], implementation=_RisWriter)
