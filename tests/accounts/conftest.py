import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Start every test in English: a request to /fr/... leaves French active in the thread."""
    with translation.override("en"):
        yield
