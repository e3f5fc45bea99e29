import pytest
from django.test import Client

from dit_portal.models import FrequentlyAskedQuestion, Page

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", "Dynamic Interpersonal Therapy"),
        ("/about/what-is-dit/", "16 sessions, once a week, each lasting 50 minutes"),
        ("/about/what-is-dit/", "Some people feel worse before they feel better"),
        ("/about/for-professionals/", "Step 3 of NHS Talking Therapies"),
        ("/about/for-professionals/", "28 sessions"),
        ("/about/becoming-a-trainer/", "approved by the DIT Programme Director"),
        ("/about/overseas-training-providers/", "GBP 5,500"),
        ("/faqs/", "How many sessions does DIT involve?"),
    ],
)
def test_public_pages_show_the_seeded_information(client, url, expected):
    response = client.get(url)
    assert response.status_code == 200
    assert expected in response.text


def test_menu_lists_published_pages_in_order(client):
    Page.objects.filter(slug="becoming-a-trainer").update(is_published=False)
    html = client.get("/").text
    assert html.index("What is DIT") < html.index("For professionals") < html.index("Overseas providers")
    assert "Becoming a trainer" not in html


def test_coordinator_edits_show_without_a_deploy(client):
    page = Page.objects.get(slug="what-is-dit")
    page.body = "## Changed today\n\nNew text from the coordinators."
    page.save()
    response = client.get("/about/what-is-dit/")
    assert "<h2>Changed today</h2>" in response.text
    assert "New text from the coordinators." in response.text


def test_unpublished_page_answers_404(client):
    Page.objects.filter(slug="what-is-dit").update(is_published=False)
    assert client.get("/about/what-is-dit/").status_code == 404


def test_markdown_from_the_admin_cannot_inject_script(client):
    Page.objects.filter(slug="what-is-dit").update(
        body='Hello <script>alert("x")</script> [link](javascript:alert(1)) <img src=x onerror=alert(1)>'
    )
    html = client.get("/about/what-is-dit/").text
    assert "<script>alert" not in html
    assert "javascript:alert" not in html
    assert "onerror" not in html


def test_unpublished_questions_are_hidden(client):
    FrequentlyAskedQuestion.objects.create(question="Hidden draft?", answer="x", is_published=False)
    assert "Hidden draft?" not in client.get("/faqs/").text


def test_unknown_url_gets_the_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'href="/static/vendor/bootstrap/bootstrap.min.css"' in response.text


def test_server_error_shows_no_traceback(settings):
    """With DEBUG off an exception renders the plain 500 page, never a traceback."""
    assert settings.DEBUG is False
    from django.urls import path

    def broken(request):
        raise RuntimeError("secret internal detail")

    import dit_portal.urls as project_urls

    class Urls:
        urlpatterns = [path("broken/", broken), *project_urls.urlpatterns]
        handler500 = project_urls.handler500

    settings.ROOT_URLCONF = Urls
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


def test_pages_work_offline_with_local_bootstrap(client):
    html = client.get("/").text
    assert "cdn" not in html.lower()
    assert "/static/vendor/bootstrap/bootstrap.bundle.min.js" in html


def test_settings_defaults_are_local_without_a_database_url_and_strict_with_one(tmp_path):
    """A bare checkout runs manage.py with no environment; a deployment must set SECRET_KEY."""
    import subprocess
    import sys

    from django.conf import settings as django_settings

    def settings_with(env):
        code = "import django.conf as c; c.settings.DEBUG and print('debug')"
        base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "dit_portal.settings", "VAR_DIR": str(tmp_path)}
        return subprocess.run(
            [sys.executable, "-c", code],
            env={**base, **env},
            cwd=django_settings.BASE_DIR,
            capture_output=True,
            text=True,
        )

    local = settings_with({})
    assert local.returncode == 0 and local.stdout.strip() == "debug"
    deployed = settings_with({"DATABASE_URL": "postgres://db/dit"})
    assert deployed.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in deployed.stderr
