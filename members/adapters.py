from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.template.loader import render_to_string

from dit_portal.outbox import queue_email
from dit_portal.site import site_url


class AccountAdapter(DefaultAccountAdapter):
    def render_mail(self, template_prefix, email, context, headers=None):
        """Every account e-mail goes out as text and HTML: where allauth ships only a text
        template, the HTML part is the same text in the portal's e-mail layout."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if not getattr(message, "alternatives", None):
            html = render_to_string(
                "emails/plain_text_as_html.html",
                {"subject": message.subject, "body_text": message.body, "site_url": site_url()},
            )
            message.attach_alternative(html, "text/html")
        return message

    def send_mail(self, template_prefix, email, context):
        """Account e-mails are rendered here, written into the outbox and delivered by the
        Celery worker, like every other e-mail of the portal. So a request never waits for the mail server, and a
        sign-up for a known address (which mails "you already have an account") takes as
        long as one for a new address."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )
        html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
        queue_email(subject=message.subject, text=message.body, html=html, to=list(message.to))
