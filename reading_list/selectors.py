from django.db.models import Prefetch, Q

from .models import Reference, Topic


def references(*, query="", topic=None, kind="", dit_only=False, keys=None):
    """The references matching the filters, with their topics loaded (two queries)."""
    found = Reference.objects.prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("position")))
    if query:
        found = found.filter(
            Q(authors__icontains=query)
            | Q(title__icontains=query)
            | Q(container_title__icontains=query)
            | Q(editors__icontains=query)
            | Q(publisher__icontains=query)
        )
    if topic is not None:
        found = found.filter(topics=topic)
    if kind:
        found = found.filter(reference_type=kind)
    if dit_only:
        found = found.filter(is_about_dit=True)
    if keys is not None:
        found = found.filter(key__in=keys)
    return found.order_by("authors", "year", "title", "pk").distinct()


def grouped_by_topic(references_found, topics):
    """[(topic, [references])] in the topics' order; references without a topic last.

    Each reference is listed once, under the first of its topics shown, so that the list
    holds as many entries as the count above it says; the page names its other topics."""
    groups = {topic.pk: (topic, []) for topic in topics}
    unfiled = []
    for reference in references_found:
        own = reference.topics.all()
        shown = next((topic for topic in own if topic.pk in groups), None)
        if shown is not None:
            groups[shown.pk][1].append(reference)
            reference.other_topics = [topic for topic in own if topic.pk != shown.pk]
        elif not own:
            unfiled.append(reference)
    result = [group for group in groups.values() if group[1]]
    if unfiled:
        result.append((None, unfiled))
    return result
