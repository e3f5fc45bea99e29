import pytest

from tests.trainings.factories import EnrolmentFactory, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def fifty_runs():
    return [make_run(starts_in=30 + n, day_count=3) for n in range(50)]


def test_live_trainings_with_fifty_runs(benchmark, client, fifty_runs):
    response = benchmark(client.get, "/trainings/")
    assert response.status_code == 200


def test_run_page(benchmark, client, fifty_runs):
    response = benchmark(client.get, f"/trainings/runs/{fifty_runs[0].pk}/")
    assert response.status_code == 200


def test_dashboard_with_fifty_applications(benchmark, client, fifty_runs):
    first = EnrolmentFactory(run=fifty_runs[0])
    for run in fifty_runs[1:]:
        EnrolmentFactory(run=run, trainee=first.trainee)
    client.force_login(first.trainee)
    response = benchmark(client.get, "/trainings/mine/")
    assert response.status_code == 200
