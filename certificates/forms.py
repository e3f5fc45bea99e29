import re

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils import timezone

from dit_portal.widgets import DateInput
from members.models import User

from .enums import CertificateKind
from .models import Certificate


class IssueCertificateForm(forms.Form):
    """A certificate a coordinator issues by hand (e.g. for a course run before the portal)."""

    holder = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True), help_text="The person; their full name is printed."
    )
    kind = forms.ChoiceField(choices=CertificateKind.choices)
    title = forms.CharField(max_length=200, help_text="The course completed or the credential held, as printed.")
    description = forms.CharField(max_length=300, required=False, help_text="Optional line under the title.")
    achieved_on = forms.DateField(label="Completed or accredited on", widget=DateInput(), help_text="YYYY-MM-DD.")
    source_reference = forms.CharField(
        max_length=200, required=False, label="Reference", help_text="Where the record is kept, e.g. a paper register."
    )

    def __init__(self, *args, admin_site=None, **kwargs):
        """In the admin the holder is found by typing (an autocomplete over name and e-mail
        address), not chosen from a list of every account."""
        super().__init__(*args, **kwargs)
        holder = self.fields["holder"]
        holder.label_from_instance = User.name_and_email
        if admin_site is not None:
            holder.widget = AutocompleteSelect(
                Certificate._meta.get_field("holder"), admin_site, choices=holder.choices
            )

    def clean_holder(self):
        holder = self.cleaned_data["holder"]
        if not holder.full_name.strip():
            raise forms.ValidationError(
                "This person has no full name in their profile; a certificate prints it. Add it first."
            )
        return holder

    def clean_achieved_on(self):
        achieved_on = self.cleaned_data["achieved_on"]
        if achieved_on > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return achieved_on


class RevocationForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why the certificate is revoked; kept in the audit log (the public page says only “revoked”).",
    )


class VerificationForm(forms.Form):
    code = forms.CharField(
        max_length=64, label="Verification code", help_text="As printed under the certificate's QR code."
    )

    def clean_code(self):
        # Codes are URL-safe base64 (certificates.models.new_verification_code); anything else
        # cannot be one, and could not go into the verification address either.
        code = self.cleaned_data["code"].strip()
        if not re.fullmatch(r"[A-Za-z0-9_-]+", code):
            raise forms.ValidationError("A verification code has only letters, digits, - and _; check what you typed.")
        return code


# A signed credential (VC-JWT) is a few kilobytes; anything far bigger is not one.
CREDENTIAL_MAX_BYTES = 64 * 1024


class CredentialCheckForm(forms.Form):
    """A signed Open Badges credential to check, pasted or uploaded."""

    credential = forms.CharField(
        required=False,
        max_length=CREDENTIAL_MAX_BYTES,
        label="Paste the credential",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text="The signed credential (a long text in three parts separated by dots), or its JSON file's text.",
    )
    credential_file = forms.FileField(
        required=False, label="Or upload the credential file", help_text="The .jwt or .json file the holder shared."
    )

    def clean_credential_file(self):
        upload = self.cleaned_data.get("credential_file")
        if not upload:
            return ""
        if upload.size > CREDENTIAL_MAX_BYTES:
            raise forms.ValidationError("This file is too large to be a signed credential.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError("This file is not a signed credential: it is not text.") from error

    def clean(self):
        cleaned = super().clean()
        pasted, uploaded = (cleaned.get("credential") or "").strip(), cleaned.get("credential_file") or ""
        if self.errors:
            return cleaned
        if pasted and uploaded:
            raise forms.ValidationError("Paste the credential or upload its file, not both.")
        if not pasted and not uploaded:
            raise forms.ValidationError("Paste the credential or upload its file.")
        cleaned["text"] = pasted or uploaded
        return cleaned
