"""Finding people by what a coordinator types in an admin search box.

Coordinators search by surname ("Brown"), by the start of a full name, or by e-mail. A
name term matches anywhere in the full name (`UPPER(full_name) LIKE '%BROWN%'`), which a
trigram index answers on PostgreSQL (members migration 0010); an e-mail term (one with
"@") matches the start of the address, from its prefix index (0008). People are found on
their own table first; the list being searched then filters by the matching ids, never
`%term%` across a join. `PersonSearchMixin` gives an admin list that search.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

# Up to this many matching people, the list filters by their ids (an index scan per id);
# a broader term keeps the subquery, which PostgreSQL joins as it sees fit.
ID_LIMIT = 1000


def matching_people(term):
    """The people a search term names: by e-mail start, or by any part of their name."""
    term = term.strip()
    people = get_user_model().objects.all()
    if "@" in term:
        return people.filter(email__istartswith=term)
    return people.filter(Q(full_name__icontains=term) | Q(email__istartswith=term))


def person_filter(term, lookups):
    """A Q matching rows whose `lookups` (foreign keys to a person, or "pk") name the people
    `term` finds."""
    people = matching_people(term)
    ids = list(people.values_list("pk", flat=True)[: ID_LIMIT + 1])
    found = ids if len(ids) <= ID_LIMIT else people.values("pk")
    condition = Q()
    for lookup in lookups:
        condition |= Q(**{f"{lookup}__in": found})
    return condition


class PersonSearchMixin:
    """An admin list searched by the people on its rows. `person_search_fields` names the
    foreign keys to a person ("practitioner", "supervisor"; "pk" on the people list);
    `prefix_search_fields` the row's own text fields matched by their start ("code")."""

    person_search_fields = ()
    prefix_search_fields = ()
    search_help_text = "A surname or any part of a name, or the start of an e-mail address."

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = person_filter(term, self.person_search_fields)
        for field in self.prefix_search_fields:
            condition |= Q(**{f"{field}__istartswith": term})
        return queryset.filter(condition), False
