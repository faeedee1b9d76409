"""/healthz names what is down; every request leaves one structured log line."""

import logging

import pytest
from django.urls import reverse

from meetsies import views

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_database_cache_and_broker_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"ok": True}


@pytest.mark.parametrize("part", ["database", "cache", "broker"])
def test_healthz_answers_503_naming_what_is_down(client, monkeypatch, part):
    def down():
        raise ConnectionError(f"{part} unreachable")

    monkeypatch.setitem(views.HEALTH_CHECKS, part, down)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"ok": False, "down": [part]}


def test_the_broker_check_really_connects(monkeypatch, settings):
    """With a broker configured (not eager), an unreachable one is reported."""
    from meetsies.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    with pytest.raises(Exception):  # noqa: B017 (kombu raises its own OperationalError)
        views._check_broker()


def test_the_cache_check_fails_when_the_cache_loses_what_it_stored(monkeypatch):
    monkeypatch.setattr(views.cache, "get", lambda key: None)
    with pytest.raises(RuntimeError):
        views._check_cache()


def test_one_log_line_per_request_with_id_status_duration_and_queries(client, caplog, event):
    with caplog.at_level(logging.INFO, logger="meetsies.request"):
        response = client.get(event.get_absolute_url(), HTTP_X_REQUEST_ID="proxy-id-12345")
    lines = [r for r in caplog.records if r.name == "meetsies.request"]
    assert len(lines) == 1
    record = lines[0]
    assert record.request_id == "proxy-id-12345" == response["X-Request-ID"]
    assert record.method == "GET"
    assert record.path == event.get_absolute_url()
    assert record.status == 200
    assert record.duration_ms > 0
    assert record.queries >= 1
    assert "request_id=proxy-id-12345" in record.getMessage()
    assert "status=200" in record.getMessage()


def test_a_forged_request_id_is_replaced(client, caplog):
    with caplog.at_level(logging.INFO, logger="meetsies.request"):
        response = client.get("/en/privacy/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_query_count_header_only_for_the_benchmark(client, settings):
    assert "X-DB-Queries" not in client.get("/en/privacy/")
