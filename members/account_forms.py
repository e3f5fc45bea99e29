"""Forms that replace allauth's own (ACCOUNT_FORMS). Kept apart from members.forms, which
allauth imports while its forms module is still loading (ACCOUNT_SIGNUP_FORM_CLASS)."""

from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress


class VerifiedAddressResetPasswordForm(ResetPasswordForm):
    """A password reset goes only to an address its owner has verified. Otherwise whoever
    typed an address at sign-up, or added it unverified, could have the account's reset
    link sent to a mailbox nobody proved is theirs. An unverified address is answered like an
    unknown one, so the page says nothing either way."""

    def clean_email(self):
        email = super().clean_email()
        verified = set(
            EmailAddress.objects.filter(email__iexact=email, verified=True).values_list("user_id", flat=True)
        )
        self.users = [user for user in self.users if user.pk in verified]
        return email
