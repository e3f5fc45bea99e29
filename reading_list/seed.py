"""The Centre's recommended reading for the DIT short course, as data. Used by the data
migration that enters it and by the tests, so both read one list.

Source: the "Recommended reading" section of the Centre's training page (seeds/000). The
page marked the papers directly about DIT in bold; the text copy of it lost the bold, so
`about_dit` marks the works whose subject is DIT itself (coordinators can correct it in the
admin). Every detail is as the page gives it, and only what it gives: no year where it has
none (shown "n.d."), no DOI, no editors it does not name. Abbreviations are written out
(“Int. J. Psycho-Anal.”, “OUP”). Where the portal corrects a typo of the page, `correction`
says what the page printed, and the list and the exports show it.
"""

ARTICLE, BOOK, CHAPTER, REPORT = "article", "book", "chapter", "report"

TOPICS = [
    # slug, name, description
    ("dit", "Dynamic Interpersonal Therapy", "The model, its development, evaluation and use in the NHS."),
    ("psychodynamic-practice", "Psychodynamic practice", "Technique, the therapeutic relationship and competences."),
    (
        "attachment-mentalization",
        "Attachment and mentalization",
        "Attachment theory, mentalizing and their assessment.",
    ),
    (
        "object-relations-interpersonal",
        "Object relations and interpersonal theory",
        "The theoretical roots of DIT's interpersonal focus.",
    ),
    ("depression", "Depression and psychopathology", "Developmental and psychodynamic views of depression."),
]

PSYCHOANALYTIC_PSYCHOTHERAPY = "Psychoanalytic Psychotherapy: Applications, Theory and Research"
IJPA = "International Journal of Psycho-Analysis"

