"""Demo data: two cities with their communes, three hosts and a dozen upcoming events.

Idempotent: everything is found by its natural key (city slug, commune slug, host email,
host + title) and updated in place, so running it twice changes nothing but the dates, which
are recomputed relative to now so the events stay upcoming.
"""

from datetime import datetime, time, timedelta
from typing import TextIO

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Profile, User

from .models import City, Commune, Event, Kind
from .place_names import CITY_NAMES, COMMUNE_NAMES

DEMO_PASSWORD = "meetsies-demo-2024"

CITIES = {
    "brussels": {
        "name": "Brussels",
        "timezone": "Europe/Brussels",
        "country": "BE",
        "communes": [
            "Ixelles",
            "Uccle",
            "Bruxelles",
            "Schaerbeek",
            "Woluwe-Saint-Pierre",
            "Saint-Gilles",
            "Molenbeek",
            "Hoeilaart",
            "Grimbergen",
        ],
    },
    "dublin": {
        "name": "Dublin",
        "timezone": "Europe/Dublin",
        "country": "IE",
        "communes": ["Rathmines", "Ranelagh", "Smithfield", "Portobello", "Drumcondra", "Howth"],
    },
}

HOSTS = [
    {
        "email": "amira@demo.meetsies.local",
        "first_name": "Amira",
        "display_name": "Amira",
        "bio": "Syrian cook in Ixelles. Big tables, bigger pots of maqluba.",
        "city": "brussels",
        "commune": "ixelles",
        "languages": ["ar", "fr", "en"],
    },
    {
        "email": "jonas@demo.meetsies.local",
        "first_name": "Jonas",
        "display_name": "Jonas",
        "bio": "Board-game collector in Schaerbeek. Two hundred games and counting.",
        "city": "brussels",
        "commune": "schaerbeek",
        "languages": ["nl", "en", "de"],
    },
    {
        "email": "siobhan@demo.meetsies.local",
        "first_name": "Siobhán",
        "display_name": "Siobhán",
        "bio": "Dubliner who believes every evening improves with soda bread and strangers.",
        "city": "dublin",
        "commune": "rathmines",
        "languages": ["en", "ga"],
    },
]

# (host index, kind, title, city, commune, days from now, start hour, hours, seats,
#  contribution cents, pledge percent, dietary, languages, description, menu)
EVENTS = [
    (0, Kind.DINNER, "Syrian feast: maqluba night", "brussels", "ixelles", 3, 19, 3, 8, 2500, 100,
     ["halal", "vegetarian"], ["ar", "fr", "en"],
     "Upside-down rice, aubergines and stories from Damascus.", "Mezze\nMaqluba\nKnafeh"),
    (0, Kind.DINNER, "Vegan mezze evening", "brussels", "saint-gilles", 9, 19, 3, 10, 1800, 50,
     ["vegan", "vegetarian"], ["fr", "en"],
     "Hummus, muhammara, fattoush and a lot of bread.", "Mezze\nFattoush\nBaklava"),
    (0, Kind.OTHER, "Cooking class: Syrian sweets", "brussels", "bruxelles", 16, 15, 3, 6, 3000, 100,
     ["vegetarian", "nut_free"], ["ar", "en"],
     "Learn to make ma'amoul and take a box home.", ""),
    (1, Kind.BOARD_GAMES, "Catan and friends", "brussels", "schaerbeek", 2, 19, 4, 6, 0, 0,
     [], ["nl", "en"],
     "Beginners welcome. Bring snacks if you like.", ""),
    (1, Kind.BOARD_GAMES, "Heavy euro games afternoon", "brussels", "woluwe-saint-pierre", 6, 14, 5, 4, 500, 100,
     [], ["en", "de"],
     "Brass, Terraforming Mars, Ark Nova. Rules explained.", ""),
    (1, Kind.SINGLES, "Singles game night (30–45)", "brussels", "uccle", 12, 20, 3, 12, 1200, 25,
     ["vegetarian"], ["fr", "nl", "en"],
     "Cooperative games to break the ice, then drinks.", "Snacks and drinks"),
    (1, Kind.DINNER, "Flemish stoofvlees dinner", "brussels", "grimbergen", 20, 19, 3, 8, 3500, 20,
     ["lactose_free"], ["nl", "fr"],
     "Beef stew with Grimbergen beer and proper fries.", "Soup\nStoofvlees with fries\nDame blanche"),
    (0, Kind.DINNER, "Forest picnic dinner", "brussels", "hoeilaart", 25, 18, 3, 14, 2000, 0,
     ["vegetarian", "gluten_free"], ["fr", "en"],
     "A long table at the edge of the Sonian Forest.", "Quiches, salads, fruit tart"),
    (1, Kind.BOARD_GAMES, "Family board games", "brussels", "molenbeek", 8, 15, 3, 10, 0, 0,
     [], ["fr", "ar", "nl"],
     "Games for kids and grown-ups. Tea and cake.", ""),
    (2, Kind.DINNER, "Irish stew and soda bread", "dublin", "rathmines", 4, 19, 3, 8, 2200, 100,
     ["lactose_free"], ["en", "ga"],
     "A slow-cooked stew, brown bread and a session on the tin whistle.", "Stew\nSoda bread\nApple crumble"),
    (2, Kind.SINGLES, "Singles supper club", "dublin", "portobello", 10, 20, 3, 12, 2800, 50,
     ["vegetarian"], ["en"],
     "Four courses, rotating seats, new friends.", "Four small courses"),
    (2, Kind.OTHER, "Seaside walk and chowder", "dublin", "howth", 14, 12, 4, 10, 1500, 30,
     ["gluten_free"], ["en"],
     "Cliff walk, then chowder at home.", "Seafood chowder"),
    (2, Kind.BOARD_GAMES, "Pub quiz at home", "dublin", "drumcondra", 18, 19, 3, 16, 0, 0,
     [], ["en", "ga"],
     "Teams of four, terrible prizes.", ""),
]  # fmt: skip


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


