import pytest
from django.template import Context, Template
from django.utils import translation

from events.templatetags.money import format_cents


@pytest.mark.parametrize(
    ("language", "cents", "expected"),
    [
        ("en", 2500, "€25.00"),
        ("en", 2550, "€25.50"),
        ("en", 0, "€0.00"),
        ("en", 123456, "€1,234.56"),
        ("fr", 2500, "25,00 €"),
        ("fr", 5, "0,05 €"),
        ("nl", 2500, "€ 25,00"),
        ("en", -2500, "-€25.00"),
    ],
)
def test_money_formats_cents_for_the_active_language(language, cents, expected):
    with translation.override(language):
        assert format_cents(cents) == expected


def test_money_filter_in_a_template():
    with translation.override("fr"):
        rendered = Template("{% load money %}{{ cents|money }}").render(Context({"cents": 4000}))
    assert rendered == "40,00 €"