REFERENCES = [
    {
        "key": "bateman2006mentalization",
        "reference_type": BOOK,
        "authors": ["Bateman, A.", "Fonagy, P."],
        "year": 2006,
        "title": "Mentalisation-based Treatment for Borderline Personality Disorder",
        "publisher": "Oxford University Press",
        "place": "Oxford",
        "topics": ["attachment-mentalization"],
    },
    {
        "key": "bateman2000introduction",
        "reference_type": BOOK,
        "authors": ["Bateman, A.", "Brown, D.", "Pedder, J."],
        "year": 2000,
        "title": "Introduction to Psychotherapy: An outline of psychodynamic principles and practice",
        "edition": "3rd",
        "publisher": "Routledge",
        "place": "London",
        "topics": ["psychodynamic-practice"],
    },
    {
        "key": "blatt2009structural",
        "reference_type": ARTICLE,
        "authors": ["Blatt, S.", "Luyten, P."],
        "year": 2009,
        "title": "A structural–developmental psychodynamic approach to psychopathology: Two polarities of "
        "experience across the life span",
        "container_title": "Development and Psychopathology",
        "volume": "21",
        "pages": "793-814",
        "topics": ["depression"],
    },
    {
        "key": "bowlby1958nature",
        "reference_type": ARTICLE,
        "authors": ["Bowlby, J."],
        "year": 1958,
        "title": "The nature of the child’s tie to his mother",
        "container_title": IJPA,
        "volume": "39",
        "pages": "350-373",
        "topics": ["attachment-mentalization"],
    },
    {
        "key": "douglas-nd-dynamic",
        "reference_type": ARTICLE,
        "authors": ["Douglas, A.", "Ablett-Tate, N.", "Chad, N."],
        "year": None,
        "title": "Dynamic interpersonal therapy in an NHS tertiary level specialist psychotherapy service",
        "container_title": PSYCHOANALYTIC_PSYCHOTHERAPY,
        "volume": "30",
        "issue": "3",
        "pages": "223-229",
        "about_dit": True,
        "topics": ["dit"],
    },
    {
        "key": "fonagy2001attachment",
        "reference_type": BOOK,
        "authors": ["Fonagy, P."],
        "year": 2001,
        "title": "Attachment Theory and Psychoanalysis",
        "publisher": "Karnac",
        "place": "London",
        "topics": ["attachment-mentalization"],
    },
    {
        "key": "fonagy2002affect",
        "reference_type": BOOK,
        "authors": ["Fonagy, P.", "Gergely, G.", "Jurist, G.", "Target, M."],
        "year": 2002,
        "title": "Affect Regulation, Mentalization and the Development of the Self",
        "publisher": "Other Press",
        "place": "London",
        "topics": ["attachment-mentalization"],
    },
    {
        "key": "fonagy2010changing",
        "reference_type": ARTICLE,
        "authors": ["Fonagy, P."],
        "year": 2010,
        "title": "The changing shape of clinical practice: A comprehensive narrative review",
        "container_title": "Psychoanalytic Psychotherapy",
        "volume": "24",
        "issue": "1",
        "topics": ["psychodynamic-practice"],
    },
    {
        "key": "gelman2010dynamic",
        "reference_type": ARTICLE,
        "authors": ["Gelman, T.", "McKay, A.", "Marks, L."],
        "year": 2010,
        "title": "Dynamic Interpersonal Therapy: Providing a focus for time-limited psychodynamic work within the NHS",
        "container_title": PSYCHOANALYTIC_PSYCHOTHERAPY,
        "volume": "24",
        "issue": "4",
        "pages": "347-361",
        "about_dit": True,
        "topics": ["dit"],
    },
    {
        "key": "guthrie2010psychodynamic",
        "reference_type": BOOK,
        "authors": ["Guthrie, E."],
        "year": 2010,
        "title": "Psychodynamic Interpersonal Therapy: Advances in Psychiatric Treatment",
        "publisher": "Sage",
        "place": "London",
        "topics": ["object-relations-interpersonal"],
    },
    {
        "key": "gomez1997introduction",
        "reference_type": BOOK,
        "authors": ["Gomez, L."],
        "year": 1997,
        "title": "An Introduction to Object Relations",
        "publisher": "Free Association Books",
        "place": "London",
        "topics": ["object-relations-interpersonal"],
    },
    {
        "key": "greenson1967technique",
        "reference_type": BOOK,
        "authors": ["Greenson, R. R."],
        "year": 1967,
        "title": "The technique and practice of psychoanalysis",
        "volume": "I",
        "publisher": "International Universities Press",
        "place": "New York",
        "topics": ["psychodynamic-practice"],
    },
    {
        "key": "kernberg1985internal",
        "reference_type": BOOK,
        "authors": ["Kernberg, O."],
        "year": 1985,
        "title": "Internal World and External Reality: Object Relations Theory Applied",
        "publisher": "Aronson",
        "place": "New York",
        "topics": ["object-relations-interpersonal"],
    },
    {
        "key": "king1978affective",
        "reference_type": ARTICLE,
        "authors": ["King, P."],
        "year": 1978,
        "title": "Affective Response of the Analyst to the Patient’s Communications",
        "container_title": IJPA,
        "volume": "59",
        "pages": "329-334",
        "topics": ["psychodynamic-practice"],
    },
    {
        "key": "lemma2011brief",
        "reference_type": BOOK,
        "authors": ["Lemma, A.", "Target, M.", "Fonagy, P."],
        "year": 2011,
        "title": "Brief Dynamic Interpersonal Therapy",
        "publisher": "Oxford University Press",
        "place": "Oxford",
        "about_dit": True,
        "topics": ["dit"],
    },
    {
        "key": "lemma2003introduction",
        "reference_type": BOOK,
        "authors": ["Lemma, A."],
        "year": 2003,
        "title": "Introduction to the Practice of Psychoanalytic Psychotherapy",
        "publisher": "Wiley",
        "place": "Chichester",
        "note": "Particularly the chapter ‘Working with Endings’.",
        "topics": ["psychodynamic-practice"],
    },
    {
        "key": "lemma2008competences",
        "reference_type": REPORT,
        "authors": ["Lemma, A.", "Roth, A.", "Pilling, S."],
        "year": 2008,
        "title": "The competences required to deliver effective psychoanalytic/psychodynamic therapy",
        "url": "http://www.ucl.ac.uk/CORE",
        "topics": ["psychodynamic-practice"],
    },
    {
        "key": "lemma2011development",
        "reference_type": ARTICLE,
        "authors": ["Lemma, A.", "Target, M.", "Fonagy, P."],
        "year": 2011,
        "title": "The development of a brief psychodynamic intervention (Dynamic Interpersonal Therapy) and its "
        "application to depression: a pilot study",
        "container_title": "Psychiatry: Interpersonal and Biological Processes",
        "correction": "the journal's name, printed “Psychiatry: Biological and Interpersonal Processes”",
        "volume": "74",
        "issue": "1",
        "pages": "41-48",
        "about_dit": True,
        "topics": ["dit", "depression"],
    },
    {
        "key": "lemma2010development",
        "reference_type": ARTICLE,
        "authors": ["Lemma, A.", "Target, M.", "Fonagy, P."],
        "year": 2010,
        "title": "The Development of a Brief Psychodynamic Protocol for Depression: Dynamic Interpersonal Therapy",
        "container_title": PSYCHOANALYTIC_PSYCHOTHERAPY,
        "volume": "24",
        "issue": "4",
        "pages": "329-346",
        "about_dit": True,
        "topics": ["dit", "depression"],
    },
    {
        "key": "lemma2010introduction",
        "reference_type": CHAPTER,
        "authors": ["Lemma, A.", "Patrick, M."],
        "year": 2010,
        "title": "Introduction: Contemporary psychoanalytic applications: development and vicissitudes",
        "container_title": "Off the couch: Contemporary psychoanalytic approaches",
        "correction": "the book's title, printed “Off the coach”",
        "publisher": "Routledge",
        "place": "London",
        "topics": ["psychodynamic-practice"],
    },
    {
        "key": "leonidaki-nd-clients",
        "reference_type": ARTICLE,
        "authors": ["Leonidaki, V.", "Lemma, A.", "Hobbis, I."],
        "year": None,
        "title": "Clients’ experiences of dynamic interpersonal therapy (DIT): opportunities and challenges for "
        "brief, manualised psychodynamic therapy in the NHS",
        "container_title": PSYCHOANALYTIC_PSYCHOTHERAPY,
        "volume": "30",
        "issue": "1",
        "pages": "42-61",
        "about_dit": True,
        "topics": ["dit"],
    },
    {
        "key": "luborsky1990understanding",
        "reference_type": BOOK,
        "authors": ["Luborsky, L.", "Crits-Christoph, P."],
        "year": 1990,
        "title": "Understanding transference: The core conflictual relationship theme method",
        "publisher": "Basic Books",
        "place": "New York",
        "topics": ["psychodynamic-practice"],
    },
    {
        "key": "luyten2012assessment",
        "reference_type": CHAPTER,
        "authors": ["Luyten, P.", "Fonagy, P.", "Lowyck, B.", "Vermote, R."],
        "year": 2012,
        "title": "The assessment of mentalization",
        "container_title": "Handbook of mentalizing in mental health practice",
        "editors": ["Bateman, A.", "Fonagy, P."],
        "pages": "43-65",
        "publisher": "American Psychiatric Association",
        "place": "Washington, DC",
        "topics": ["attachment-mentalization"],
    },
    {
        "key": "luyten-inpress-mentalising",
        "reference_type": CHAPTER,
        "authors": ["Luyten, P.", "Fonagy, P.", "Lemma, A.", "Target, M."],
        "year": None,
        "in_press": True,
        "title": "Mentalising and depression",
        "container_title": "Mentalising in Mental Health Practice",
        "editors": ["Bateman, A.", "Fonagy, P."],
        "publisher": "APA",
        "place": "Washington",
        "topics": ["attachment-mentalization", "depression"],
    },
    {
        "key": "ogden1992primitive",
        "reference_type": BOOK,
        "authors": ["Ogden, T. H."],
        "year": 1992,
        "title": "The Primitive Edge of Experience",
        "publisher": "Karnac",
        "place": "London",
        "topics": ["object-relations-interpersonal"],
    },
    {
        "key": "perry1982psychiatrist",
        "reference_type": BOOK,
        "authors": ["Perry, H. S."],
        "year": 1982,
        "title": "Psychiatrist of America: The Life of Harry Stack Sullivan",
        "publisher": "Norton",
        "place": "New York",
        "topics": ["object-relations-interpersonal"],
    },
]

