import pytest

from donations.bootstrap import ensure_cook4chance_fund, ensure_kiron_staff_group
from donations.models import Fund


@pytest.fixture
def fund(db) -> Fund:
    """The Cook4Chance fund (re-created if a transactional test emptied the database)."""
    return ensure_cook4chance_fund()


@pytest.fixture
def kiron_group(db):
    return ensure_kiron_staff_group()
