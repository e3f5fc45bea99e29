from allauth.account.adapter import DefaultAccountAdapter
from django.template.loader import render_to_string

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