# Details entered before they were checked against the page, which does not give them; the
# data migration reading_list 0003 takes them out (only where a row still holds them).
UNVERIFIED = {
    # key: (key now, {field: value the page does not give})
    "douglas2016dynamic": ("douglas-nd-dynamic", {"year": 2016}),
    "leonidaki2016clients": ("leonidaki-nd-clients", {"year": 2016}),
    "lemma2011development": ("lemma2011development", {"doi": "10.1521/psyc.2011.74.1.41"}),
    "lemma2010introduction": ("lemma2010introduction", {"editors": "Lemma, A.\nPatrick, M."}),
}

FIELDS = [
    "reference_type",
    "title",
    "container_title",
    "edition",
    "volume",
    "issue",
    "pages",
    "publisher",
    "place",
    "doi",
    "url",
    "note",
    "correction",
]


def seed_reading_list(Topic, Reference):
    """Enter (or restore) every topic and reference; models come from the caller, so a
    migration passes its historical models. Idempotent: rows are matched by slug and key."""
    has_corrections = any(field.name == "source_correction" for field in Reference._meta.get_fields())
    topics = {}
    for position, (slug, name, description) in enumerate(TOPICS, start=1):
        topics[slug], _ = Topic.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position * 10}
        )
    for item in REFERENCES:
        defaults = {name: item.get(name, "") for name in FIELDS if name != "correction"}
        if has_corrections:  # not in the models reading_list 0002 passes
            defaults["source_correction"] = item.get("correction", "")
        defaults.update(
            authors="\n".join(item["authors"]),
            editors="\n".join(item.get("editors", [])),
            year=item.get("year"),
            in_press=item.get("in_press", False),
            is_about_dit=item.get("about_dit", False),
        )
        reference, _ = Reference.objects.update_or_create(key=item["key"], defaults=defaults)
        reference.topics.set([topics[slug] for slug in item["topics"]])


