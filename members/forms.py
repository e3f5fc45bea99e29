from django import forms


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
