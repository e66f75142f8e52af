"""The read-path benchmark behind `make bench` (a benchmark, not a test).

It serves the API the way production does — gunicorn, production settings,
DEBUG off; only the secret key is generated for the run, the throttling
rates are raised above the load and the response cache is off, so every
request is answered by the view ("cold") — against a synthetic database of its own
(``claims_api_bench``, never the curated one), and measures:

  Q1  claims by location and kind, newest source first, 100 per page;
  Q2  full-text search for 20 words that each match about 0.5 % of claims;
  Q3  claims touching a country in any role, 100 per page, followed 5,000 rows deep.

and the reading room's pages:

  P1  /claims/ filtered by a country, with its facet counts;
  P2  claim pages (/claims/{id}/), 20 different claims;

and the curators' admin pages and the comparisons (scripts/bench_curation.py).

For each: single-client p50/p99 over 200 requests, requests per second at 4
connections (wrk), PostgreSQL's own time to pick the same page's claims (the
floor), queries per request and the server's memory. Also the full NDJSON export
(``/api/v1/claims/export.ndjson``): its first byte, its total time and the serving
worker's peak memory while it streams; the import's time, when this run imported
the corpus, and the fixture load's. The table is printed and appended to
docs/benchmarks.md.

Environment: DATABASE_URL (the bench database; `make bench` sets it),
BENCH_CLAIMS (default 1,000,000), BENCH_SEED (default 1).
"""

import datetime
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import bench_curation
import datasette_peer
import orjson
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ["DATABASE_URL"]
CLAIMS = int(os.environ.get("BENCH_CLAIMS", "1000000"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
REQUESTS = 200
CONNECTIONS = 4
LOAD_SECONDS = 10
PAGE = 100
DEPTH = 5_000
TARGETS = {"Q1": 6.0, "Q2": 15.0, "Q3": 20.0}
PAGE_TARGETS = {"P1": 60.0, "P2": 20.0}
IMPORT_TARGET_SECONDS = 600
EXPORT_TARGET_SECONDS = 60
EXPORT_MEMORY_TARGET_MB = 200
FIXTURE_LOAD_TARGET_SECONDS = 5
PYTHON = sys.executable
CORPUS = ROOT / ".data" / "bench" / f"corpus-{CLAIMS}-seed{SEED}.ndjson"


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


def manage(*args: str, settings: str = "claims_api.settings.development", quiet: bool = False, **env: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings, "DATABASE_URL": DATABASE_URL, **env},
    )


def claim_count(conn) -> int:
    exists = conn.execute("SELECT to_regclass('claims_claim')").fetchone()[0]
    return conn.execute("SELECT count(*) FROM claims_claim").fetchone()[0] if exists else -1


def ensure_data() -> float | None:
    """Import the synthetic corpus unless the bench database holds it; the import's seconds, if it ran."""
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        count = claim_count(conn)
        if count == CLAIMS:
            say(f"the bench database already holds {count:,} synthetic claims")
            manage("migrate", "--no-input", "-v0")  # the code may have moved on since the import
            return None
        if count > 0:
            say(f"the bench database holds {count:,} claims, not {CLAIMS:,}: starting it afresh")
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    manage("migrate", "--no-input", "-v0")
    if not CORPUS.exists():
        CORPUS.parent.mkdir(parents=True, exist_ok=True)
        say(f"writing a synthetic corpus of {CLAIMS:,} claims to {CORPUS}")
        manage("generate_synthetic", str(CORPUS), "--claims", str(CLAIMS), "--seed", str(SEED))
    started = time.monotonic()
    manage("import_ndjson", str(CORPUS))
    seconds = time.monotonic() - started
    say(f"imported in {seconds:.0f} s")
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return seconds


def fixture_load_seconds() -> list[float]:
    """Wall time of `manage.py load_fixtures` as a user runs it: into an empty database, then again unchanged.

    The curated fixtures go to a scratch database of their own on the bench cluster, dropped
    afterwards, so they never meet the synthetic claims.
    """
    scratch = "claims_api_bench_fixtures"
    url = urllib.parse.urlsplit(DATABASE_URL)._replace(path=f"/{scratch}").geturl()
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {scratch}")
    try:
        manage("migrate", "--no-input", "-v0", DATABASE_URL=url)
        seconds = []
        for _ in range(2):
            started = time.monotonic()
            manage("load_fixtures", quiet=True, DATABASE_URL=url)
            seconds.append(time.monotonic() - started)
        return seconds
    finally:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Production settings; only the secret is made up for the run, and throttling is raised above the load.
SERVER_ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "claims_api.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "DATABASE_URL": DATABASE_URL,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "THROTTLE_ANON": "100000000/minute",
    "THROTTLE_USER": "100000000/minute",
    # Every URL is asked many times: with the response cache on, this would time cache hits.
    "RESPONSE_CACHE_SECONDS": "0",
}


