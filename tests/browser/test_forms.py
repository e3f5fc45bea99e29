"""Forms that say what to fix: the error summary is focused and leads to each field; the
licence application's country picker works with the keyboard alone."""

from playwright.sync_api import expect

from tests.browser.test_accessibility import sign_in
from tests.factories import UserFactory


def test_error_summary_and_keyboard_country_picker(page, context, live_server):
    sign_in(context, UserFactory(full_name="Ana Applicant"), live_server)
    page.goto("/providers/apply/")
    home = page.get_by_label("Country the organisation is based in")
    expect(home).to_have_value("")

    picker = page.get_by_role("combobox", name="Countries you will train in")
    picker.focus()
    picker.press_sequentially("portu")
    expect(page.get_by_role("listbox").get_by_role("option", name="Portugal")).to_be_visible()
    picker.press("ArrowDown")
    picker.press("Enter")  # adds the country, does not send the form
    expect(page.get_by_role("button", name="Remove Portugal")).to_be_visible()
    picker.press_sequentially("bra")
    picker.press("Enter")  # the first match
    expect(page.get_by_role("button", name="Remove Brazil")).to_be_visible()
    picker.press_sequentially("ghana")
    picker.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    picker.fill("")
    picker.press("Backspace")  # in the empty box: removes the last country chosen
    expect(page.get_by_role("button", name="Remove Brazil")).to_have_count(0)
    chosen = page.eval_on_selector("#id_licensed_countries_list", "s => [...s.selectedOptions].map(o => o.value)")
    assert chosen == ["PT"]
    assert page.url.endswith("/providers/apply/")

    page.get_by_role("button", name="Send the application").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Country the organisation is based in: Choose the country").click()
    expect(home).to_be_focused()
    # The chosen country survived the round trip, and the picker shows it.
    expect(page.get_by_role("button", name="Remove Portugal")).to_be_visible()
    assert not summary.get_by_role("link", name="Countries you will train in").count()
