"""Form widgets shared by every app."""

from django import forms


class DateInput(forms.DateInput):
    """A browser date picker. `<input type="date">` only shows and sends ISO dates
    (YYYY-MM-DD); rendered in the locale's 31/03/2027 the box shows empty and the saved
    date is lost on the next save, so the value is always written as ISO."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)
