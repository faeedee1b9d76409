"""factory_boy factories shared by every test package."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Profile, User
from events.models import City, Commune, Event, Kind


class UserFactory(factory.django.DjangoModelFactory):
    """A user whose email address is verified (allauth's EmailAddress), ready to log in."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if not create:
            return
        self.save()
        EmailAddress.objects.create(
            user=self, email=self.email, primary=True, verified=extracted is not False
        )


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    display_name = factory.Faker("name")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("slug",)

    name = "Brussels"
    slug = "brussels"
    timezone = "Europe/Brussels"
    country = "BE"


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("city", "slug")

    city = factory.SubFactory(CityFactory)
    name = "Ixelles"
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class EventFactory(factory.django.DjangoModelFactory):
    """A published Cook4Chance dinner a week from now: 8 seats at €25, half pledged."""

    class Meta:
        model = Event

    host = factory.SubFactory(UserFactory)
    kind = Kind.DINNER
    title = factory.Sequence(lambda n: f"Dinner number {n}")
    description = "Home-made food and good company."
    commune = factory.SubFactory(CommuneFactory)
    city = factory.LazyAttribute(lambda o: o.commune.city)
    address = "Rue du Bailli 12, 1050 Ixelles"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    booking_deadline = factory.LazyAttribute(lambda o: o.starts_at - timedelta(hours=2))
    cancellation_deadline = factory.LazyAttribute(lambda o: o.starts_at - timedelta(hours=48))
    capacity = 8
    contribution_cents = 2500
    pledge_percent = 50
    status = Event.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    dietary_options = factory.LazyFunction(lambda: ["vegetarian"])
    languages = factory.LazyFunction(lambda: ["en", "fr"])