def remove_unverified_details(Reference):
    """Take out the details the page does not give and mark the corrections (reading_list
    0003); a row a coordinator has since changed keeps its value."""
    for old_key, (key, unverified) in UNVERIFIED.items():
        reference = Reference.objects.filter(key=old_key).first()
        if reference is None:
            continue
        changed = []
        if key != old_key and not Reference.objects.filter(key=key).exists():
            reference.key = key
            changed.append("key")
        for name, value in unverified.items():
            if getattr(reference, name) == value:
                setattr(reference, name, None if name == "year" else "")
                changed.append(name)
        if changed:
            reference.save(update_fields=changed)
    for item in REFERENCES:
        if item.get("correction"):
            Reference.objects.filter(key=item["key"], source_correction="").update(source_correction=item["correction"])


def restore_unverified_details(Reference):
    for old_key, (key, unverified) in UNVERIFIED.items():
        reference = Reference.objects.filter(key=key).first()
        if reference is None:
            continue
        for name, value in unverified.items():
            setattr(reference, name, value)
        reference.key = old_key
        reference.save()


def remove_reading_list(Topic, Reference):
    Reference.objects.filter(key__in=[item["key"] for item in REFERENCES]).delete()
    Topic.objects.filter(slug__in=[slug for slug, _, _ in TOPICS]).delete()
