"""Every date box on the portal's own forms shows a saved date, so saving the form unchanged
keeps it. `<input type="date">` accepts only ISO dates: a date rendered as 31/03/2027 shows
as an empty box and is lost on the next save."""

import datetime
import importlib
import inspect

import pytest
from django import forms
from django.apps import apps
from django.conf import settings

SAVED = datetime.date(2027, 3, 31)


def _portal_forms():
    found = []
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or ".venv" in config.path:
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _, form_class in inspect.getmembers(module, inspect.isclass):
            if issubclass(form_class, forms.BaseForm) and form_class.__module__ == module.__name__:
                for name, field in getattr(form_class, "base_fields", {}).items():
                    if isinstance(field, forms.DateField) and field.widget.input_type == "date":
                        found.append((form_class, name, field))
    return found


DATE_FIELDS = _portal_forms()


def test_the_registry_finds_the_date_boxes():
    names = {f"{form.__name__}.{name}" for form, name, _ in DATE_FIELDS}
    assert {
        "PersonProfileForm.registration_valid_until",
        "CredentialStatusForm.effective_on",
        "RunDayForm.date",
        "CaseStudyDecisionForm.resubmit_by",
        "IssueCertificateForm.achieved_on",
        "PaymentForm.received_on",
    } <= names, names


@pytest.mark.parametrize(
    ("form_class", "name", "field"),
    DATE_FIELDS,
    ids=lambda v: v.__name__ if isinstance(v, type) else (v if isinstance(v, str) else ""),
)
def test_a_saved_date_is_shown_in_the_box(form_class, name, field):
    html = field.widget.render(name, SAVED)
    assert 'value="2027-03-31"' in html, html
    assert field.clean(field.widget.value_from_datadict({name: "2027-03-31"}, {}, name)) == SAVED
