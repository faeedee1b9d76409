"""The HTTP benchmark behind ``make bench``: real stack, gunicorn, wrk, loopback only.

For each data size (``demo``: the demo data plus a dozen events and 1,000 ledger entries;
``large``: 10,000 events, 100,000 bookings, 1,000,000 ledger entries) it prepares a PostgreSQL
database of its own (``meetsies_bench_demo``, ``meetsies_bench``; seeded once, kept between
runs), starts gunicorn with the repository's ``gunicorn.conf.py`` on 127.0.0.1 and the bare
reference view (``BENCH_REFERENCE_VIEW=1``), and drives it with ``wrk`` from this separate
process at 1, 10 and 50 concurrent clients, alternating a reference round and a page round.
Each row: requests/s, p50/p95/p99 latency, SQL queries of one request (``X-DB-Queries``),
ratio = page req/s ÷ reference req/s in the same round, and the workers' RSS after the run.
Then the hot-event seat-hold race over HTTP (200 guests at once, 50 seats): requests/s, p50,
holds and oversold seats (must be 0). Anonymous pages are measured with the page cache off
(uncached) and on (cached).

Everything is bounded: ``BENCH_DURATION`` seconds per round (default 3), ``BENCH_ROUNDS``
rounds per row (default 1, median), 30 s timeout per wrk call. Results go to
``var/bench/results.json`` and into ``docs/PERFORMANCE.md`` between the ``bench:begin`` and
``bench:end`` markers, with the chart ``docs/performance-ratios.png``.

Run: ``make bench`` (or ``python -m tests.perf.http_bench [--sizes demo,large] [--quick]``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "bench"
DOC = ROOT / "docs" / "PERFORMANCE.md"
CHART = ROOT / "docs" / "performance-ratios.png"
PY = sys.executable
HOST = "127.0.0.1"

SIZES = {
    "demo": {
        "db": "meetsies_bench_demo",
        "seed": ["--events", "12", "--bookings", "20", "--ledger", "1000", "--hosts", "3"],
    },
    "large": {"db": "meetsies_bench", "seed": []},
}
CONCURRENCY = (1, 10, 50)

WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format(
    "WRKJSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"p50\\":%d,\\"p95\\":%d,\\"p99\\":%d," ..
    "\\"status_errors\\":%d,\\"connect_errors\\":%d,\\"timeouts\\":%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status, summary.errors.connect,
    summary.errors.timeout))
end
"""


def log(message: str) -> None:
    print(message, flush=True)  # noqa: T201 (a command-line report)


def base_env(db: str, *, page_cache: bool) -> dict:
    server = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    env = {
        **os.environ,
        "DATABASE_URL": f"{server}/{db}",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key",
        "ALLOWED_HOSTS": HOST,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE": "0",
        "STAFF_MFA_REQUIRED": "0",
        "BENCH_REFERENCE_VIEW": "1",
        "PUBLIC_PAGE_CACHE": "1" if page_cache else "0",
        "STRIPE_API_BASE": "http://127.0.0.1:9",  # never called by the pages measured
    }
    return env


