"""Official names of the Brussels region's cities and communes in French and Dutch, by slug.

English uses the name as stored (``City.name``, ``Commune.name``). Migration 0005 fills the
seeded rows from a copy of this table; the demo data uses it for new rows.
"""

CITY_NAMES: dict[str, dict[str, str]] = {
    "brussels": {"fr": "Bruxelles", "nl": "Brussel"},
}

# Commune slug (in the Brussels city) → names. Communes not listed keep their one name.
COMMUNE_NAMES: dict[str, dict[str, str]] = {
    "ixelles": {"fr": "Ixelles", "nl": "Elsene"},
    "uccle": {"fr": "Uccle", "nl": "Ukkel"},
    "bruxelles": {"fr": "Bruxelles", "nl": "Brussel"},
    "schaerbeek": {"fr": "Schaerbeek", "nl": "Schaarbeek"},
    "saint-gilles": {"fr": "Saint-Gilles", "nl": "Sint-Gillis"},
    "woluwe-saint-pierre": {"fr": "Woluwe-Saint-Pierre", "nl": "Sint-Pieters-Woluwe"},
    "molenbeek": {"fr": "Molenbeek-Saint-Jean", "nl": "Sint-Jans-Molenbeek"},
    "etterbeek": {"fr": "Etterbeek", "nl": "Etterbeek"},
    "anderlecht": {"fr": "Anderlecht", "nl": "Anderlecht"},
    "forest": {"fr": "Forest", "nl": "Vorst"},
    "auderghem": {"fr": "Auderghem", "nl": "Oudergem"},
    "watermael-boitsfort": {"fr": "Watermael-Boitsfort", "nl": "Watermaal-Bosvoorde"},
    "woluwe-saint-lambert": {"fr": "Woluwe-Saint-Lambert", "nl": "Sint-Lambrechts-Woluwe"},
    "saint-josse-ten-noode": {"fr": "Saint-Josse-ten-Noode", "nl": "Sint-Joost-ten-Node"},
    "evere": {"fr": "Evere", "nl": "Evere"},
    "jette": {"fr": "Jette", "nl": "Jette"},
    "koekelberg": {"fr": "Koekelberg", "nl": "Koekelberg"},
    "ganshoren": {"fr": "Ganshoren", "nl": "Ganshoren"},
    "berchem-sainte-agathe": {"fr": "Berchem-Sainte-Agathe", "nl": "Sint-Agatha-Berchem"},
}
