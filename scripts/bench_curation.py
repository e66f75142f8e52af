"""The curators' side of `make bench`: the admin pages a curator opens, and the comparisons.

Imported by scripts/bench.py, which owns the database, the server and the report; this module
only knows which URLs a curator and a comparing researcher ask for and how they are timed.

  A1–A8  admin pages, logged in as a curator (claims changelist, its search, page 500, a
         filter; sources, actors, relations; a claim's change page): median of 7 after a warm-up,
         and the HTML's size;
  C1     `/api/v1/claims/{id}/comparison/` for 20 claims compared across documents;
  C2/C3  Q1's list with `disputed=true` and with `as_of`, against Q1 itself;
  and the time `manage.py recompute_comparisons` takes to regroup the whole corpus (on every run).
"""

import http.cookies
import secrets
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg

# Measured on the 1,000,000-claim database before the admin was made for it (gunicorn, DEBUG off).
ADMIN_BEFORE_MS = {
    "claims changelist": 1600,
    "claims changelist, search": 13400,
    "claims changelist, page 500": 1900,
    "sources changelist": 1200,
    "a claim's change page": 81,
}
ADMIN_TARGET_MS = {"claims changelist, search": 500, "a claim's change page": 150}
ADMIN_DEFAULT_TARGET_MS = 300
ADMIN_HTML_TARGET_KB = 500
COMPARISON_TARGET_MS = 15
FILTER_RATIO_TARGET = 1.5
RECOMPUTE_TARGET_SECONDS = 600
CURATOR = "bench-curator"
REPEATS = 7


def recompute_comparisons(manage, database_url: str) -> float:
    """Regroup the whole corpus into propositions and recompute their verdicts: the seconds it took.

    The import groups each claim as it is written, so the corpus is grouped already; the command
    still regroups every claim and refreshes every proposition, which is what it costs after a
    change of the rules. The tables it rewrote are vacuumed afterwards (not timed), so that the
    next run does not measure its reads beside autovacuum.
    """
    started = time.monotonic()
    manage("recompute_comparisons")
    seconds = time.monotonic() - started
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) comparisons_proposition, comparisons_membership")
    return seconds


