import pytest
from django.core.cache import cache

from tests.factories import ProfileFactory, UserFactory

from .helpers import booking, past_event


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters live in the cache: every test starts with a fresh allowance."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def guest(db):
    guest = UserFactory(email="guest@example.org", first_name="Gabi")
    ProfileFactory(user=guest, display_name="Gabi from Ixelles")
    return guest


@pytest.fixture
def dinner_done(host, ixelles):
    """A dinner by ``host`` that ended two hours ago and is completed."""
    return past_event(host=host, commune=ixelles)


@pytest.fixture
def attended(dinner_done, guest):
    """The guest's confirmed booking at the completed dinner."""
    return booking(event=dinner_done, guest=guest)
