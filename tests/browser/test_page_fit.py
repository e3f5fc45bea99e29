"""Every page a person can reach fits a phone, and the menu fits a laptop.

The pages are the permission matrix's: each named route whose GET answers 200 to a role
(tests/test_permission_matrix.py), built with the matrix's world of named people and records,
so a page added to the matrix is checked here too. The administration is left out (it is
Django's admin, checked in tests/browser/test_admin_lists.py). One browser is shared; each
role signs in once, by cookie, and keeps its session across its pages.

At 390 px a page fails when the document is wider than the viewport or when a visible action
(a button, a link styled as one, a submit input) sticks out of it, as a Confirm button in
a wide table scrolled sideways would. At 1280 and 1024 px the header fails when the menu
takes more than one row, when an entry is outside the viewport, or when the page is wider
than the viewport.
"""

from playwright.sync_api import Error as PlaywrightError

from tests.browser.test_accessibility import sign_in
from tests.test_permission_matrix import (
    ANON,
    COORDINATOR,
    PROVIDER_X,
    ROUTES,
    SUPERVISOR,
    TRAINEE_A,
    World,
)

PHONE = {"width": 390, "height": 844}
PEOPLE_ROLES = [ANON, TRAINEE_A, SUPERVISOR, PROVIDER_X]

OVERFLOW = """(width) => {
    const wide = document.documentElement.scrollWidth;
    const actions = [...document.querySelectorAll(
        'main .btn, main button, main input[type=submit], main input[type=button]')]
      .filter((element) => element.offsetParent !== null && !element.closest('.visually-hidden'))
      .map((element) => [element, element.getBoundingClientRect()])
      .filter(([, box]) => box.width > 0 && (box.left < -0.5 || box.right > width + 0.5))
      .map(([element, box]) => `${(element.innerText || element.value || '').trim()} at ${Math.round(box.left)}-${Math.round(box.right)}`);
    return {wide, actions};
}"""


def reachable_pages(role, world):
    """The non-admin pages that answer this role's GET with 200, as (name, url); and, as the
    matrix tries one public page and one course of each kind, every published page and course."""
    from dit_portal.models import Page
    from trainings.models import Course

    pages = []
    for name, route in ROUTES.items():
        if route.expect.get(role) != 200:
            continue
        pages.append((name, route.url(world) if callable(route.url) else route.url))
    urls = {url for _name, url in pages}
    pages += [("page", page.get_absolute_url()) for page in Page.objects.filter(is_published=True)]
    pages += [("course", f"/trainings/courses/{slug}/") for slug in Course.objects.values_list("slug", flat=True)]
    return [(name, url) for index, (name, url) in enumerate(pages) if index < len(urls) or url not in urls]


def context_for(browser, live_server, role, world, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, device_scale_factor=1)
    if role != ANON:
        sign_in(context, world.users[role], live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_every_page_fits_a_phone_for_every_role(browser, live_server):
    world = World()
    problems = []
    for role in PEOPLE_ROLES:
        pages = reachable_pages(role, world)
        context, page = context_for(browser, live_server, role, world, PHONE)
        checked = 0
        for name, url in pages:
            try:
                response = page.goto(url, wait_until="domcontentloaded")
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue  # a file download: nothing to lay out
                raise
            if response.status != 200:
                problems.append(f"{role} {name} {url}: answered {response.status}")
                continue
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            checked += 1
            found = page.evaluate(OVERFLOW, PHONE["width"])
            if found["wide"] > PHONE["width"]:
                problems.append(f"{role} {name} {url}: document {found['wide']} px wide")
            if found["actions"]:
                problems.append(f"{role} {name} {url}: actions outside the screen: {found['actions']}")
        context.close()
        assert checked > 10, (role, pages)
    assert not problems, "At 390 px:\n" + "\n".join(problems)


def test_the_phone_check_finds_a_wide_table_and_an_action_off_screen(browser, live_server):
    """The check can fail: a wide table, and a button at its far end in a scrolled box."""
    context, page = context_for(browser, live_server, ANON, None, PHONE)
    page.goto("/")
    assert page.evaluate(OVERFLOW, PHONE["width"]) == {"wide": PHONE["width"], "actions": []}
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
            '<div style="overflow-x:auto"><table><tr><td style="min-width:500px">Long</td>'
            + '<td><button class="btn">Confirm</button></td></tr></table></div>')"""
    )
    found = page.evaluate(OVERFLOW, PHONE["width"])
    assert found["wide"] == PHONE["width"]
    assert found["actions"] and found["actions"][0].startswith("Confirm")
    page.evaluate("""() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<table><tr><td style="min-width:600px">Wide</td></tr></table>')""")
    assert page.evaluate(OVERFLOW, PHONE["width"])["wide"] > PHONE["width"]
    context.close()


HEADER = """(width) => {
    const nav = document.querySelector('nav.site-nav');
    const entries = [...nav.querySelectorAll('.navbar-brand, .navbar-nav > .nav-item')]
      .filter((element) => element.offsetParent !== null);
    const tops = new Set(entries.map((element) => Math.round(element.getBoundingClientRect().top)));
    const outside = entries.filter((element) => {
        const box = element.getBoundingClientRect();
        return box.left < 0 || box.right > width;
    }).map((element) => element.innerText.trim());
    const wrapped = [...nav.querySelectorAll('.nav-link, .navbar-brand')]
      .filter((element) => element.offsetParent !== null)
      .filter((element) => element.getClientRects().length > 1
          || element.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(element).lineHeight))
      .map((element) => element.innerText.trim());
    return {
        rows: tops.size, outside, wrapped,
        wide: document.documentElement.scrollWidth,
        entries: entries.map((element) => element.innerText.trim().split('\\n')[0]),
    };
}"""


def test_the_menu_fits_one_row_for_every_role_at_1280_and_1024_px(browser, live_server):
    world = World()
    problems = {}
    for role in [*PEOPLE_ROLES, COORDINATOR]:
        context, page = context_for(browser, live_server, role, world, {"width": 1280, "height": 800})
        for width in (1280, 1024):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto("/")
            found = page.evaluate(HEADER, width)
            if found["rows"] != 1 or found["outside"] or found["wrapped"] or found["wide"] > width:
                problems[f"{role} at {width} px"] = found
            if role == ANON:
                assert "Sign in" in found["entries"], found
            else:
                assert "Sign out" in found["entries"], found
        context.close()
    assert not problems, problems