@transaction.atomic
def seed_demo_events(*, stdout: TextIO | None = None) -> dict:
    """Create or refresh the demo cities, communes, hosts and events; return the demo logins.

    Returns ``{"password": …, "hosts": [emails], "logins": [{"email", "password"}],
    "cities": n, "communes": n, "events": n}``.
    """
    cities: dict[str, City] = {}
    communes: dict[tuple[str, str], Commune] = {}
    for slug, spec in CITIES.items():
        city, _created = City.objects.update_or_create(
            slug=slug,
            defaults={
                "name": spec["name"],
                "name_fr": CITY_NAMES.get(slug, {}).get("fr", ""),
                "name_nl": CITY_NAMES.get(slug, {}).get("nl", ""),
                "timezone": spec["timezone"],
                "country": spec["country"],
            },
        )
        cities[slug] = city
        for name in spec["communes"]:
            names = COMMUNE_NAMES.get(slugify(name), {}) if slug == "brussels" else {}
            commune, _created = Commune.objects.update_or_create(
                city=city,
                slug=slugify(name),
                defaults={
                    "name": name,
                    "name_fr": names.get("fr", ""),
                    "name_nl": names.get("nl", ""),
                },
            )
            communes[(slug, commune.slug)] = commune

    hosts: list[User] = []
    for spec in HOSTS:
        user, created = User.objects.get_or_create(
            email=spec["email"], defaults={"first_name": spec["first_name"]}
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "display_name": spec["display_name"],
                "bio": spec["bio"],
                "city": cities[spec["city"]],
                "commune": communes[(spec["city"], spec["commune"])],
                "languages": spec["languages"],
            },
        )
        hosts.append(user)

    today = timezone.localdate()
    for (
        host_index,
        kind,
        title,
        city_slug,
        commune_slug,
        days,
        hour,
        hours,
        capacity,
        cents,
        pledge,
        dietary,
        languages,
        description,
        menu,
    ) in EVENTS:
        city = cities[city_slug]
        starts_at = timezone.make_aware(
            datetime.combine(today + timedelta(days=days), time(hour)), city.tz
        )
        event, created = Event.objects.get_or_create(
            host=hosts[host_index],
            title=title,
            defaults={
                "kind": kind,
                "description": description,
                "city": city,
                "commune": communes[(city_slug, commune_slug)],
                "address": f"Demo street {days}, {communes[(city_slug, commune_slug)].name}",
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=hours),
                "booking_deadline": starts_at - timedelta(hours=6),
                "cancellation_deadline": starts_at - timedelta(hours=48),
                "capacity": capacity,
                "contribution_cents": cents,
                "pledge_percent": pledge,
                "menu": menu,
                "dietary_options": dietary,
                "languages": languages,
                "status": Event.Status.PUBLISHED,
                "published_at": timezone.now(),
            },
        )
        if (
            not created
            and event.status == Event.Status.PUBLISHED
            and event.starts_at <= timezone.now()
        ):
            # Keep the demo upcoming on a machine that runs it again weeks later.
            event.starts_at = starts_at
            event.ends_at = starts_at + timedelta(hours=hours)
            event.booking_deadline = starts_at - timedelta(hours=6)
            event.cancellation_deadline = starts_at - timedelta(hours=48)
            event.save(
                update_fields=["starts_at", "ends_at", "booking_deadline", "cancellation_deadline"]
            )

    result = {
        "password": DEMO_PASSWORD,
        "hosts": [host.email for host in hosts],
        "logins": [{"email": host.email, "password": DEMO_PASSWORD} for host in hosts],
        "cities": len(cities),
        "communes": len(communes),
        "events": len(EVENTS),
    }
    _say(stdout, f"Demo: {len(cities)} cities, {len(communes)} communes, {len(EVENTS)} events.")
    return result
