"""E-mail as template pairs: `<name>_subject.txt`, `<name>.txt` and `<name>.html`.

Messages are rendered in the request (or job) that decides to send them and written into
the outbox in its transaction (dit_portal/outbox.py): a rolled-back decision never sends
mail, and a committed one always does, even when the broker was down at the time.

A job that sends many e-mails of one kind (the reminder sweep) makes one `EmailTemplates`
and renders each message with it: the three templates are found and compiled once, and
the site's address read once, rather than for every message. `render_email` is the same
renderer used once.
"""

from django.core.mail import EmailMultiAlternatives
from django.template import Context, engines

from .outbox import queue_email
from .site import site_url


class EmailTemplates:
    """The subject, text and HTML templates of one e-mail, loaded once, rendered many times.
    Plain-text parts (subject and text) are not HTML: they render without autoescaping."""

    def __init__(self, template_name):
        engine = engines["django"].engine
        self.subject = engine.get_template(f"{template_name}_subject.txt")
        self.text = engine.get_template(f"{template_name}.txt")
        self.html = engine.get_template(f"{template_name}.html")
        self.autoescape = engine.autoescape
        self.site_url = site_url()

    def render(self, context):
        context = {"site_url": self.site_url, **context}
        subject = " ".join(self.subject.render(Context(context, autoescape=False)).split())
        text = self.text.render(Context(context, autoescape=False))
        html = self.html.render(Context(context, autoescape=self.autoescape))
        return subject, text, html


def render_email(template_name, context):
    return EmailTemplates(template_name).render(context)


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
