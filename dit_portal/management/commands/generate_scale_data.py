"""Build a dataset the size of real use, for `make bench` (see benchmarks/load/).

At --scale 1: 50,000 people, 2,000 course runs with their days and trainers, 100,000
applications, 200,000 therapy-hour and supervision-session rows, 300 providers with their
invoices and uploaded records, 20,000 certificates and 200,000 audit entries. Rows are
written in bulk, a batch at a time, in the shapes the services write them (statuses the
transition tables allow, counters moved past the numbers used), and a progress bar is
printed for each stage. The fixed accounts `bench-<role>@scale.example` (trainee,
supervisor, provider, coordinator) have records of their own for the pages to show.

The command lives here, with backup and restore, because it spans every app; it reads the
apps' models through the app registry, so dit_portal still imports none of them.
"""

import datetime
import itertools
import random
import secrets
import time
from decimal import Decimal

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from dit_portal.models import AuditEntry

DOMAIN = "scale.example"
FULL = {
    "people": 50_000,
    "runs": 2_000,
    "applications": 100_000,
    "ledger_rows": 200_000,
    "providers": 300,
    "case_studies": 500,
    "letters": 1_000,
    "certificates": 20_000,
    "audit_entries": 200_000,
}
# Even the smallest dataset fills an admin page (100 rows) of each list `make bench` measures.
MINIMUM = {
    "people": 60,
    "runs": 6,
    "applications": 100,
    "ledger_rows": 100,
    "providers": 20,
    "case_studies": 100,
    "letters": 10,
}
# The fixed accounts are the heaviest real people, grown with the scale (at least 2 of each
# at the smallest), so a page whose queries grow with a person's history shows it in the
# 100-row against full-size comparison: ten years of a practitioner's records, a supervisor
# of 100 supervisees, a provider with 20 trainers.
HEAVY = {
    "trainee_cases": 40,
    "trainee_therapy_rows": 1_000,
    "trainee_sessions": 500,
    "supervisees": 100,
    "provider_trainers": 20,
}
BATCH = 5_000
UNUSABLE_PASSWORD = "!"  # noqa: S105 - what set_unusable_password stores, without hashing 50,000 times
FIRST = [
    "Ada",
    "Aisha",
    "Alice",
    "Amir",
    "Anna",
    "Ben",
    "Bilal",
    "Chloe",
    "Claire",
    "Daniel",
    "David",
    "Dev",
    "Eilidh",
    "Emma",
    "Femi",
    "Fiona",
    "Grace",
    "Hamza",
    "Hannah",
    "Ines",
    "Jack",
    "James",
    "Jonah",
    "Kasia",
    "Laura",
    "Luca",
    "Mark",
    "Mary",
    "Mohammed",
    "Nadia",
    "Niamh",
    "Oliver",
    "Priya",
    "Rachel",
    "Rhys",
    "Sarah",
    "Sam",
    "Sophie",
    "Thomas",
    "Zara",
]
# Surnames as common as they are in Britain (the first ones far more than the last), so a
# search for "Brown" finds what it would in the real register: Brown, Browne, Brownlow.
LAST = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Miller",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Wilkinson",
    "Foster",
    "Chapman",
    "Powell",
    "Webb",
    "Rogers",
    "Gray",
    "Mason",
    "Ali",
    "Hunt",
    "Hussain",
    "Campbell",
    "Matthews",
    "Owen",
    "Palmer",
    "Holmes",
    "Mills",
    "Barnes",
    "Knight",
    "Lloyd",
    "Butler",
    "Russell",
    "Fisher",
    "Stevens",
    "Jenkins",
    "Murray",
    "Dixon",
    "Harvey",
    "Ahmed",
    "Gupta",
    "Fraser",
    "Iqbal",
    "Browne",
    "Brownlow",
    "O'Brien",
    "MacDonald",
    "Nowak",
    "Okafor",
]
SURNAME_WEIGHTS = [1 / (rank + 4) for rank in range(len(LAST))]
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
ROLES = ("trainee", "supervisor", "provider", "coordinator")


def model(label):
    return apps.get_model(label)


def fixed_email(role):
    return f"bench-{role}@{DOMAIN}"


