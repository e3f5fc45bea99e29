"""E-mail as template pairs: `<name>_subject.txt`, `<name>.txt` and `<name>.html`.

Messages are rendered in the request (or job) that decides to send them and written into
the outbox in its transaction (dit_portal/outbox.py): a rolled-back decision never sends
mail, and a committed one always does, even when the broker was down at the time.
"""

from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string

from .outbox import queue_email
from .site import site_url


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
    """Render now and write into the outbox; a worker sends it after the commit. `reply_to`:
    the address a reply goes to (e.g. the sender of a contact message), if not the portal's."""
    subject, text, html = render_email(template_name, context)
    return queue_email(subject=subject, text=text, html=html, to=to, reply_to=reply_to or "")


def deliver_now(*, subject, text, html, to, reply_to=None):
    if isinstance(reply_to, str):
        reply_to = [reply_to] if reply_to else None
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    message.send()
