"""E-mail as template pairs: `<name>_subject.txt`, `<name>.txt` and `<name>.html`.

Messages are rendered in the request (or job) that decides to send them and handed to
Celery after the transaction commits, so a rolled-back decision never sends mail.
"""

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string

from .site import site_url
from .tasks import deliver_email


def _render_text(template_name, context):
    """Plain-text parts are not HTML: render them without autoescaping."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_email(template_name, context):
    context = {"site_url": site_url(), **context}
    subject = " ".join(_render_text(f"{template_name}_subject.txt", context).split())
    text = _render_text(f"{template_name}.txt", context)
    html = render_to_string(f"{template_name}.html", context)
    return subject, text, html


def send_templated_email(template_name, context, *, to, reply_to=None):
    """Render now, deliver on commit through the Celery queue. `reply_to`: the address a
    reply goes to (e.g. the sender of a contact message), if not the portal's."""
    recipients = [to] if isinstance(to, str) else list(to)
    subject, text, html = render_email(template_name, context)
    extra = {"reply_to": [reply_to]} if reply_to else {}
    transaction.on_commit(lambda: deliver_email.delay(subject=subject, text=text, html=html, to=recipients, **extra))


def deliver_now(*, subject, text, html, to, reply_to=None):
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    message.send()
