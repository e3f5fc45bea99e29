"""What a reminder rule is: a small class that finds who is due, in batches.

A rule names its `kind` (stored on each reminder), a `label` people and coordinators read,
whether people may turn it off (`optional`) and its e-mail template pair
(`reminders/emails/<kind>`). It walks `candidates(today)`, a queryset read in primary-key
order a batch at a time, and turns each batch into `Due` reminders with a fixed number of
queries however big the batch (`build`). Each `Due` says whom, the period it is about (the
unique key with the person and kind), what is missing and where to fix it.
"""

from dataclasses import dataclass, field


@dataclass
class Due:
    person: object  # members.User
    period_key: str
    missing: str  # one sentence: what is missing or coming
    fix_url: str  # a path on the portal where to act on it
    context: dict = field(default_factory=dict)


PEOPLE = "people"
COORDINATORS = "coordinators"
PROVIDERS = "providers"


class Rule:
    kind = ""
    label = ""
    optional = False
    audience = PEOPLE  # who gets it: people about themselves, coordinators, providers' users

    @property
    def template(self):
        return f"reminders/emails/{self.kind}"

    def candidates(self, today):
        """A queryset of rows to walk in primary-key order; one or more reminders each."""
        raise NotImplementedError

    def build(self, rows, today):
        """The reminders due for one batch of candidate rows, without a query per row."""
        raise NotImplementedError