class Browser:
    """A curator's browser behind an HTTPS proxy: production cookies are Secure, so the proxy's
    header makes the app see HTTPS, and the cookies are kept here rather than in a cookie jar
    that would not send Secure cookies over plain HTTP."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookies.SimpleCookie()

    def open(self, url: str, form: dict | None = None):
        headers = {"X-Forwarded-Proto": "https", "Referer": f"https://{urllib.parse.urlsplit(self.base).netloc}/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={morsel.value}" for name, morsel in self.cookies.items())
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        answer = NO_REDIRECTS.open(urllib.request.Request(url, data=data, headers=headers), timeout=60)
        for header in answer.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return answer


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


def curator_browser(base: str, manage) -> Browser:
    """A logged-in admin session of a curator made for the bench (its password changes every run)."""
    password = secrets.token_urlsafe(24)
    manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from apps.accounts.services import curator_create\n"
        f"user = get_user_model().objects.filter(username={CURATOR!r}).first()\n"
        f"user = user or curator_create(username={CURATOR!r})[0]\n"
        f"user.set_password({password!r}); user.save()\n",
        quiet=True,
    )
    browser = Browser(base)
    login = f"{base}/admin/login/"
    browser.open(login).read()
    form = {"username": CURATOR, "password": password, "csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    try:
        browser.open(login, form).read()
    except urllib.error.HTTPError as answer:  # the redirect after a successful login
        if answer.code != 302 or "/admin/login/" in (answer.headers.get("Location") or ""):
            raise SystemExit("bench: the bench curator could not log in to the admin") from None
        for header in answer.headers.get_all("Set-Cookie") or []:
            browser.cookies.load(header)
    if "sessionid" not in browser.cookies:
        raise SystemExit("bench: the bench curator could not log in to the admin")
    return browser


def admin_pages(base: str, conn, word: str) -> dict[str, str]:
    claim_id, source_id = conn.execute("SELECT id, source_id FROM claims_claim ORDER BY id DESC LIMIT 1").fetchone()
    # Page 500 of the claims (50 a page), or the last page of a smaller corpus.
    claims = conn.execute("SELECT count(*) FROM claims_claim").fetchone()[0]
    deep_page = max(0, min(499, (claims - 1) // 50))
    admin = f"{base}/admin"
    return {
        "claims changelist": f"{admin}/claims/claim/",
        "claims changelist, search": f"{admin}/claims/claim/?q={urllib.parse.quote(word)}",
        "claims changelist, page 500": f"{admin}/claims/claim/?p={deep_page}",
        "claims changelist, one source": f"{admin}/claims/claim/?source__pk__exact={source_id}",
        "sources changelist": f"{admin}/sources/source/",
        "actors changelist": f"{admin}/actors/actor/",
        "relations changelist": f"{admin}/claims/claimrelation/",
        "a claim's change page": f"{admin}/claims/claim/{claim_id}/change/",
    }


def time_pages(browser, pages: dict[str, str]) -> list[dict]:
    rows = []
    for name, url in pages.items():
        browser.open(url).read()  # warm
        timings, size = [], 0
        for _ in range(REPEATS):
            started = time.perf_counter()
            with browser.open(url) as answer:
                size = len(answer.read())
            timings.append((time.perf_counter() - started) * 1000)
        rows.append({"page": name, "p50": statistics.median(timings), "kb": size / 1024})
    return rows


def admin_section(base: str, conn, manage, word: str) -> list[dict]:
    return time_pages(curator_browser(base, manage), admin_pages(base, conn, word))


def comparison_urls(base: str, conn, q1: str) -> dict[str, list[str]]:
    compared = conn.execute(
        "SELECT m.claim_id FROM comparisons_membership m "
        "JOIN comparisons_proposition p ON p.id = m.proposition_id "
        "JOIN claims_claim c ON c.id = m.claim_id "
        "WHERE p.document_count >= 2 AND c.review_status = 'published' ORDER BY m.claim_id DESC LIMIT 20"
    ).fetchall()
    as_of = conn.execute(
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY published_on) FROM sources_source"
    ).fetchone()[0]
    return {
        "C1": [f"{base}/api/v1/claims/{claim_id}/comparison/" for (claim_id,) in compared],
        "Q1": [q1],
        "C2": [f"{q1}&disputed=true"],
        "C3": [f"{q1}&as_of={as_of}"],
    }


def comparison_section(base: str, conn, q1: str, page_timings) -> dict:
    urls = comparison_urls(base, conn, q1)
    for url_list in urls.values():
        for url in url_list:
            page_timings([url])
    p50 = {name: statistics.median(page_timings(url_list)) for name, url_list in urls.items() if url_list}
    return {"p50": p50, "compared_claims": len(urls["C1"])}


def report_lines(admin_rows: list[dict], comparisons: dict, recompute_seconds: float) -> str:
    lines = [
        "",
        "| admin page (logged-in curator) | before ms | p50 ms | HTML KB | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in admin_rows:
        target = ADMIN_TARGET_MS.get(row["page"], ADMIN_DEFAULT_TARGET_MS)
        met = row["p50"] <= target and row["kb"] <= ADMIN_HTML_TARGET_KB
        before = ADMIN_BEFORE_MS.get(row["page"])
        lines.append(
            f"| {row['page']} | {before if before else '—'} | {row['p50']:.1f} | {row['kb']:.0f} | "
            f"≤ {target} ms, ≤ {ADMIN_HTML_TARGET_KB} KB | {'yes' if met else 'NO'} |"
        )
    p50 = comparisons["p50"]
    lines += ["", "| comparisons | p50 ms | target | met |", "| --- | --- | --- | --- |"]
    if "C1" in p50:
        met = p50["C1"] <= COMPARISON_TARGET_MS
        lines.append(
            f"| C1 `claims/{{id}}/comparison/` ({comparisons['compared_claims']} claims) | {p50['C1']:.2f} | "
            f"≤ {COMPARISON_TARGET_MS} ms | {'yes' if met else 'NO'} |"
        )
    for name, label in (("C2", "Q1 + `disputed=true`"), ("C3", "Q1 + `as_of`")):
        ratio = p50[name] / p50["Q1"]
        lines.append(
            f"| {name} {label} | {p50[name]:.2f} ({ratio:.2f}× Q1's {p50['Q1']:.2f}) | ≤ {FILTER_RATIO_TARGET}× Q1 | "
            f"{'yes' if ratio <= FILTER_RATIO_TARGET else 'NO'} |"
        )
    met = "met" if recompute_seconds <= RECOMPUTE_TARGET_SECONDS else "NOT met"
    lines.append(
        "\nRegrouping the whole corpus into propositions and recomputing their verdicts (`manage.py "
        f"recompute_comparisons`): {recompute_seconds:.0f} s (target ≤ {RECOMPUTE_TARGET_SECONDS} s, {met})."
    )
    return "\n".join(lines) + "\n"
