"""The server-rendered SVG chart: geometry from a day series, no queries."""

from datetime import date

from donations.charts import HEIGHT, PAD_BOTTOM, PAD_LEFT, WIDTH, net_chart


def test_no_chart_without_entries():
    assert net_chart([], tranche_cents=40_000) is None


def test_line_starts_at_zero_the_day_before_and_rises_with_the_net():
    series = [(date(2026, 11, 1), 10_000), (date(2026, 11, 3), 50_000), (date(2026, 11, 4), 30_000)]
    chart = net_chart(series, tranche_cents=40_000)

    points = [tuple(map(float, p.split(","))) for p in chart.points.split()]
    assert len(points) == 4
    assert points[0] == (PAD_LEFT, HEIGHT - PAD_BOTTOM)  # zero on 31 October
    assert points[-1][0] == WIDTH - 16  # last day at the right edge
    ys = [y for _, y in points]
    assert ys[2] < ys[3] < ys[1] < ys[0]  # SVG y grows downwards: 50k highest, then 30k, 10k
    assert chart.first_day == date(2026, 10, 31) and chart.last_cents == 30_000
    assert [g.laptop for g in chart.guides] == [1]  # one dashed line at €400


def test_many_laptops_get_a_few_guides_not_hundreds():
    chart = net_chart([(date(2026, 1, 1), 400_000_00)], tranche_cents=40_000)
    assert 1 <= len(chart.guides) <= 6
    assert all(g.cents % 40_000 == 0 for g in chart.guides)
