"""The pages `make bench` drives, as their real users reach them: (name, who, path), the path
filled in from the generated dataset (see prepare.py).

Kinds and their goals (run.py): public pages against the trivial page `/health/`; member
pages against the signed-in layout page, measured in the same run; admin pages against
their own time on the 100-row dataset."""

PUBLIC, MEMBER, ADMIN, BASELINE = "public", "member", "admin", "baseline"

# name -> (kind, role that asks, path template); "{run}", "{code}", "{provider}", "{page}",
# "{surname}" and "{trainee_email}" come from the data.
PAGES = {
    "trivial (/health/)": (BASELINE, "visitor", "/health/"),
    "layout (signed in)": (BASELINE, "trainee", "/about/{page}/"),
    "live trainings": (PUBLIC, "visitor", "/trainings/"),
    "a run page": (PUBLIC, "visitor", "/trainings/runs/{run}/"),
    "supervisor directory": (PUBLIC, "visitor", "/supervision/directory/"),
    "certificate verification": (PUBLIC, "visitor", "/certificates/verify/{code}/"),
    "trainee dashboard": (MEMBER, "trainee", "/trainings/mine/"),
    "my pathway (heavy)": (MEMBER, "trainee", "/pathway/"),
    "my ledger (heavy)": (MEMBER, "trainee", "/supervision/"),
    "supervisor's page (heavy)": (MEMBER, "supervisor", "/supervision/supervising/"),
    "provider dashboard (heavy)": (MEMBER, "provider", "/providers/{provider}/"),
    "admin: home with its to-do panel": (ADMIN, "coordinator", "/admin/"),
    "admin: applications": (ADMIN, "coordinator", "/admin/trainings/enrolment/"),
    "admin: applications, accepted": (ADMIN, "coordinator", "/admin/trainings/enrolment/?status__exact=accepted"),
    "admin: applications by surname": (ADMIN, "coordinator", "/admin/trainings/enrolment/?q={surname}"),
    "admin: people": (ADMIN, "coordinator", "/admin/members/user/"),
    "admin: people by surname": (ADMIN, "coordinator", "/admin/members/user/?q={surname}"),
    "admin: held credentials": (ADMIN, "coordinator", "/admin/members/heldcredential/"),
    "admin: credentials by surname": (ADMIN, "coordinator", "/admin/members/heldcredential/?q={surname}"),
    "admin: ready to accredit": (ADMIN, "coordinator", "/admin/accreditation/candidate/"),
    # The "ready now" filter (accreditation.admin.ReadyNowFilter) runs the requirements engine.
    "admin: ready to accredit, ready now": (ADMIN, "coordinator", "/admin/accreditation/candidate/?ready=now"),
    "admin: case studies": (ADMIN, "coordinator", "/admin/accreditation/casestudysubmission/"),
    "admin: supervision sessions": (ADMIN, "coordinator", "/admin/supervision/supervisionsession/"),
    "admin: sessions, confirmed": (
        ADMIN,
        "coordinator",
        "/admin/supervision/supervisionsession/?status__exact=confirmed",
    ),
    "admin: sessions by surname": (ADMIN, "coordinator", "/admin/supervision/supervisionsession/?q={surname}"),
    "admin: sessions by e-mail": (ADMIN, "coordinator", "/admin/supervision/supervisionsession/?q={trainee_email}"),
    "admin: invoices": (ADMIN, "coordinator", "/admin/providers/invoice/"),
    "admin: audit log": (ADMIN, "coordinator", "/admin/portal/auditentry/"),
}
TRIVIAL = "trivial (/health/)"
LAYOUT = "layout (signed in)"
EXPORT = "CSV export of every application"
SWEEP = "reminder sweep (in process)"
SURNAME = "Brown"  # a common surname: Brown, Browne and Brownlow are all found