def manage(env: dict, *args: str, timeout: int = 900) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def ensure_database(size: str) -> dict:
    """Create, migrate and seed the size's database once; return its fixtures."""
    spec = SIZES[size]
    env = base_env(spec["db"], page_cache=False)
    server = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    exists = subprocess.run(
        [
            "psql",
            f"{server}/postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{spec['db']}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(
            ["psql", f"{server}/postgres", "-c", f'CREATE DATABASE "{spec["db"]}"'],
            capture_output=True,
            check=False,
        )
    log(f"[{size}] migrate, demo data, seed ({spec['db']}) ...")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo_data", "-v0")
    started = time.monotonic()
    log("  " + manage(env, "bench_seed", *spec["seed"]).strip())
    seed_s = time.monotonic() - started
    fixtures = json.loads(manage(env, "bench_fixtures").strip().splitlines()[-1])
    fixtures["seed_seconds"] = round(seed_s)
    return fixtures


class Server:
    """gunicorn with the repository's configuration, on a loopback port, logs in var/bench."""

    def __init__(self, db: str, *, page_cache: bool, port: int) -> None:
        self.port = port
        self.env = {
            **base_env(db, page_cache=page_cache),
            "GUNICORN_BIND": f"{HOST}:{port}",
            "GUNICORN_WORKERS": os.environ.get("BENCH_WORKERS", "4"),
        }
        self.log_file = open(OUT / f"gunicorn-{db}-{port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(Path(PY).with_name("gunicorn")), "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _h, _b = get(port, "/healthz")
                if status == 200:
                    # Warm every worker (imports, template cache, connections) before measuring.
                    wrk(port, "/bench/reference/", clients=8, seconds=2)
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not answer /healthz on {port}; see {self.log_file.name}")

    def worker_rss_mb(self) -> list[float]:
        out = subprocess.run(
            ["ps", "--ppid", str(self.proc.pid), "-o", "rss="],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        return sorted(round(int(kb) / 1024, 1) for kb in out)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log_file.close()


def get(port: int, path: str, cookie: str = "") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wrk(port: int, path: str, *, clients: int, seconds: int, cookie: str = "") -> dict:
    script = OUT / "report.lua"
    script.write_text(WRK_LUA)
    cmd = [
        "wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(script),
    ]  # fmt: skip
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(f"http://{HOST}:{port}{path}")
    out = subprocess.run(
        cmd, capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    match = re.search(r"WRKJSON (\{.*\})", out)
    figures = json.loads(match.group(1))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def pages(fx: dict) -> list[dict]:
    signed_in = f"{fx['session_cookie']}={fx['session']}"
    query = urllib.parse.urlencode({"commune": fx["commune_id"], "kind": fx["kind"]})
    return [
        {"name": "home", "path": "/en/", "anonymous": True},
        {"name": "event list", "path": "/en/events/", "anonymous": True},
        {"name": "list, commune + kind", "path": f"/en/events/?{query}", "anonymous": True},
        {"name": "list, page 50", "path": "/en/events/?page=50", "anonymous": True},
        {"name": "event page, visitor", "path": f"/en/events/{fx['event_id']}/", "anonymous": True},
        {
            "name": "event page, signed in",
            "path": f"/en/events/{fx['event_id']}/",
            "cookie": signed_in,
        },
        {"name": "impact page", "path": "/en/impact/", "anonymous": True},
        {"name": "host page", "path": f"/en/hosts/{fx['host_id']}/", "anonymous": True},
        {"name": "My bookings", "path": "/en/bookings/", "cookie": signed_in},
    ]


def measure(server: Server, page: dict, *, clients: int, seconds: int, rounds: int) -> dict:
    status, headers, _body = get(server.port, page["path"], page.get("cookie", ""))
    if status != 200:
        raise SystemExit(f"{page['name']} answered {status} ({page['path']})")
    queries = int(headers.get("X-DB-Queries", "-1"))
    wrk(server.port, page["path"], clients=4, seconds=1, cookie=page.get("cookie", ""))  # warm-up
    ratios, rows = [], []
    for _ in range(rounds):
        ref = wrk(server.port, "/bench/reference/", clients=clients, seconds=seconds)
        row = wrk(
            server.port,
            page["path"],
            clients=clients,
            seconds=seconds,
            cookie=page.get("cookie", ""),
        )
        if row["requests"] == 0:  # a stall of the shared machine: measure that round again
            row = wrk(
                server.port,
                page["path"],
                clients=clients,
                seconds=seconds,
                cookie=page.get("cookie", ""),
            )
        ratios.append(row["rps"] / ref["rps"] if ref["rps"] else 0)
        row["ref_rps"] = ref["rps"]
        rows.append(row)
    middle = sorted(rows, key=lambda r: r["rps"])[len(rows) // 2]
    return {
        "page": page["name"],
        "clients": clients,
        "rps": round(middle["rps"], 1),
        "ref_rps": round(middle["ref_rps"], 1),
        "p50_ms": middle["p50"] / 1000,
        "p95_ms": middle["p95"] / 1000,
        "p99_ms": middle["p99"] / 1000,
        "errors": middle["status_errors"] + middle["connect_errors"] + middle["timeouts"],
        "queries": queries,
        "ratio": round(statistics.median(ratios), 3),
    }


def hold_race(env: dict, port: int, *, guests: int, seats: int) -> dict:
    """``guests`` signed-in guests post a one-seat hold on one event at the same moment."""
    fx = json.loads(
        manage(env, "bench_fixtures", "--race", str(guests), "--seats", str(seats))
        .strip()
        .splitlines()[-1]
    )
    path = f"/en/bookings/book/{fx['event_id']}/"
    barrier = threading.Barrier(guests)
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def one(client: dict) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        body = urllib.parse.urlencode(
            {"seats": 1, "dietary_notes": "", "csrfmiddlewaretoken": client["csrf"]}
        )
        headers = {
            "Cookie": f"{fx['session_cookie']}={client['session']}; "
            f"{fx['csrf_cookie']}={client['csrf']}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{port}/",
        }
        conn.connect()
        barrier.wait()
        started = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        status = conn.getresponse().status
        elapsed = time.perf_counter() - started
        conn.close()
        with lock:
            results.append((status, elapsed))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=guests) as pool:
        list(pool.map(one, fx["clients"]))
    wall = time.perf_counter() - started
    outcome = json.loads(
        manage(env, "bench_fixtures", "--race-result", str(fx["event_id"])).strip().splitlines()[-1]
    )
    latencies = sorted(elapsed for _status, elapsed in results)
    statuses: dict[str, int] = {}
    for status, _elapsed in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "guests": guests,
        "seats": seats,
        "requests_per_s": round(guests / wall, 1),
        "holds_per_s": round(outcome["holds"] / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000),
        "max_ms": round(latencies[-1] * 1000),
        "statuses": statuses,
        **outcome,
    }


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgres_client": pg.stdout.strip(),
        "kernel": platform.release(),
        "load_before": os.getloadavg(),
    }


def run(sizes: list[str], *, seconds: int, rounds: int, concurrency: tuple[int, ...]) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    results = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine()}
    results["settings"] = {"seconds": seconds, "rounds": rounds, "concurrency": concurrency}
    port = int(os.environ.get("BENCH_PORT", "8765"))
    for size in sizes:
        fx = ensure_database(size)
        db = SIZES[size]["db"]
        env = base_env(db, page_cache=False)
        manage(env, "collectstatic", "--noinput", "-v0")
        entry = {"counts": fx["counts"], "seed_seconds": fx["seed_seconds"], "uncached": []}
        for cached in (False, True):
            subprocess.run(["redis-cli", "-u", env["REDIS_URL"], "FLUSHDB"], capture_output=True)
            server = Server(db, page_cache=cached, port=port)
            try:
                label = "cached" if cached else "uncached"
                rows = []
                for clients in concurrency if not cached else (10,):
                    for page in pages(fx):
                        if cached and not page.get("anonymous"):
                            continue
                        row = measure(server, page, clients=clients, seconds=seconds, rounds=rounds)
                        rows.append(row)
                        log(
                            f"[{size} {label} c={clients}] {row['page']}: {row['rps']} req/s, "
                            f"p95 {row['p95_ms']:.0f} ms, {row['queries']} q, ratio {row['ratio']}"
                        )
                entry[label] = rows
                entry[f"rss_mb_{label}"] = server.worker_rss_mb()
                if not cached and size == sizes[-1]:
                    entry["hold_race"] = hold_race(env, port, guests=200, seats=50)
                    log(f"[{size}] hold race: {entry['hold_race']}")
            finally:
                server.stop()
        results[size] = entry
    results["machine"]["load_after"] = os.getloadavg()
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    return results


# ---------------------------------------------------------------- report


def table(rows: list[dict]) -> str:
    head = (
        "| page | clients | req/s | reference req/s | ratio | p50 ms | p95 ms | p99 ms | "
        "queries | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    return head + "".join(
        f"| {r['page']} | {r['clients']} | {r['rps']:.0f} | {r['ref_rps']:.0f} | "
        f"{r['ratio']:.2f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} | "
        f"{r['queries']} | {r['errors']} |\n"
        for r in rows
    )


def markdown(results: dict) -> str:
    m = results["machine"]
    s = results["settings"]
    parts = [
        f"Run {results['started']} on {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, "
        f"Python {m['python']}, {m['postgres_client']}; load average before "
        f"{m['load_before'][0]:.1f}, after {m['load_after'][0]:.1f}. {s['seconds']} s per "
        f"round, {s['rounds']} round(s) per row (median), reference and page rounds "
        f"alternating; gunicorn `gunicorn.conf.py` with {os.environ.get('BENCH_WORKERS', '4')} "
        "sync workers; wrk on 127.0.0.1. **The machine is shared with other test runs: read "
        "every figure as ±25 % or worse.**\n",
        "![Ratio to the bare reference view per page, at 10 clients](performance-ratios.png)\n",
    ]
    for size in ("demo", "large"):
        if size not in results:
            continue
        entry = results[size]
        c = entry["counts"]
        parts.append(
            f"\n### {size}: {c['events']:,} events, {c['bookings']:,} bookings, "
            f"{c['ledger_entries']:,} ledger entries (seed step {entry['seed_seconds']} s; "
            "a few seconds when the database was seeded by an earlier run)\n"
        )
        parts.append("\nUncached (page cache off):\n\n" + table(entry["uncached"]))
        parts.append(
            f"\nWorker RSS after the uncached run: {entry['rss_mb_uncached']} MB.\n"
            "\nAnonymous pages served from the page cache (10 clients):\n\n"
            + table(entry["cached"])
            + f"\nWorker RSS after the cached run: {entry['rss_mb_cached']} MB.\n"
        )
        if "hold_race" in entry:
            r = entry["hold_race"]
            parts.append(
                f"\nHot-event seat holds over HTTP: {r['guests']} signed-in guests post a "
                f"one-seat hold at once on a {r['seats']}-seat event: {r['requests_per_s']} "
                f"requests/s, p50 {r['p50_ms']} ms (slowest {r['max_ms']} ms), {r['holds']} "
                f"holds, **{r['oversold']} oversold**, answers {r['statuses']}.\n"
            )
    return "".join(parts)


def chart(results: dict) -> None:
    """Horizontal bars: ratio per page at 10 clients, uncached, for each size (Pillow)."""
    from PIL import Image, ImageDraw

    sizes = [s for s in ("demo", "large") if s in results]
    names = [r["page"] for r in results[sizes[0]]["uncached"] if r["clients"] == 10]
    ratio = {
        (s, r["page"]): r["ratio"]
        for s in sizes
        for r in results[s]["uncached"]
        if r["clients"] == 10
    }
    cached = {(s, r["page"]): r["ratio"] for s in sizes for r in results[s]["cached"]}
    colours = {"demo": (59, 130, 246), "large": (154, 52, 18)}
    left, bar, gap, width = 190, 11, 10, 760
    plot = width - left - 40
    scale = 1.0  # a ratio above 1 is a stalled reference round: drawn at the edge
    height = 60 + len(names) * (len(sizes) * bar + gap) + 40
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 10), "Ratio to the bare reference view (req/s), 10 clients", fill="black")
    draw.text(
        (10, 26),
        "bars: uncached (blue demo, brown large); tick: served from the page cache",
        fill=(80, 80, 80),
    )
    y = 50
    for name in names:
        draw.text((10, y + 4), name, fill="black")
        for s in sizes:
            value = min(ratio.get((s, name), 0), scale)
            draw.rectangle([left, y, left + value / scale * plot, y + bar - 2], fill=colours[s])
            draw.text((left + value / scale * plot + 4, y - 1), f"{value:.2f}", fill="black")
            if (s, name) in cached:
                x = left + min(cached[(s, name)], scale) / scale * plot
                draw.line([x, y - 1, x, y + bar], fill=colours[s], width=3)
            y += bar
        y += gap
    for target in (0.2, 0.7):
        x = left + target / scale * plot
        draw.line([x, 45, x, y], fill=(120, 120, 120), width=1)
        draw.text((x + 2, y + 2), f"{target:.1f}", fill=(120, 120, 120))
    image.save(CHART)


def write_doc(results: dict) -> None:
    text = (
        DOC.read_text()
        if DOC.exists()
        else "# Performance\n\n<!-- bench:begin -->\n<!-- bench:end -->\n"
    )
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    head, _sep, rest = text.partition(begin)
    _old, _sep2, tail = rest.partition(end)
    DOC.write_text(f"{head}{begin}\n{markdown(results)}{end}{tail}")
    chart(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo,large")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_DURATION", "3")))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "1")))
    parser.add_argument("--quick", action="store_true", help="only 10 clients")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/PERFORMANCE.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench does it)")
    results = run(
        args.sizes.split(","),
        seconds=args.seconds,
        rounds=args.rounds,
        concurrency=(10,) if args.quick else CONCURRENCY,
    )
    if not args.no_doc:
        write_doc(results)
    log(markdown(results))


if __name__ == "__main__":
    main()