class Progress:
    """One line per stage, redrawn as batches land: `people  [#########.....]  30,000 / 50,000`."""

    def __init__(self, stdout, stages):
        self.stdout, self.stages, self.stage, self.started = stdout, stages, 0, time.monotonic()

    def start(self, name, total):
        self.stage += 1
        self.name, self.total, self.done, self.stage_started = name, total, 0, time.monotonic()
        self.draw()

    def add(self, count):
        self.done += count
        self.draw()

    def draw(self):
        width = 30
        filled = int(width * self.done / self.total) if self.total else width
        line = (
            f"\r[{self.stage}/{self.stages}] {self.name:<22} [{'#' * filled}{'.' * (width - filled)}] "
            f"{self.done:>9,} / {self.total:,}"
        )
        self.stdout.write(line, ending="")
        self.stdout.flush()

    def finish(self):
        self.stdout.write(f"  {time.monotonic() - self.stage_started:6.1f}s")


class Command(BaseCommand):
    help = "Fill an empty database with a realistic dataset for load benchmarks (--scale 1 = real size)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 is real use; 0.002 gives about 100 rows.")
        parser.add_argument("--seed", type=int, default=20261122, help="The same seed builds the same data.")

    def handle(self, *args, scale, seed, **options):
        if scale <= 0:
            raise CommandError("--scale must be above 0.")
        User = model("members.User")
        if User.objects.exists():
            raise CommandError("This database already has people in it; generate scale data into a new, migrated one.")
        self.random = random.Random(seed)
        self.sizes = {key: max(MINIMUM.get(key, 1), round(value * scale)) for key, value in FULL.items()}
        self.heavy = {key: max(2, round(value * scale)) for key, value in HEAVY.items()}
        self.today, self.now = timezone.localdate(), timezone.now()
        steps = [
            ("people", self.people),
            ("credentials", self.credentials),
            ("course runs and days", self.runs),
            ("applications", self.applications),
            ("therapy and supervision", self.ledger),
            ("case studies", self.case_studies),
            ("role-plays, letters and trainer days", self.assessments),
            ("providers and invoices", self.providers),
            ("certificates", self.certificates),
            ("audit entries", self.audit),
        ]
        self.progress = Progress(self.stdout, len(steps))
        started = time.monotonic()
        for _name, step in steps:
            with transaction.atomic():
                step()
            # Statistics after each stage: the next stage's reads of what this one wrote
            # (tens of thousands of rows in tables the planner still thinks empty) would
            # otherwise be planned as nested loops over "empty" tables and take hours.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.progress.finish()
        self.stdout.write(
            self.style.SUCCESS(
                f"Built in {time.monotonic() - started:.0f}s: "
                + ", ".join(f"{value:,} {key.replace('_', ' ')}" for key, value in self.sizes.items())
            )
        )

    # Helpers ---------------------------------------------------------------------------

    def bulk(self, model_class, rows, total=None):
        """Insert `rows` (any iterable) a batch at a time, moving the progress bar."""
        rows = iter(rows)
        while batch := list(itertools.islice(rows, BATCH)):
            model_class.objects.bulk_create(batch, batch_size=BATCH)
            self.progress.add(len(batch))

    def ids(self, queryset):
        return list(queryset.order_by("pk").values_list("pk", flat=True))

    def days_ago(self, days):
        return self.today - datetime.timedelta(days=days)

    # Stages ----------------------------------------------------------------------------

    def people(self):
        User = model("members.User")
        count = self.sizes["people"]
        self.progress.start("people", count)
        # No one signs in with a password: `make bench` makes their sessions on the server.
        fixed = [
            User(email=fixed_email(role), full_name=f"Bench {role.title()}", password=UNUSABLE_PASSWORD)
            for role in ROLES
        ]
        User.objects.bulk_create(fixed)
        self.progress.add(len(fixed))
        self.bulk(
            User,
            (
                User(
                    email=f"person{n:06d}@{DOMAIN}",
                    full_name=f"{FIRST[n % len(FIRST)]} {surname}",
                    password=UNUSABLE_PASSWORD,
                    date_joined=self.now - datetime.timedelta(minutes=n),
                )
                for n, surname in enumerate(self.random.choices(LAST, SURNAME_WEIGHTS, k=count - len(fixed)))
            ),
        )
        self.fixed = {role: User.objects.get(email=fixed_email(role)) for role in ROLES}
        self.people_ids = self.ids(User.objects.filter(email__startswith="person", email__endswith=f"@{DOMAIN}"))
        coordinator = self.fixed["coordinator"]
        coordinator.is_staff = True
        coordinator.save(update_fields=["is_staff"])
        coordinator.groups.add(Group.objects.get(name="Coordinator"))
        TOTP.activate(coordinator, generate_totp_secret())
        self.fixed["supervisor"].groups.add(Group.objects.get(name="Supervisor"))
        self.fixed["provider"].groups.add(Group.objects.get(name="Provider user"))

    def credentials(self):
        """10% practitioners (accredited), 2% supervisors, 0.5% trainers; the fixed supervisor
        is all three, the fixed trainee a practitioner in training."""
        HeldCredential, CredentialEvent = model("members.HeldCredential"), model("members.CredentialEvent")
        people = self.people_ids
        practitioners = people[: max(20, len(people) // 10)]
        supervisors = practitioners[: max(5, len(people) // 50)]
        trainers = supervisors[: max(2, len(people) // 200)]
        fixed_supervisor, fixed_trainee = self.fixed["supervisor"].pk, self.fixed["trainee"].pk
        plan = [(pk, "practitioner", "accredited") for pk in practitioners + [fixed_supervisor]]
        plan += [(pk, "supervisor", "accredited") for pk in supervisors + [fixed_supervisor]]
        plan += [(pk, "trainer", "accredited") for pk in trainers]
        plan.append((fixed_trainee, "practitioner", "in_progress"))
        plan = list(dict.fromkeys(plan))
        self.progress.start("credentials", len(plan) * 2 + len(supervisors) + 1)
        accredited_on = {pk: self.days_ago(400 + pk % 2_000) for pk, _kind, _status in plan}
        self.bulk(
            HeldCredential,
            (
                HeldCredential(
                    holder_id=pk,
                    kind=kind,
                    status=status,
                    accredited_on=accredited_on[pk] if status == "accredited" else None,
                    route="imported",
                )
                for pk, kind, status in plan
            ),
        )
        held = HeldCredential.objects.filter(holder__email__endswith=f"@{DOMAIN}").values_list(
            "pk", "holder_id", "status"
        )
        self.bulk(
            CredentialEvent,
            (
                CredentialEvent(
                    credential_id=pk,
                    effective_on=accredited_on[holder] if status == "accredited" else self.today,
                    to_status=status,
                    note="Imported register",
                )
                for pk, holder, status in held
            ),
        )
        self.practitioners, self.supervisors = practitioners, supervisors + [fixed_supervisor]
        self.trainers = trainers
        # Most supervisors list themselves in the public directory.
        Listing = model("supervision.SupervisorListing")
        regions = [("GB", "London"), ("GB", "North West"), ("GB", "Scotland"), ("IE", "Dublin"), ("PT", "Lisbon")]
        names = dict(model("members.User").objects.filter(pk__in=self.supervisors).values_list("pk", "full_name"))
        self.bulk(
            Listing,
            (
                Listing(
                    supervisor_id=pk,
                    is_listed=n % 5 != 4,
                    display_name=names[pk],
                    country=regions[n % len(regions)][0],
                    region=regions[n % len(regions)][1],
                    modality=("online", "in_person", "both")[n % 3],
                )
                for n, pk in enumerate(self.supervisors)
            ),
        )

    def runs(self):
        Course, CourseRun = model("trainings.Course"), model("trainings.CourseRun")
        RunDay, RunTrainer = model("trainings.RunDay"), model("trainings.RunTrainer")
        courses = list(Course.objects.order_by("pk").values_list("pk", flat=True))
        count = self.sizes["runs"]
        self.progress.start("course runs and days", count * 8)
        statuses = ["closed"] * 6 + ["open"] * 3 + ["full"]

        def start(n):
            """Three in four runs are in the past two years, one in four in the coming months."""
            return self.today + datetime.timedelta(days=(n * 3) % 700 - 720 if n % 4 else 3 + n % 150)

        self.bulk(
            CourseRun,
            (
                CourseRun(
                    course_id=courses[n % len(courses)],
                    label=f"Cohort {n:05d}, {'online' if n % 3 else 'London'}",
                    status=statuses[n % len(statuses)] if start(n) < self.today else "open",
                    mode="online" if n % 3 else "in_person",
                    venue="" if n % 3 else "Anna Freud Centre, London",
                    capacity=60,
                    application_deadline=start(n) - datetime.timedelta(days=14),
                    price=Decimal("1500.00"),
                    run_by_centre=n % 10 != 0,
                )
                for n in range(count)
            ),
        )
        self.run_ids = self.ids(CourseRun.objects.filter(label__startswith="Cohort "))
        first_days = {pk: start(n) for n, pk in enumerate(self.run_ids)}
        self.bulk(
            RunDay,
            (
                RunDay(run_id=run, date=first_days[run] + datetime.timedelta(days=offset))
                for run in self.run_ids
                for offset in range(5)
            ),
        )
        trainers = self.trainers
        # One run in four has a supervisor who is not yet an AFC trainer as its support trainer
        # (on the trainer route: they appear in Ready to accredit).
        on_route = [pk for pk in self.supervisors if pk not in set(trainers)]

        def trainer_on(n, offset):
            if offset == 1 and n % 4 == 0 and on_route:
                return on_route[n // 4 % len(on_route)]
            return trainers[(n + offset) % len(trainers)]

        self.bulk(
            RunTrainer,
            (
                RunTrainer(run_id=run, trainer_id=trainer_on(n, offset), role=role)
                for n, run in enumerate(self.run_ids)
                for offset, role in enumerate(["lead", "support"][: min(2, len(trainers))])
            ),
        )
        self.first_days = first_days

    def applications(self):
        """Each person applies to runs spread over the catalogue; statuses as the runs' dates
        allow (completed or not for past runs, applied, accepted or waitlisted for open ones)."""
        Enrolment = model("trainings.Enrolment")
        count = self.sizes["applications"]
        people, runs = self.people_ids, self.run_ids
        self.progress.start("applications", count)
        past = ["completed"] * 6 + ["not_completed", "rejected", "withdrawn", "declined"]
        ahead = ["applied"] * 4 + ["accepted"] * 4 + ["waitlisted", "rejected"]

        def row(n):
            person = people[n % len(people)]
            run = runs[(n // len(people) + n * 7) % len(runs)]
            upcoming = self.first_days[run] >= self.today
            status = (ahead if upcoming else past)[n % 10]
            return Enrolment(
                run_id=run,
                trainee_id=person,
                status=status,
                applied_at=self.now - datetime.timedelta(days=(n % 700) + 1),
                decided_at=None if status == "applied" else self.now - datetime.timedelta(days=n % 600),
                waitlist_position=n + 1 if status == "waitlisted" else None,  # unique within a run
            )

        trainee = self.fixed["trainee"].pk
        fixed = [
            Enrolment(run_id=run, trainee_id=trainee, status="completed" if n % 2 else "accepted")
            for n, run in enumerate(runs[-6:])
        ]
        taken = {(e.run_id, e.trainee_id) for e in fixed}
        self.bulk(
            Enrolment,
            itertools.chain(
                fixed, (r for r in map(row, range(count - len(fixed))) if (r.run_id, r.trainee_id) not in taken)
            ),
        )

    def ledger(self):
        """Cases for the practitioners, their therapy hours and supervision sessions: half
        the rows each. The fixed supervisor supervises many of them."""
        Case, TherapyHours = model("supervision.Case"), model("supervision.TherapyHours")
        SupervisionSession = model("supervision.SupervisionSession")
        total = self.sizes["ledger_rows"]
        practitioners = self.practitioners + [self.fixed["trainee"].pk]
        # The fixed supervisor supervises exactly its heavy share; the others the rest.
        supervisors = [pk for pk in self.supervisors if pk != self.fixed["supervisor"].pk]
        supervisees = self.heavy["supervisees"]
        history = sum(self.heavy[key] for key in ("trainee_cases", "trainee_therapy_rows", "trainee_sessions"))
        self.progress.start("therapy and supervision", total + len(practitioners) * 2 + history)

        def supervisor_of(index):
            return self.fixed["supervisor"].pk if index < supervisees else supervisors[index % len(supervisors)]

        self.bulk(
            Case,
            (
                Case(
                    practitioner_id=person,
                    code=f"C-{index:05d}-{case}",
                    purpose="practitioner_training" if case == 0 else "ordinary",
                    supervisor_id=supervisor_of(index) if supervisor_of(index) != person else None,
                    started_on=self.days_ago(300 + index % 200),
                    ended_on=self.days_ago(20) if case == 0 and index % 3 == 0 else None,
                )
                for index, person in enumerate(practitioners)
                for case in range(2)
            ),
        )
        cases = list(
            Case.objects.filter(practitioner_id__in=practitioners).order_by("pk").values_list("pk", "started_on")
        )
        hours = total // 2
        self.bulk(
            TherapyHours,
            (
                TherapyHours(
                    case_id=cases[n % len(cases)][0],
                    date=cases[n % len(cases)][1] + datetime.timedelta(days=(n // len(cases)) * 7 % 280),
                    hours=Decimal("1.00"),
                )
                for n in range(hours)
            ),
        )
        statuses = ["confirmed"] * 16 + ["pending"] * 3 + ["disputed"]
        self.bulk(
            SupervisionSession,
            (
                SupervisionSession(
                    practitioner_id=practitioners[n % len(practitioners)],
                    supervisor_id=supervisor_of(n % len(practitioners))
                    if supervisor_of(n % len(practitioners)) != practitioners[n % len(practitioners)]
                    else supervisors[0],
                    date=self.days_ago(1 + (n // len(practitioners)) * 5 % 360),
                    hours=Decimal("1.00"),
                    format="individual" if n % 5 else "group",
                    kind="formal" if n % 4 else "peer",
                    status=statuses[n % len(statuses)],
                    decided_at=None if statuses[n % len(statuses)] == "pending" else self.now,
                    dispute_reason="We did not meet that week." if statuses[n % len(statuses)] == "disputed" else "",
                )
                for n in range(total - hours)
            ),
        )
        self.trainee_history()

    def trainee_history(self):
        """Ten years of the fixed trainee's own records (at scale 1: 40 cases, 1,000 therapy
        rows, 500 sessions), most with the fixed supervisor, so My pathway and the ledger
        pages are measured for the heaviest real person."""
        Case, TherapyHours = model("supervision.Case"), model("supervision.TherapyHours")
        SupervisionSession = model("supervision.SupervisionSession")
        trainee, supervisor = self.fixed["trainee"].pk, self.fixed["supervisor"].pk
        cases, rows, sessions = (
            self.heavy[key] for key in ("trainee_cases", "trainee_therapy_rows", "trainee_sessions")
        )
        span = 3_650
        self.bulk(
            Case,
            (
                Case(
                    practitioner_id=trainee,
                    code=f"T-{case:03d}",
                    purpose="practitioner_training" if case < 2 else "ordinary",
                    supervisor_id=supervisor,
                    seen_in_person=case % 2 == 0,
                    started_on=self.days_ago(span - case * span // cases),
                    ended_on=self.days_ago(span - case * span // cases - 120) if case < cases - 2 else None,
                )
                for case in range(cases)
            ),
        )
        own = list(Case.objects.filter(practitioner_id=trainee, code__startswith="T-").values_list("pk", "started_on"))
        self.bulk(
            TherapyHours,
            (
                TherapyHours(
                    case_id=own[n % len(own)][0],
                    date=min(self.today, own[n % len(own)][1] + datetime.timedelta(days=7 * (n // len(own) % 16))),
                    hours=Decimal("1.00"),
                )
                for n in range(rows)
            ),
        )
        self.bulk(
            SupervisionSession,
            (
                SupervisionSession(
                    practitioner_id=trainee,
                    supervisor_id=supervisor,
                    date=self.days_ago(1 + n * span // sessions),
                    hours=Decimal("1.00"),
                    format="individual",
                    kind="formal",
                    status="confirmed" if n % 10 else "pending",
                    decided_at=self.now if n % 10 else None,
                )
                for n in range(sessions)
            ),
        )

    def case_studies(self):
        """Case studies of practitioners (one each, then resubmissions); a stored file each."""
        CaseStudySubmission = model("accreditation.CaseStudySubmission")
        authors = [self.fixed["trainee"].pk, *self.practitioners]
        count = self.sizes["case_studies"]
        self.progress.start("case studies", count)
        statuses = ["passed", "passed", "submitted", "referred"]
        rows = []
        for n in range(count):
            person = authors[n % len(authors)]
            last = n + len(authors) >= count  # the person's latest; the earlier ones were referred
            status = statuses[n % 4] if last else "referred"
            submission = CaseStudySubmission(
                person_id=person,
                number=1 + n // len(authors),
                file_name="case-study.pdf",
                status=status,
                decided_at=None if status == "submitted" else self.now - datetime.timedelta(days=n % 300),
                assessor_id=self.fixed["supervisor"].pk if status == "submitted" else None,
            )
            submission.file.save("case-study.pdf", ContentFile(PDF), save=False)
            rows.append(submission)
        self.bulk(CaseStudySubmission, rows)

    def assessments(self):
        """What puts people in Ready to accredit: a role-play result for half the people who
        completed a 5-day or 20-day run (pass, referral or fail), letters of support for the
        supervisor route, and the trainers' days on the Centre's runs (each named trainer on
        every day of their run, in their role)."""
        RolePlayResult, SupportLetter = model("accreditation.RolePlayResult"), model("accreditation.SupportLetter")
        RunDay, RunTrainer, TrainerDay = (
            model("trainings.RunDay"),
            model("trainings.RunTrainer"),
            model("trainings.TrainerDay"),
        )
        Enrolment = model("trainings.Enrolment")
        completed = (
            Enrolment.objects.filter(status="completed", run__course__pathway_role__in=("five_day", "twenty_day"))
            .values("trainee")
            .annotate(ended=Max("run__days__date"))
            .order_by("trainee")
        )
        results = [(row["trainee"], row["ended"]) for n, row in enumerate(completed) if n % 2 == 0 and row["ended"]]
        supervisors = set(self.supervisors)
        writers = [pk for pk in self.practitioners if pk not in supervisors][: self.sizes["letters"] // 2]
        days = list(
            RunDay.objects.filter(run__run_by_centre=True, run__label__startswith="Cohort ")
            .order_by("pk")
            .values_list("pk", "run_id")
        )
        named = {}
        for pk, run, role in RunTrainer.objects.filter(run__run_by_centre=True).values_list("pk", "run_id", "role"):
            named.setdefault(run, []).append((pk, role))
        self.progress.start(
            "role-plays, letters and trainer days",
            len(results) + len(writers) * 3 + sum(len(named.get(run, ())) for _day, run in days),
        )
        outcomes = ["pass", "pass", "pass", "refer", "fail"]
        self.bulk(
            RolePlayResult,
            (
                RolePlayResult(
                    person_id=person,
                    attempt=1,
                    outcome=outcomes[n % len(outcomes)],
                    assessed_on=min(self.today, ended + datetime.timedelta(days=7)),
                    retake_by=ended + datetime.timedelta(days=97) if outcomes[n % len(outcomes)] == "refer" else None,
                )
                for n, (person, ended) in enumerate(results)
            ),
        )
        # Half the people who passed the role-play and are not yet practitioners passed their
        # case study too; every letter writer has a supervisor-training case.
        CaseStudySubmission, Case = model("accreditation.CaseStudySubmission"), model("supervision.Case")
        practitioners = set(self.practitioners)
        passed = [
            person
            for n, (person, _ended) in enumerate(results)
            if outcomes[n % len(outcomes)] == "pass" and person not in practitioners
        ][: self.sizes["letters"] // 2 : 2]
        authored = set(CaseStudySubmission.objects.values_list("person_id", flat=True))
        studies = []
        for person in passed:
            if person in authored:
                continue
            study = CaseStudySubmission(
                person_id=person, number=1, file_name="case-study.pdf", status="passed", decided_at=self.now
            )
            study.file.save("case-study.pdf", ContentFile(PDF), save=False)
            studies.append(study)
        self.bulk(CaseStudySubmission, studies)
        self.bulk(
            Case,
            (
                Case(
                    practitioner_id=person,
                    code=f"S-{n:05d}",
                    purpose="supervisor_training",
                    supervisor_id=self.supervisors[n % len(self.supervisors)],
                    started_on=self.days_ago(200),
                )
                for n, person in enumerate(writers)
                if person != self.supervisors[n % len(self.supervisors)]
            ),
        )
        letters = []
        for person in writers:
            for writer in ("dit_supervisor", "line_manager"):
                letter = SupportLetter(person_id=person, writer=writer, writer_name="A Writer", file_name="letter.pdf")
                letter.file.save("letter.pdf", ContentFile(PDF), save=False)
                letters.append(letter)
        self.bulk(SupportLetter, letters)
        self.bulk(
            TrainerDay,
            (
                TrainerDay(run_trainer_id=run_trainer, day_id=day, role=role)
                for day, run in days
                for run_trainer, role in named.get(run, ())
            ),
        )

    def providers(self):
        """Accredited providers abroad, each with a user, two trainers, yearly invoices (the
        gap-free counter moved past them) and uploaded supervision records."""
        Provider, Membership = model("providers.Provider"), model("providers.ProviderMembership")
        ProviderTrainer, Invoice = model("providers.ProviderTrainer"), model("providers.Invoice")
        InvoiceLine, InvoiceCounter = model("providers.InvoiceLine"), model("providers.InvoiceCounter")
        SupervisionRecord, Fee = model("providers.SupervisionRecord"), model("providers.FeeScheduleEntry")
        count = self.sizes["providers"]
        invoices_each, records_each = 5, 2
        self.progress.start("providers and invoices", count * (4 + invoices_each * 2 + records_each))
        countries = ["PT", "ES", "IT", "DE", "NL", "IE", "GR", "PL", "SE", "AU", "CA", "BR"]
        self.bulk(
            Provider,
            (
                Provider(
                    name=f"DIT Institute {n:03d}",
                    home_country=countries[n % len(countries)],
                    licensed_countries=[countries[n % len(countries)]],
                    status="accredited",
                    accredited_on=self.days_ago(30 + n % 1_000),
                    licence_starts_on=self.days_ago(30 + n % 300),
                    licence_ends_on=self.days_ago(30 + n % 300) + datetime.timedelta(days=364),
                    address=f"{n} Example Street\nCity {n}",
                    contact_email=f"office{n:03d}@{DOMAIN}",
                )
                for n in range(count)
            ),
        )
        providers = self.ids(Provider.objects.filter(contact_email__endswith=f"@{DOMAIN}"))
        users = [self.fixed["provider"].pk] + self.people_ids[-(count - 1) :]
        self.bulk(Membership, (Membership(provider_id=p, user_id=users[n]) for n, p in enumerate(providers)))
        people = self.people_ids
        # The fixed provider's trainers (20 at scale 1) are accredited practitioners, so its
        # dashboard runs every trainer's maintenance check on real records.
        heavy = self.practitioners[-self.heavy["provider_trainers"] :]
        self.bulk(
            ProviderTrainer,
            itertools.chain(
                (ProviderTrainer(provider_id=providers[0], person_id=person) for person in heavy),
                (
                    ProviderTrainer(provider_id=p, person_id=people[(n * 2 + offset) % len(people)])
                    for n, p in enumerate(providers[1:], start=1)
                    for offset in range(2)
                ),
            ),
        )
        annual = Fee.objects.filter(kind="annual").first()
        amount = annual.amount if annual else Decimal("1000.00")
        counter, _ = InvoiceCounter.objects.select_for_update().get_or_create(name="invoice")
        first_number = counter.last_number + 1
        self.bulk(
            Invoice,
            (
                Invoice(
                    provider_id=p,
                    number=first_number + n * invoices_each + year,
                    status="paid" if year < invoices_each - 1 else ("issued" if n % 3 else "overdue"),
                    issued_on=self.days_ago(365 * (invoices_each - 1 - year) + 10),
                    due_on=self.days_ago(365 * (invoices_each - 1 - year) - 20),
                    currency="GBP",
                    bill_to=f"DIT Institute {n:03d}",
                    net_total=amount,
                    vat_total=Decimal("0.00"),
                    total=amount,
                    paid_on=self.days_ago(365 * (invoices_each - 1 - year)) if year < invoices_each - 1 else None,
                    issued_by=self.fixed["coordinator"],
                )
                for n, p in enumerate(providers)
                for year in range(invoices_each)
            ),
        )
        counter.last_number = first_number + count * invoices_each - 1
        counter.save(update_fields=["last_number"])
        invoices = Invoice.objects.filter(provider_id__in=providers).values_list("pk", "net_total")
        self.bulk(
            InvoiceLine,
            (
                InvoiceLine(
                    invoice_id=pk,
                    fee=annual,
                    description="Annual accreditation fee",
                    unit_price=net,
                    net_amount=net,
                    vat_amount=Decimal("0.00"),
                )
                for pk, net in invoices
            ),
        )
        records = []
        for n, p in enumerate(providers):
            for offset in range(records_each):
                record = SupervisionRecord(
                    provider_id=p,
                    afc_trainer_id=self.trainers[(n + offset) % len(self.trainers)],
                    date=self.days_ago(20 + offset * 30),
                    hours=Decimal("3.00"),
                    original_name="supervision.pdf",
                    review_status="approved" if offset else "submitted",
                )
                record.record.save("supervision.pdf", ContentFile(PDF), save=False)
                records.append(record)
        self.bulk(SupervisionRecord, records)

    def certificates(self):
        """Completion certificates for completed applications, numbered from the sequence."""
        Certificate, Sequence = model("certificates.Certificate"), model("certificates.CertificateSequence")
        Enrolment = model("trainings.Enrolment")
        count = self.sizes["certificates"]
        self.progress.start("certificates", count)
        completed = (
            Enrolment.objects.filter(status="completed", trainee__email__endswith=f"@{DOMAIN}")
            .order_by("pk")
            .values_list("pk", "trainee_id", "trainee__full_name", "run__course__title", "run_id")[:count]
        )
        sequence, _ = Sequence.objects.select_for_update().get_or_create(name="certificates")
        enrolment_type = ContentType.objects.get_for_model(Enrolment)
        first = sequence.last_number + 1
        rows = [
            Certificate(
                number=first + n,
                holder_id=holder,
                holder_name=name,
                title=title,
                kind="course_completion",
                achieved_on=self.first_days[run] + datetime.timedelta(days=4),
                issued_on=self.first_days[run] + datetime.timedelta(days=10),
                verification_code=secrets.token_urlsafe(24),
                status="revoked" if n % 500 == 499 else "valid",
                revoked_at=self.now if n % 500 == 499 else None,
                revocation_reason="Issued in error." if n % 500 == 499 else "",
                source_type=enrolment_type,
                source_id=str(pk),
                issued_by=self.fixed["coordinator"],
            )
            for n, (pk, holder, name, title, run) in enumerate(completed)
        ]
        self.bulk(Certificate, rows)
        sequence.last_number = first + len(rows) - 1
        sequence.save(update_fields=["last_number"])
        self.progress.add(count - len(rows))

    def audit(self):
        """What the services would have logged: decisions on applications, sessions
        confirmed, invoices issued, made by the coordinators and the people themselves."""
        count = self.sizes["audit_entries"]
        self.progress.start("audit entries", count)
        kinds = [
            ("trainings.enrolment", ["trainings.enrolment.applied", "trainings.enrolment.accepted"]),
            ("supervision.supervisionsession", ["supervision.session.logged", "supervision.session.confirmed"]),
            ("providers.invoice", ["providers.invoice.issued", "providers.invoice.paid"]),
        ]
        types = {label: ContentType.objects.get_for_model(model(label)) for label, _actions in kinds}
        people = self.people_ids
        coordinator = self.fixed["coordinator"].pk

        def entry(n):
            label, actions = kinds[n % len(kinds)]
            return AuditEntry(
                created_at=self.now - datetime.timedelta(minutes=n),
                actor_id=coordinator if n % 5 == 0 else people[n % len(people)],
                action=actions[n // len(kinds) % len(actions)],
                content_type=types[label],
                object_id=str(n + 1),
                object_repr=f"{label.split('.')[1]} {n + 1}",
                data={"bench": True},
            )

        self.bulk(AuditEntry, map(entry, range(count)))
