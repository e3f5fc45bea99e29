import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group

from members import roles
from tests.factories import UserFactory, current_totp_code, staff_with_totp

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def test_roles_exist_as_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Coordinator",
        "Programme Director",
        "Supervisor",
        "Provider user",
    }


def test_admin_login_goes_through_the_rate_limited_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/portal/page/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fportal%2Fpage%2F"


def test_admin_login_refuses_to_redirect_off_site(client):
    coordinator = staff_with_totp(roles.COORDINATOR)
    client.force_login(coordinator)
    assert client.get("/admin/login/?next=https://evil.example/")["Location"] == "/admin/"


@pytest.mark.parametrize("role", [None, roles.SUPERVISOR, roles.PROVIDER_USER])
def test_people_without_a_staff_role_never_reach_the_admin(client, role):
    client.force_login(staff_with_totp(role))
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get("/admin/login/?next=/admin/").status_code == 403


@pytest.mark.parametrize("role", [roles.COORDINATOR, roles.PROGRAMME_DIRECTOR])
def test_staff_must_turn_on_two_factor_first(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    response = client.get("/admin/login/?next=/admin/", follow=False)
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_staff_log_in_with_password_and_code_then_reach_the_admin(client):
    coordinator = UserFactory(email="coord@example.org", role=roles.COORDINATOR)
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": "coord@example.org", "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    code = current_totp_code(secret)
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response["Location"] == "/admin/"
    assert "Coordination" in client.get("/admin/").text


def test_wrong_second_factor_keeps_staff_out(client):
    coordinator = UserFactory(email="coord@example.org", role=roles.COORDINATOR)
    TOTP.activate(coordinator, generate_totp_secret())
    client.post("/accounts/login/", {"login": "coord@example.org", "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code." in response.text
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_a_coordinator_cannot_take_over_a_superuser(client):
    client.force_login(staff_with_totp(roles.COORDINATOR))
    superuser = UserFactory(is_superuser=True)
    assert client.get(f"/admin/members/user/{superuser.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/members/user/{superuser.pk}/change/", {"email": "mine@example.org"})
    assert response.status_code == 403
    assert client.get(f"/admin/members/user/{superuser.pk}/password/").status_code == 403
    superuser.refresh_from_db()
    assert superuser.email != "mine@example.org"


def test_coordinators_cannot_grant_roles(client):
    coordinator = staff_with_totp(roles.COORDINATOR)
    trainee = UserFactory()
    client.force_login(coordinator)
    group = Group.objects.get(name=roles.COORDINATOR)
    client.post(
        f"/admin/members/user/{trainee.pk}/change/",
        {"email": trainee.email, "full_name": "X", "is_active": "on", "groups": [group.pk], "is_superuser": "on"},
    )
    trainee.refresh_from_db()
    assert not trainee.is_superuser
    assert not trainee.groups.exists()


def test_staff_roles_hold_the_permissions_declared_for_every_app():
    """Granted after every app's migrations, so later apps' models are included."""
    from django.apps import apps
    from django.contrib.auth.models import Permission

    for role, app_rights in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        for app_label in app_rights:
            if not list(apps.get_app_config(app_label).get_models()):
                continue
            held = group.permissions.filter(content_type__app_label=app_label)
            assert held.exists(), f"{role} holds no {app_label} permissions"
            assert Permission.objects.filter(content_type__app_label=app_label).exists()
