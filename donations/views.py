"""Public pages of the Cook4Chance fund."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from events.cache import public_page_cache

from . import charts, selectors, selectors_money


@require_GET
@public_page_cache
def impact(request: HttpRequest) -> HttpResponse:
    """Euros raised, laptops funded and bought, dinners and guests, the chart. Fixed queries."""
    fund = selectors.fund_get_cook4chance()
    context = {
        "fund": fund,
        "laptops_bought": selectors.fund_laptops_bought(fund=fund),
        "stats": selectors.fund_dinner_stats(fund=fund),
        "recent": selectors.fund_recent_disbursements(fund=fund),
        "kiron": selectors_money.kiron_summary(),
        "chart": charts.net_chart(
            selectors.fund_net_by_day(fund=fund), tranche_cents=fund.tranche_cents
        ),
    }
    return render(request, "donations/impact.html", context)
