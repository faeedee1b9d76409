"""Bug 1 and 2 of issue 11: every port ``make run`` takes reaches every setting that needs it."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "from urllib.parse import urlsplit; "
    "from bookings.management.commands.runlocalstripe import Command; "
    "parser = Command().create_parser('manage.py', 'runlocalstripe'); "
    "options = vars(parser.parse_args([])); "
    "print(json.dumps({'SITE_URL': s.SITE_URL, 'STRIPE_API_BASE': s.STRIPE_API_BASE, "
    "'STRIPE_JS_URL': s.STRIPE_JS_URL, 'SITE_NAME': getattr(s, 'SITE_NAME', None), "
    "'localstripe_port': options['port'], 'webhook_url': options['webhook_url']}))"
)


def _embedded_env(**extra: str) -> dict[str, str]:
    """The environment of a newcomer's shell: none of the real stack's variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS_URL", "STRIPE_", "SITE_URL", "SECRET_KEY"))
        and key not in ("PORT", "DJANGO_SETTINGS_MODULE")
    }
    env["DJANGO_SETTINGS_MODULE"] = "meetsies.settings"
    env.update(extra)
    return env


def _settings_seen_with(env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _make_run_commands(*args: str) -> list[str]:
    """The shell commands ``make run`` would execute (``make -n``: printed, not run)."""
    out = subprocess.run(
        ["make", "-n", "run", *args],
        cwd=ROOT,
        env=_embedded_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return [line for line in out.splitlines() if "manage.py run" in line]


def _env_of(command: str) -> dict[str, str]:
    """The ``NAME=value`` assignments in front of ``… manage.py …`` in one shell line."""
    words = shlex.split(command.replace("\\", " ").replace("&", " ").replace(";", " "))
    assignments = {}
    for word in words:
        if "=" in word and word.split("=", 1)[0].isidentifier():
            name, value = word.split("=", 1)
            assignments[name] = value
    return assignments


def test_make_run_hands_its_ports_to_the_site_localstripe_and_the_webhook():
    commands = _make_run_commands("PORT=8100", "STRIPE_PORT=8520")
    servers = [c for c in commands if "runserver" in c]
    stripes = [c for c in commands if "runlocalstripe" in c]
    assert servers and stripes, commands
    assert "127.0.0.1:8100" in servers[0]
    for command in (*servers, *stripes):
        seen = _settings_seen_with(_embedded_env(**_env_of(command)))
        assert seen["SITE_URL"] == "http://127.0.0.1:8100", command
        assert seen["STRIPE_API_BASE"] == "http://127.0.0.1:8520", command
        assert seen["STRIPE_JS_URL"] == "http://127.0.0.1:8520/js.stripe.com/v3/", command
        assert "8420" not in json.dumps(seen) and "8000" not in json.dumps(seen)
    seen = _settings_seen_with(_embedded_env(**_env_of(stripes[0])))
    if "--port" not in stripes[0]:
        assert seen["localstripe_port"] == 8520
    else:
        assert "--port 8520" in stripes[0]
    assert "--webhook-url" not in stripes[0] or "8100/stripe/webhook/" in stripes[0]
    assert seen["webhook_url"] == "http://127.0.0.1:8100/stripe/webhook/"


def test_embedded_defaults_without_make_are_the_usual_ports():
    seen = _settings_seen_with(_embedded_env())
    assert seen["SITE_URL"] == "http://127.0.0.1:8000"
    assert seen["STRIPE_API_BASE"] == "http://127.0.0.1:8420"
    assert seen["SITE_NAME"] == "Meetsies"


def test_an_explicit_site_url_wins_over_the_port():
    seen = _settings_seen_with(
        _embedded_env(PORT="8100", SITE_URL="https://meetsies.example/", STRIPE_PORT="8520")
    )
    assert seen["SITE_URL"] == "https://meetsies.example"
    assert seen["STRIPE_API_BASE"] == "http://127.0.0.1:8520"


@pytest.mark.parametrize("target", ["run"])
def test_the_readme_says_the_ports_can_be_changed(target):
    readme = (ROOT / "README.md").read_text()
    assert f"make {target} PORT=8100 STRIPE_PORT=8520" in readme
