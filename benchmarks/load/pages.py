"""The pages `make bench` drives, as their real users reach them: (name, who, path), the path
filled in from the generated dataset (see prepare.py)."""

PUBLIC, MEMBER, ADMIN = "public", "member", "admin"

# name -> (kind, role that asks, path template); "{run}", "{code}", "{provider}" come from the data.
PAGES = {
    "trivial (/health/)": (PUBLIC, "visitor", "/health/"),
    "live trainings": (PUBLIC, "visitor", "/trainings/"),
    "a run page": (PUBLIC, "visitor", "/trainings/runs/{run}/"),
    "supervisor directory": (PUBLIC, "visitor", "/supervision/directory/"),
    "certificate verification": (PUBLIC, "visitor", "/certificates/verify/{code}/"),
    "trainee dashboard": (MEMBER, "trainee", "/trainings/mine/"),
    "my pathway": (MEMBER, "trainee", "/pathway/"),
    "supervisor's page": (MEMBER, "supervisor", "/supervision/supervising/"),
    "provider dashboard": (MEMBER, "provider", "/providers/{provider}/"),
    "admin: applications": (ADMIN, "coordinator", "/admin/trainings/enrolment/"),
    "admin: case studies": (ADMIN, "coordinator", "/admin/accreditation/casestudysubmission/"),
    "admin: supervision sessions": (ADMIN, "coordinator", "/admin/supervision/supervisionsession/"),
    "admin: invoices": (ADMIN, "coordinator", "/admin/providers/invoice/"),
    "admin: audit log": (ADMIN, "coordinator", "/admin/portal/auditentry/"),
}
TRIVIAL = "trivial (/health/)"
EXPORT = "CSV export of every application"
SWEEP = "reminder sweep (in process)"
