import pytest

from .factories import ProviderFactory, provider_user


@pytest.fixture
def provider(db):
    return ProviderFactory(name="Lisbon DIT Institute")


@pytest.fixture
def member(provider):
    return provider_user(provider, email="maria@lisbon-dit.example")
