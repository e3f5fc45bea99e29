"""Forms that replace allauth's own (ACCOUNT_FORMS). Kept apart from members.forms, which
allauth imports while its forms module is still loading (ACCOUNT_SIGNUP_FORM_CLASS)."""

from allauth.account.forms import ResetPasswordForm, SignupForm
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password


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


class EvenSignupForm(SignupForm):
    """Sign-up answers alike whether or not the address is registered (allauth then mails
    the owner instead of creating an account). A new account costs hashing the password,
    the slow step by design; the known-address path hashes it too, so the time taken does
    not tell the two apart."""

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
