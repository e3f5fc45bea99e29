"""A trainee's accepted training as an iCalendar file: one event per teaching day."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from dit_portal.site import site_url


def enrolment_calendar(enrolment, *, request=None):
    run = enrolment.run
    base = site_url(request)
    host = urlsplit(base).hostname or "dit-portal"
    page = base + reverse("trainings:run_detail", kwargs={"pk": run.pk})
    calendar = Calendar()
    calendar.add("prodid", "-//DIT portal//Trainings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{run.course.title}: {run.label}")
    where = "Online" if run.mode == "online" else run.venue
    description = [f"{run.course.title}, {run.label}.", f"Details: {page}"]
    if run.joining_details:
        description += ["", "How to join:", run.joining_details]
    zone = timezone.get_default_timezone() if settings.USE_TZ else None
    stamp = timezone.now()
    days = list(run.days.all())
    for number, day in enumerate(days, start=1):
        event = Event()
        event.add("uid", f"dit-run-{run.pk}-day-{day.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", f"{run.course.title} (day {number} of {len(days)})")
        if day.starts_at:
            starts = datetime.datetime.combine(day.date, day.starts_at, tzinfo=zone)
            ends_at = (
                day.ends_at or (datetime.datetime.combine(day.date, day.starts_at) + datetime.timedelta(hours=1)).time()
            )
            event.add("dtstart", starts)
            event.add("dtend", datetime.datetime.combine(day.date, ends_at, tzinfo=zone))
        else:
            event.add("dtstart", day.date)
            event.add("dtend", day.date + datetime.timedelta(days=1))
        event.add("location", where)
        event.add("url", page)
        event.add("description", "\n".join(description))
        calendar.add_component(event)
    return calendar.to_ical()
