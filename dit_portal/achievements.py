"""What a person achieved, described by the app that knows it, for the app that certifies it.

A model whose rows can be certified defines `certificate_achievements()`, returning a list of
`Achievement` (a completed application: the course; a granted credential: the credential).
The certificates app looks for such models and offers coordinators an admin action on them
(see `dit_portal.admin_hooks`), so a completed run or a granted credential offers its
certificate without the lower app ever importing the certificates app.
"""

import datetime
from dataclasses import dataclass

from django.db import models

# The kinds of achievement a certificate attests; certificates.enums.CertificateKind uses them.
COURSE_COMPLETION = "course_completion"
CREDENTIAL = "credential"


@dataclass(frozen=True)
class Achievement:
    holder: models.Model  # the person (members.User)
    title: str  # as printed: the course or credential
    kind: str  # COURSE_COMPLETION or CREDENTIAL
    achieved_on: datetime.date
    source: models.Model  # the row that proves it: an enrolment, a held credential
    description: str = ""  # a line under the title, e.g. the run's dates
