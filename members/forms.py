from django import forms

from .models import ContactMessage


class SignupDetailsForm(forms.Form):
    """Extra fields asked at sign-up, after e-mail and password."""

    full_name = forms.CharField(
        max_length=200,
        label="Full name",
        help_text="As it should appear on certificates.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])


class ProfileForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Full name", help_text="As it should appear on certificates.")


class ContactForm(forms.Form):
    name = forms.CharField(max_length=200, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label="Your e-mail address",
        help_text="The coordinators reply to this address.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topic = forms.ChoiceField(label="What is it about?", choices=[("", "Choose…"), *ContactMessage.Topic.choices])
    message = forms.CharField(
        max_length=5000, label="Your message", widget=forms.Textarea(attrs={"rows": 6}), strip=True
    )
    # A honeypot: hidden from people (and from assistive technology), filled in by robots.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_robot(self):
        return bool(self.cleaned_data.get("website"))