def start_server(port: int, **settings: str) -> subprocess.Popen:
    env = {**SERVER_ENV, **settings}
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "claims_api.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(CONNECTIONS),
            "--log-level",
            "warning",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/claim-kinds/", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("bench: the server did not start")


def timed_get(url: str) -> tuple[float, dict]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, orjson.loads(body)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def pick_parameters(conn) -> dict:
    location, kind = conn.execute(
        "SELECT location_id, kind FROM claims_claim WHERE review_status = 'published' "
        "GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    published = conn.execute("SELECT count(*) FROM claims_claim WHERE review_status = 'published'").fetchone()[0]
    # Words a search finds: lexemes that the search's own stemming (SEARCH_CONFIG, apps/claims/services.py)
    # leaves as they are (stemmed again, "tisisos" becomes "tisiso", which matches nothing).
    sample = conn.execute(
        "SELECT word, ndoc FROM ts_stat($$SELECT search_vector FROM claims_claim TABLESAMPLE SYSTEM (5) "
        "REPEATABLE (1)$$) WHERE length(word) > 3 AND websearch_to_tsquery('english', word)::text = quote_literal(word)"
    ).fetchall()
    sampled = conn.execute("SELECT count(*) FROM claims_claim TABLESAMPLE SYSTEM (5) REPEATABLE (1)").fetchone()[0]
    share = 0.005 * sampled
    words = [w for w, _ in sorted(sample, key=lambda row: (abs(row[1] - share), row[0]))[:20]]
    # The least common country with links enough to page 5,000 rows deep; in a small corpus,
    # the most common one, followed as deep as it goes.
    deep_enough = conn.execute(
        "SELECT country_id FROM claims_claimcountry GROUP BY 1 HAVING count(*) > %s ORDER BY count(*) LIMIT 1",
        [DEPTH * 3],
    ).fetchone()
    most_common = "SELECT country_id FROM claims_claimcountry GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    country = (deep_enough or conn.execute(most_common).fetchone())[0]
    return {"location": location, "kind": kind, "words": words, "country": country, "published": published}


def query_urls(base: str, params: dict) -> dict[str, list[str]]:
    api = f"{base}/api/v1/claims/"
    q1_params = {"location": params["location"], "kind": params["kind"], "ordering": "-reported_on", "page_size": PAGE}
    q1 = f"{api}?{urllib.parse.urlencode(q1_params)}"
    q2 = [f"{api}?{urllib.parse.urlencode({'search': word, 'page_size': PAGE})}" for word in params["words"]]
    pages, url = [], f"{api}?{urllib.parse.urlencode({'country': params['country'], 'page_size': PAGE})}"
    while url and len(pages) < DEPTH // PAGE:
        pages.append(url)
        url = orjson.loads(urllib.request.urlopen(url).read())["next"]
    return {"Q1": [q1], "Q2": q2, "Q3": pages}


def page_urls(base: str, conn, params: dict) -> dict[str, list[str]]:
    """The reading room: a filtered claim list with its facets, and claim pages."""
    claims = conn.execute(
        "SELECT id FROM claims_claim WHERE review_status = 'published' ORDER BY id DESC LIMIT 20"
    ).fetchall()
    return {
        "P1": [f"{base}/claims/?{urllib.parse.urlencode({'country': params['country']})}"],
        "P2": [f"{base}/claims/{claim_id}/" for (claim_id,) in claims],
    }


def page_timings(urls: list[str]) -> list[float]:
    timings = []
    for i in range(REQUESTS):
        started = time.perf_counter()
        with urllib.request.urlopen(urls[i % len(urls)], timeout=30) as response:
            response.read()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def single_client(urls: list[str]) -> tuple[list[float], dict[str, list[float]]]:
    timings, per_url = [], {}
    for i in range(REQUESTS):
        url = urls[i % len(urls)]
        elapsed, _ = timed_get(url)
        timings.append(elapsed)
        per_url.setdefault(url, []).append(elapsed)
    return timings, per_url


def throughput(urls: list[str], seconds: int = LOAD_SECONDS) -> float | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    paths = ", ".join(f'"{urllib.parse.urlsplit(u).path}?{urllib.parse.urlsplit(u).query}"' for u in urls)
    script = (
        f"local paths = {{{paths}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    base = urllib.parse.urlsplit(urls[0])
    result = subprocess.run(
        [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", handle.name, f"{base.scheme}://{base.netloc}"],
        capture_output=True,
        text=True,
        check=True,
    )
    os.unlink(handle.name)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if non_2xx:
        raise SystemExit(f"bench: wrk saw {non_2xx.group(1)} error responses:\n{result.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))


def floor_ms(conn, name: str, params: dict, cursor_values) -> float:
    """PostgreSQL's own time to pick the same page's claims (the page's ids, in order); for Q2, over the
    same words the p50 rotates through."""
    order = "ORDER BY c.reported_on DESC NULLS LAST, c.id DESC LIMIT 100"
    where = {
        "Q1": ("c.location_id = %(a)s AND c.kind = %(b)s", {"a": params["location"], "b": params["kind"]}),
        "Q2": ("c.search_vector @@ websearch_to_tsquery('english', %(a)s)", {"a": params["words"][0]}),
        "Q3": (
            "l.country_id = %(a)s AND (l.reported_on, l.claim_id) < (%(b)s::date, %(c)s)",
            {"a": params["country"], "b": cursor_values[0], "c": cursor_values[1]},
        ),
    }[name]
    if name == "Q3":  # the country's links carry their own copy of the ordering (claim_country_newest)
        order = "ORDER BY l.reported_on DESC NULLS LAST, l.claim_id DESC LIMIT 100"
        where = (f"c.id = l.claim_id AND {where[0]}", where[1])
    tables = "claims_claim c, claims_claimcountry l" if name == "Q3" else "claims_claim c"
    statement = f"SELECT c.id FROM {tables} WHERE c.review_status = 'published' AND {where[0]} {order}"
    arguments = where[1]
    timings = []
    for number in range(REQUESTS):
        if name == "Q2":
            arguments = {"a": params["words"][number % len(params["words"])]}
        started = time.perf_counter()
        conn.execute(statement, arguments).fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def query_counts(urls: dict[str, list[str]]) -> dict[str, int]:
    probe = (
        "import sys, django; django.setup()\n"
        "from django.db import connection\nfrom django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        'client = Client(HTTP_HOST="127.0.0.1")\n'
        "for url in sys.argv[1:]:\n"
        "    with CaptureQueriesContext(connection) as queries:\n"
        "        assert client.get(url).status_code == 200\n"
        "    print(len(queries))\n"
    )
    paths = [urls[name][-1].split("127.0.0.1", 1)[1].split("/", 1)[1] for name in ("Q1", "Q2", "Q3")]
    result = subprocess.run(
        [PYTHON, "-c", probe, *[f"/{p}" for p in paths]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=SERVER_ENV,
    )
    return dict(zip(("Q1", "Q2", "Q3"), map(int, result.stdout.split()), strict=True))


def server_memory_mb(server: subprocess.Popen) -> tuple[float, float]:
    pids = [server.pid] + [
        int(p) for p in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    ]
    sizes = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return max(sizes[1:] or sizes), sum(sizes)


def export_ndjson(base: str, server: subprocess.Popen) -> dict:
    """Stream the whole NDJSON export, sampling the gunicorn processes' memory meanwhile."""
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], server_memory_mb(server)[0])
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    first_byte = None
    lines = 0
    failure = None
    try:
        with urllib.request.urlopen(f"{base}/api/v1/claims/export.ndjson", timeout=3600) as response:
            while chunk := response.read(1 << 20):
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                lines += chunk.count(b"\n")
    except (OSError, http.client.HTTPException) as error:  # reported with the rest, not lost with it
        failure = f"{type(error).__name__} after {lines:,} lines"
    finally:
        done.set()
        sampler.join()
    return {
        "first_byte": first_byte or 0.0,
        "seconds": time.perf_counter() - started,
        "lines": lines,
        "peak_mb": peak[0],
        "failure": failure,
    }


def machine() -> str:
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    with psycopg.connect(DATABASE_URL) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0].split()[0]
        buffers = conn.execute("SHOW shared_buffers").fetchone()[0]
    return (
        f"{os.cpu_count()} cores, {cpu.group(1).strip() if cpu else 'unknown CPU'}, "
        f"PostgreSQL {version} with shared_buffers {buffers}"
    )


def main() -> None:
    import_seconds = ensure_data()
    # As a deployment does before it starts the server (whitenoise serves the collected files).
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, check=True, env=SERVER_ENV)
    port = free_port()
    server = start_server(port)
    try:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            params = pick_parameters(conn)
            urls = query_urls(f"http://127.0.0.1:{port}", params)
            params["depth"] = len(urls["Q3"]) * PAGE
            say(
                f"Q1 location={params['location']} kind={params['kind']}; Q2 words={', '.join(params['words'])}; "
                f"Q3 country={params['country']} ({len(urls['Q3'])} pages)"
            )
            # Warm the caches the way a running service has them: every worker, every URL.
            every_url = [url for url_list in urls.values() for url in url_list]
            for url in every_url:
                timed_get(url)
            throughput(every_url, seconds=5)
            counts = query_counts(urls)
            rows = []
            for name in ("Q1", "Q2", "Q3"):
                timings, per_url = single_client(urls[name])
                worst_p99 = max(percentile(t, 0.99) for t in per_url.values())
                rps = throughput(urls[name])
                last = orjson.loads(urllib.request.urlopen(urls["Q3"][-1]).read())["results"][0]
                floor = floor_ms(conn, name, params, (last["reported_on"], last["id"] + 1))
                p50 = statistics.median(timings)
                rows.append(
                    {
                        "query": name,
                        "p50": p50,
                        "p99": percentile(timings, 0.99),
                        "worst_url_p99": worst_p99,
                        "rps": rps,
                        "floor": floor,
                        "ratio": p50 / floor if floor else None,
                        "target": TARGETS[name],
                    }
                )
            pages = page_urls(f"http://127.0.0.1:{port}", conn, params)
            for url in (url for url_list in pages.values() for url in url_list):
                page_timings([url])  # warm every worker
            page_rows = []
            for name, url_list in pages.items():
                timings = page_timings(url_list)
                page_rows.append(
                    {
                        "page": name,
                        "url": urllib.parse.urlsplit(url_list[0]).path,
                        "p50": statistics.median(timings),
                        "p99": percentile(timings, 0.99),
                        "rps": throughput(url_list),
                        "target": PAGE_TARGETS[name],
                    }
                )
            peers = against_datasette(conn, params, urls)
            base = f"http://127.0.0.1:{port}"
            admin_rows = bench_curation.admin_section(base, conn, manage, params["words"][0])
            comparisons = bench_curation.comparison_section(base, conn, urls["Q1"][0], page_timings)
        worker_mb, total_mb = server_memory_mb(server)
        export = export_ndjson(f"http://127.0.0.1:{port}", server)
    finally:
        server.terminate()
        server.wait(timeout=30)
    try:
        loads = fixture_load_seconds()
    except subprocess.CalledProcessError as error:  # keep the measurements taken so far
        say(f"the fixture load failed ({error}); reported as not measured")
        loads = None
    cached = cached_reads(urls["Q1"][0])
    # Last: it rewrites every proposition, and the reads above must not share the machine with the
    # vacuum that follows such a rewrite.
    recompute_seconds = bench_curation.recompute_comparisons(manage, DATABASE_URL)
    curation = bench_curation.report_lines(admin_rows, comparisons, recompute_seconds)
    report(rows, page_rows, counts, worker_mb, total_mb, params, import_seconds, loads, peers, cached, export, curation)


def cached_reads(q1: str) -> dict:
    """Q1 answered from the response cache (a server with it on): warm p50, and a 304 for a current ETag."""
    port = free_port()
    server = start_server(port, RESPONSE_CACHE_SECONDS="300")
    try:
        url = q1.replace(urllib.parse.urlsplit(q1).netloc, f"127.0.0.1:{port}", 1)
        for _ in range(CONNECTIONS * 4):  # every worker has the entry's bytes in Redis or its own memory
            timed_get(url)
        warm = [timed_get(url)[0] for _ in range(REQUESTS)]
        with urllib.request.urlopen(url) as response:
            etag = response.headers["ETag"]
        revalidations = []
        for _ in range(REQUESTS):
            request = urllib.request.Request(url, headers={"If-None-Match": etag})
            started = time.perf_counter()
            try:
                urllib.request.urlopen(request, timeout=30)
                raise SystemExit("bench: a current ETag was answered 200, not 304")
            except urllib.error.HTTPError as error:
                if error.code != 304:
                    raise
            revalidations.append((time.perf_counter() - started) * 1000)
        return {
            "warm_p50": statistics.median(warm),
            "warm_rps": throughput([url]),
            "not_modified_p50": statistics.median(revalidations),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def with_fields(url: str) -> str:
    return f"{url}&{urllib.parse.urlencode({'fields': ','.join(datasette_peer.FIELDS)})}"


def peer_urls(base: str, params: dict, api_q3: list[str]) -> dict[str, list[str]]:
    """Datasette's URLs for the same pages: Q3's cursors are the API's own pages' last rows."""
    database = "claims"
    q3, on, before = [], "9999-12-31", 2**62
    for page in api_q3:
        q3.append(datasette_peer.url(base, database, "Q3", country=params["country"], on=on, before=before))
        last = orjson.loads(urllib.request.urlopen(page).read())["results"][-1]
        on, before = last["reported_on"], last["id"]
    return {
        "Q1": [datasette_peer.url(base, database, "Q1", location=params["location"], kind=params["kind"])],
        "Q2": [datasette_peer.url(base, database, "Q2", q=word) for word in params["words"]],
        "Q3": q3,
    }


def against_datasette(conn, params: dict, urls: dict[str, list[str]]) -> list[dict]:
    """The three questions for the same five fields, to the API and to Datasette, in one window.

    The same client asks both, alternating which goes first; each question's pages are compared
    for the same claim ids, in the same order.
    """
    # The name changes with what the copy holds, so that a copy made by an earlier bench is not reused.
    path = ROOT / ".data" / "bench" / f"datasette-{CLAIMS}-seed{SEED}-lexemes" / "claims.db"
    if not path.exists():
        say(f"exporting the published claims to SQLite for Datasette ({path})")
    datasette_peer.export(conn, path)
    peer = datasette_peer.start(path, free_port())
    try:
        base = f"http://127.0.0.1:{peer.args[peer.args.index('--port') + 1]}"
        ours = {name: [with_fields(url) for url in url_list] for name, url_list in urls.items()}
        theirs = peer_urls(base, params, ours["Q3"])
        rows = []
        for name in ("Q1", "Q2", "Q3"):
            pairs = list(zip(ours[name], theirs[name], strict=True))
            same = all(
                [c["id"] for c in timed_get(api)[1]["results"]] == [c["id"] for c in timed_get(peer_url)[1]]
                for api, peer_url in pairs
            )
            api_times, peer_times = [], []
            for i in range(REQUESTS):
                api, peer_url = pairs[i % len(pairs)]
                order = [(api, api_times), (peer_url, peer_times)]
                for url, times in order if i % 2 == 0 else reversed(order):
                    times.append(timed_get(url)[0])
            rows.append(
                {
                    "query": name,
                    "api_p50": statistics.median(api_times),
                    "api_p99": percentile(api_times, 0.99),
                    "peer_p50": statistics.median(peer_times),
                    "peer_p99": percentile(peer_times, 0.99),
                    "api_rps": throughput(ours[name]),
                    "peer_rps": throughput(theirs[name]),
                    "same_ids": same,
                }
            )
        return rows
    finally:
        peer.terminate()
        peer.wait(timeout=30)


def peer_table(rows: list[dict]) -> str:
    def rps(value):
        return f"{value:.0f}" if value is not None else "wrk missing"

    lines = [
        f"\nSame questions, five fields ({', '.join(datasette_peer.FIELDS)}), API (response cache off) "
        "against Datasette over SQLite, same client, alternating:\n",
        "| query | API p50 ms | API p99 ms | Datasette p50 ms | Datasette p99 ms | API req/s | Datasette req/s "
        "| API ÷ Datasette (p50) | same ids |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row['query']} | {row['api_p50']:.2f} | {row['api_p99']:.2f} | {row['peer_p50']:.2f} | "
            f"{row['peer_p99']:.2f} | {rps(row['api_rps'])} | {rps(row['peer_rps'])} | "
            f"{row['api_p50'] / row['peer_p50']:.2f} | {'yes' if row['same_ids'] else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def report(
    rows, page_rows, counts, worker_mb, total_mb, params, import_seconds, loads, peers, cached, export, curation
) -> None:
    depth = params["depth"]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(  # earlier runs' tables in docs/benchmarks.md do not count as changed code
        ["git", "status", "--porcelain", "--", ".", ":(exclude)docs/benchmarks.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    commit = f"{commit.strip()} with uncommitted changes" if commit.strip() and dirty.strip() else commit
    header = (
        f"\n## {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC — {machine()} — "
        f"{CLAIMS:,} claims (seed {SEED}), commit {commit.strip() or 'uncommitted'}\n\n"
    )
    lines = [
        "| query | p50 ms | p99 ms | worst p99 of one URL | req/s at 4 conn | PostgreSQL floor ms | p50 / floor "
        "| queries/request | p50 target | met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        met = row["p50"] <= row["target"]
        if row["query"] == "Q1":
            met = met and (row["rps"] or 0) >= 300
        if row["query"] == "Q2":
            met = met and row["worst_url_p99"] <= 50
        lines.append(
            f"| {row['query']} | {row['p50']:.2f} | {row['p99']:.2f} | {row['worst_url_p99']:.2f} | "
            f"{row['rps'] if row['rps'] is not None else 'wrk missing'} | {row['floor']:.2f} | "
            f"{row['ratio']:.1f}× | {counts[row['query']]} | ≤ {row['target']:g} ms | {'yes' if met else 'NO'} |"
        )
    lines += [
        "",
        "| reading room page | p50 ms | p99 ms | req/s at 4 conn | p50 target | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in page_rows:
        lines.append(
            f"| {row['page']} `{row['url']}` | {row['p50']:.2f} | {row['p99']:.2f} | "
            f"{row['rps'] if row['rps'] is not None else 'wrk missing'} | ≤ {row['target']:g} ms | "
            f"{'yes' if row['p50'] <= row['target'] else 'NO'} |"
        )
    imported = (
        f"{import_seconds:.0f} s (target < {IMPORT_TARGET_SECONDS} s)"
        if import_seconds is not None
        else "not run (already loaded)"
    )
    loaded = (
        f"{loads[0]:.1f} s into an empty database, {loads[1]:.1f} s unchanged "
        f"(target < {FIXTURE_LOAD_TARGET_SECONDS} s)"
        if loads
        else "not measured"
    )
    footer = (
        f"\nServer memory (RSS): {worker_mb:.0f} MB per worker at most, {total_mb:.0f} MB for gunicorn in all. "
        f"Q1: location={params['location']}, kind={params['kind']}; Q2: {len(params['words'])} words of about 0.5 % "
        f"({', '.join(params['words'])}); Q3: country={params['country']}, {depth:,} rows deep; P1: the same country; "
        f"P2: the 20 newest published claims.\n"
        f"\nImport of the corpus: {imported}. Fixture load (`manage.py load_fixtures`): {loaded}.\n"
        + (f"\nNDJSON export FAILED: {export['failure']}." if export["failure"] else "")
        + f"\nNDJSON export of all {export['lines']:,} claims: first byte after {export['first_byte']:.2f} s, "
        f"done in {export['seconds']:.0f} s (target ≤ {EXPORT_TARGET_SECONDS} s), worker memory at most "
        f"{export['peak_mb']:.0f} MB while streaming (target < {EXPORT_MEMORY_TARGET_MB} MB).\n"
    )
    where = "Redis" if os.environ.get("REDIS_URL") else "each worker's memory"
    warm = (
        f"\nQ1 from the response cache ({where}): "
        f"{cached['warm_p50']:.2f} ms p50 warm (target ≤ 1.5), "
        f"{cached['warm_rps'] if cached['warm_rps'] is not None else 'wrk missing'} req/s at 4 connections "
        f"(target ≥ 1,500); If-None-Match → 304 in {cached['not_modified_p50']:.2f} ms p50 (target ≤ 1). "
        "The rows above are cold: the response cache was off.\n"
    )
    table = header + "\n".join(lines) + "\n" + warm + peer_table(peers) + curation + footer
    print(table)
    target = ROOT / "docs" / "benchmarks.md"
    target.parent.mkdir(exist_ok=True)
    if not target.exists():
        target.write_text("# Benchmarks\n\nAppended by `make bench` (scripts/bench.py); newest last.\n")
    with target.open("a") as out:
        out.write(table)


if __name__ == "__main__":
    main()
