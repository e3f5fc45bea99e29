"""Admin lists over big tables: count at most a cap instead of every row."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CheapCountPaginator(Paginator):
    """Counts at most CAP rows (`SELECT COUNT(*) FROM (… LIMIT CAP + 1)`), so a list of
    200,000 rows costs what one of 10,000 does. Pages past the cap are not offered: narrow
    the list with its filters or search. `capped` tells the template to say "more than"."""

    CAP = 10_000

    @cached_property
    def count(self):
        # Only the keys: a list's annotations (counts in subqueries) are not computed to count it.
        return self.object_list.order_by().values("pk")[: self.CAP + 1].count()

    @property
    def capped(self):
        return self.count > self.CAP
