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


class ResourceSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    group = forms.ModelChoiceField(label="Group", required=False, queryset=None, empty_label="All groups")

    def __init__(self, *args, **kwargs):
        from .models import ResourceGroup

        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = ResourceGroup.objects.all()


class JoinNetworkForm(forms.Form):
    declaration = forms.CharField(
        label="How you meet the network's conditions",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only needed when the portal has no record of your training or credential: e.g. where and when "
        "you completed the initial DIT training and that you are seeing training cases.",
    )

    def __init__(self, *args, needs_declaration=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_declaration = needs_declaration
        if needs_declaration:
            self.fields["declaration"].required = True
            self.fields["declaration"].error_messages["required"] = (
                "Tell the coordinators how you meet the network's conditions."
            )
        else:
            del self.fields["declaration"]
