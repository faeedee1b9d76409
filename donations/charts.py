"""A small server-rendered SVG line chart of the fund's net total over time (no JavaScript).

``net_chart`` turns ``[(day, net_cents), ...]`` into coordinates for
``templates/donations/_net_chart.html``. Pure functions, no queries.
"""

from dataclasses import dataclass
from datetime import date, timedelta

WIDTH = 640
HEIGHT = 240
PAD_LEFT = 64
PAD_RIGHT = 16
PAD_TOP = 16
PAD_BOTTOM = 32
MAX_GUIDES = 6


@dataclass(frozen=True)
class Guide:
    y: float
    cents: int
    laptop: int | None  # the tranche number this line marks, when it marks one


@dataclass(frozen=True)
class NetChart:
    width: int
    height: int
    points: str  # SVG polyline "x,y x,y ..."
    area: str  # SVG path of the filled area under the line
    guides: list[Guide]
    first_day: date
    last_day: date
    last_cents: int
    plot_left: int
    plot_right: int
    plot_bottom: int


def _guides(top_cents: int, tranche_cents: int) -> list[tuple[int, int | None]]:
    """Horizontal guide values: each laptop boundary if few, else round steps."""
    laptops = top_cents // tranche_cents
    if 1 <= laptops <= MAX_GUIDES:
        return [(n * tranche_cents, n) for n in range(1, laptops + 1)]
    if laptops == 0:
        return [(tranche_cents, 1)]
    step_laptops = -(-laptops // MAX_GUIDES)
    return [(n * tranche_cents, n) for n in range(step_laptops, laptops + 1, step_laptops)]


def net_chart(series: list[tuple[date, int]], *, tranche_cents: int) -> NetChart | None:
    """Coordinates for the chart, or ``None`` when there is nothing to draw yet.

    The line starts at zero the day before the first entry and steps through each day's
    closing net total. The vertical scale always shows at least the first laptop boundary.
    """
    if not series:
        return None
    first_day = series[0][0] - timedelta(days=1)
    last_day = series[-1][0]
    points_data = [(first_day, 0), *series]
    top = max(max(cents for _, cents in points_data), tranche_cents)
    top = top + top // 10  # headroom above the highest point
    span_days = max((last_day - first_day).days, 1)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    bottom = PAD_TOP + plot_h

    def x(day: date) -> float:
        return round(PAD_LEFT + (day - first_day).days * plot_w / span_days, 1)

    def y(cents: int) -> float:
        return round(bottom - max(cents, 0) * plot_h / top, 1)

    coords = [(x(day), y(cents)) for day, cents in points_data]
    points = " ".join(f"{px},{py}" for px, py in coords)
    area = (
        f"M{coords[0][0]},{bottom} "
        + " ".join(f"L{px},{py}" for px, py in coords)
        + f" L{coords[-1][0]},{bottom} Z"
    )
    guides = [Guide(y=y(cents), cents=cents, laptop=n) for cents, n in _guides(top, tranche_cents)]
    return NetChart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        area=area,
        guides=guides,
        first_day=first_day,
        last_day=last_day,
        last_cents=series[-1][1],
        plot_left=PAD_LEFT,
        plot_right=WIDTH - PAD_RIGHT,
        plot_bottom=bottom,
    )
