"""Who may do what: every API operation, admin page and action, and reading-room page, for every role.

The table below is the one SECURITY.md shows (a test checks they are the same). API clients
authenticate with real tokens, admin and reading-room clients with a real session; the deactivated
user's token and session were valid until the account was deactivated. A cell is the status code,
and for writes also what became of the object written.

Each row names its operation as ``METHOD /path``, with the path as the OpenAPI document spells it
(``{id}`` for a path parameter), so tests can check that every operation of the schema, every
admin page and action of the project's apps and every reading-room page has a row: a new endpoint
cannot slip out of the table.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max
from django.test import Client, RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from apps.accounts.services import curator_create, token_issue
from apps.actors.models import Actor
from apps.actors.services import actor_create
from apps.claims.models import Claim, ClaimChange, ClaimRelation
from apps.claims.services import claim_create, claim_relation_create, claim_review_status_set
from apps.comparisons.models import Membership, Proposition
from apps.comparisons.services import proposition_split
from apps.intake.models import DismissedCandidate
from apps.reading import urls as reading_urls
from apps.sources.models import Source
from apps.sources.services import source_create
from tests.samples import QUOTE, SOURCE, claim_body
from tests.test_admin import _form_data

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("anonymous", "no role", "curator", "reviewer", "superuser", "deactivated")
# Unlike any fixture claim's summary, so it shows where the draft is seen.
DRAFT_SUMMARY = "Drafted in the matrix: the United Kingdom sent anti-tank missiles to Ukraine."
OPERATION = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) (/\S*)")
ADMIN_ACTION = re.compile(r" action (\w+)")


class World:
    """The users of every role, their API clients and browser sessions, and claims drafted by someone else."""

    def __init__(self):
        users, tokens = {}, {}
        users["no role"] = get_user_model().objects.create_user("matrix-plain", password="a-long-plain-passphrase")
        tokens["no role"] = token_issue(user=users["no role"])
        users["curator"], tokens["curator"] = curator_create(username="matrix-curator")
        users["reviewer"], tokens["reviewer"] = curator_create(username="matrix-reviewer", reviewer=True)
        users["superuser"] = get_user_model().objects.create_superuser("matrix-chief", password="a-long-passphrase")
        tokens["superuser"] = token_issue(user=users["superuser"])
        users["deactivated"], tokens["deactivated"] = curator_create(username="matrix-leaver", reviewer=True)
        self.author, _ = curator_create(username="matrix-author")
        self.users, self.tokens = users, tokens
        self.api = {"anonymous": APIClient()}
        self.browser = {"anonymous": Client()}
        for role, user in users.items():
            self.api[role] = APIClient(HTTP_AUTHORIZATION=f"Token {tokens[role]}")
            self.browser[role] = Client()
            self.browser[role].force_login(user)
        users["deactivated"].is_active = False
        users["deactivated"].save()

    def draft(self, *, by=None) -> Claim:
        """A draft claim last edited by ``by`` (the author by default)."""
        return claim_create(
            source=Source.objects.get(slug=SOURCE),
            quote=QUOTE,
            kind="arms_transfer",
            status="completed",
            summary=DRAFT_SUMMARY,
            subject=Actor.objects.get(slug="united-kingdom"),
            object=Actor.objects.get(slug="ukraine"),
            by=by or self.author,
        )

    def published(self) -> Claim:
        return Claim.objects.filter(review_status="published").order_by("id").first()

    def newly_published(self) -> Claim:
        """A claim the author drafted and a reviewer published: one of the world's own, free to change."""
        claim = self.draft()
        claim_review_status_set(claim=claim, review_status="published", by=self.users["reviewer"])
        return claim

    def relation(self) -> ClaimRelation:
        return claim_relation_create(from_claim=self.draft(), to_claim=self.draft(), type="corroborates")

    def proposition_alone(self) -> Proposition:
        """A proposition of one draft claim, split off by a curator."""
        return proposition_split(claims=[self.draft()], note="Made for the matrix.")

    def published_relation(self) -> ClaimRelation:
        return ClaimRelation.objects.filter(
            from_claim__review_status="published", to_claim__review_status="published"
        ).first()

    def compared_proposition(self) -> Proposition:
        return Proposition.objects.filter(document_count__gte=2).order_by("id").first()


def _status(response) -> str:
    return str(response.status_code)


def _label(role: str) -> str:
    """A slug part unique to the role, for objects each role creates."""
    return f"m{ROLES.index(role)}"


def _claim_body() -> dict:
    return claim_body(summary="Written in the matrix.")


def _source_body(role: str) -> dict:
    return {"slug": f"matrix-note-{_label(role)}", "kind": "news", "title": "A note", "text": "Some text."}


def _fresh_source(role: str) -> Source:
    return source_create(**_source_body(role) | {"slug": f"matrix-fresh-{_label(role)}"})


def _fresh_actor(role: str) -> Actor:
    return actor_create(slug=f"matrix-actor-{_label(role)}", name="Matrix actor", kind="other")


def _get(path):
    return lambda w, r, c: _status(c.get(path(w) if callable(path) else path))


def _publish_own_edit(world, role, client, **extra):
    claim = world.draft(by=world.users[role] if role in ("curator", "reviewer", "superuser") else None)
    body = {"review_status": "published", **extra}
    return _status(client.patch(f"/api/v1/claims/{claim.pk}/", body, format="json"))


def _export(export_format: str):
    """The status, and whether the file holds drafts (a draft's summary) or published claims only."""

    def run(world, role, client):
        world.draft()
        # One kind keeps the files short; the draft is of that kind.
        response = client.get(f"/api/v1/claims/export.{export_format}?kind=arms_transfer")
        if response.status_code != 200:
            return _status(response)
        body = b"".join(response.streaming_content).decode()
        return f"200 {'with drafts' if DRAFT_SUMMARY in body else 'published only'}"

    return run


def _follow_changes(world, role, client):
    """Whether the feed tells of a draft, and of a claim published meanwhile, after the position before both."""
    # The feed numbers changes as their transaction commits, which a test's never does: number them now.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    since = ClaimChange.objects.aggregate(Max("seq"))["seq__max"]
    draft, published = world.draft(), world.newly_published()
    response = client.get("/api/v1/changes/", {"since": since})
    if response.status_code != 200:
        return _status(response)
    told = {entry["id"] for entry in response.json()["results"]}
    return f"200 {'with drafts' if draft.pk in told else 'published only' if published.pk in told else 'nothing'}"


def _revoke_other(world, role, client):
    _, other = curator_create(username=f"matrix-other-{_label(role)}")
    return _status(client.delete(f"/api/v1/tokens/{other[:15]}/"))


def _move(world, role, client):
    into = world.proposition_alone()
    return _status(client.post(f"/api/v1/comparisons/{into.pk}/claims/", {"claim": world.draft().pk}))


def _merge(world, role, client):
    into, merged = world.proposition_alone(), world.proposition_alone()
    return _status(client.post(f"/api/v1/comparisons/{into.pk}/merge/", {"propositions": [merged.pk]}))


def _release(world, role, client):
    claim = world.proposition_alone().memberships.get().claim
    return _status(client.post("/api/v1/comparisons/release/", {"claim": claim.pk}))


# Admin ---------------------------------------------------------------------------------------


def _admin_action(changelist: str, action: str, subject, state):
    """POST ``action`` on the changelist for one object made by ``subject``; the answer and ``state`` after it."""

    def run(world, role, client):
        target = subject(world, role)
        response = client.post(changelist, {"action": action, "_selected_action": [target.pk], "post": "yes"})
        return f"{response.status_code} {state(world, target)}"

    return run


def _review_status(world, claim) -> str:
    return Claim.objects.filter(pk=claim.pk).values_list("review_status", flat=True).first() or "deleted"


def _exists(model):
    return lambda world, target: "kept" if model.objects.filter(pk=target.pk).exists() else "deleted"


def _merge_in_admin(world, role, client):
    into, merged = world.proposition_alone(), world.proposition_alone()
    action = {"action": "merge", "_selected_action": [into.pk, merged.pk]}
    response = client.post("/admin/comparisons/proposition/", action)
    return f"{response.status_code} {'apart' if Proposition.objects.filter(pk=merged.pk).exists() else 'merged'}"


def _decide_in_queue(world, role, client):
    claim = world.draft()
    response = client.post("/admin/claims/claim/review-queue/", {"decision": "approve", "claims": [claim.pk]})
    return f"{response.status_code} {_review_status(world, claim)}"


def _publish_in_form(world, role, client):
    claim = world.draft()
    url = f"/admin/claims/claim/{claim.pk}/change/"
    body = _form_data(world.browser["superuser"].get(url)) | {"review_status": "published"}
    response = client.post(url, body)
    return f"{response.status_code} {_review_status(world, claim)}"


def _version_url(world) -> str:
    claim = world.published()
    return f"/admin/claims/claim/{claim.pk}/history/{claim.history.earliest().history_id}/"


def _restore_version(world, role, client):
    claim = world.newly_published()
    response = client.post(f"/admin/claims/claim/{claim.pk}/history/{claim.history.earliest().history_id}/")
    return f"{response.status_code} {_review_status(world, claim)}"


def _split_in_admin(world, role, client):
    claim = world.draft()
    response = client.post(f"/admin/claims/claim/{claim.pk}/comparison/", {"comparison_action": "split"})
    pinned = Membership.objects.filter(claim=claim, pinned=True).exists()
    return f"{response.status_code} {'split' if pinned else 'grouped'}"


def _dismiss_candidate(world, role, client):
    source = Source.objects.get(slug=SOURCE)
    page = world.browser["superuser"].get(f"/admin/intake/incomingsource/{source.pk}/candidates/")
    key = re.search(r'name="candidate" value="([^"]+)"', page.content.decode()).group(1)
    before = DismissedCandidate.objects.count()
    response = client.post(
        f"/admin/intake/incomingsource/{source.pk}/candidates/", {"candidate": key, "action": "dismiss"}
    )
    return f"{response.status_code} {'dismissed' if DismissedCandidate.objects.count() > before else 'proposed'}"


def _source_id(world) -> int:
    return Source.objects.get(slug=SOURCE).pk


# (surface, operation, how to do it) → the answer for each role, in ROLES' order. A cell of two words
# is written with " | " between the cells.
MATRIX = [
    ("API", "GET /api/v1/", _get("/api/v1/"), "200 200 200 200 200 401"),
    ("API", "GET /api/v1/actors/", _get("/api/v1/actors/"), "200 200 200 200 200 401"),
    (
        "API",
        "POST /api/v1/actors/",
        lambda w, r, c: _status(c.post("/api/v1/actors/", {"slug": f"m-{_label(r)}", "name": "M", "kind": "other"})),
        "401 403 201 201 201 401",
    ),
    ("API", "GET /api/v1/actors/{slug}/", _get("/api/v1/actors/nato/"), "200 200 200 200 200 401"),
    (
        "API",
        "PUT /api/v1/actors/{slug}/",
        lambda w, r, c: _status(
            c.put(
                f"/api/v1/actors/{_fresh_actor(r).slug}/", {"slug": f"m-put-{_label(r)}", "name": "M", "kind": "other"}
            )
        ),
        "401 403 200 200 200 401",
    ),
    (
        "API",
        "PATCH /api/v1/actors/{slug}/",
        lambda w, r, c: _status(c.patch(f"/api/v1/actors/{_fresh_actor(r).slug}/", {"name": "Renamed"})),
        "401 403 200 200 200 401",
    ),
    (
        "API",
        "DELETE /api/v1/actors/{slug}/",
        lambda w, r, c: _status(c.delete(f"/api/v1/actors/{_fresh_actor(r).slug}/")),
        "401 403 204 204 204 401",
    ),
    (
        "API",
        "GET /api/v1/changes/",
        _follow_changes,
        "200 published only | 200 published only | 200 with drafts | 200 with drafts | 200 with drafts | 401",
    ),
    ("API", "GET /api/v1/claim-kinds/", _get("/api/v1/claim-kinds/"), "200 200 200 200 200 401"),
    ("API", "GET /api/v1/claim-kinds/{id}/", _get("/api/v1/claim-kinds/sanctions/"), "200 200 200 200 200 401"),
    ("API", "GET /api/v1/claim-relations/", _get("/api/v1/claim-relations/"), "200 200 200 200 200 401"),
    (
        "API",
        "POST /api/v1/claim-relations/",
        lambda w, r, c: _status(
            c.post(
                "/api/v1/claim-relations/",
                {"type": "corroborates", "from_claim": w.draft().pk, "to_claim": w.published().pk, "note": ""},
            )
        ),
        "401 403 201 201 201 401",
    ),
    (
        "API",
        "GET /api/v1/claim-relations/{id}/ (between published claims)",
        _get(lambda w: f"/api/v1/claim-relations/{w.published_relation().pk}/"),
        "200 200 200 200 200 401",
    ),
    (
        "API",
        "GET /api/v1/claim-relations/{id}/ (between drafts)",
        _get(lambda w: f"/api/v1/claim-relations/{w.relation().pk}/"),
        "404 404 200 200 200 401",
    ),
    (
        "API",
        "PUT /api/v1/claim-relations/{id}/",
        lambda w, r, c: _status(
            c.put(
                f"/api/v1/claim-relations/{(rel := w.relation()).pk}/",
                {"type": "contradicts", "from_claim": rel.from_claim_id, "to_claim": rel.to_claim_id, "note": ""},
            )
        ),
        "401 403 200 200 200 401",
    ),
    (
        "API",
        "PATCH /api/v1/claim-relations/{id}/",
        lambda w, r, c: _status(c.patch(f"/api/v1/claim-relations/{w.relation().pk}/", {"note": "Checked."})),
        "401 403 200 200 200 401",
    ),
    (
        "API",
        "DELETE /api/v1/claim-relations/{id}/",
        lambda w, r, c: _status(c.delete(f"/api/v1/claim-relations/{w.relation().pk}/")),
        "401 403 204 204 204 401",
    ),
    ("API", "GET /api/v1/claim-stances/", _get("/api/v1/claim-stances/"), "200 200 200 200 200 401"),
    ("API", "GET /api/v1/claims/", _get("/api/v1/claims/"), "200 200 200 200 200 401"),
    (
        "API",
        "POST /api/v1/claims/ (a draft)",
        lambda w, r, c: _status(c.post("/api/v1/claims/", _claim_body())),
        "401 403 201 201 201 401",
    ),
    (
        "API",
        "POST /api/v1/claims/ (already published)",
        lambda w, r, c: _status(c.post("/api/v1/claims/", _claim_body() | {"review_status": "published"})),
        "401 403 403 403 403 401",
    ),
    (
        "API",
        "GET /api/v1/claims/{id}/ (published)",
        _get(lambda w: f"/api/v1/claims/{w.published().pk}/"),
        "200 200 200 200 200 401",
    ),
    (
        "API",
        "GET /api/v1/claims/{id}/ (a draft)",
        _get(lambda w: f"/api/v1/claims/{w.draft().pk}/"),
        "404 404 200 200 200 401",
    ),
    (
        "API",
        "PUT /api/v1/claims/{id}/ (a draft)",
        lambda w, r, c: _status(c.put(f"/api/v1/claims/{w.draft().pk}/", _claim_body())),
        "401 403 200 200 200 401",
    ),
    (
        "API",
        "PATCH /api/v1/claims/{id}/ (a draft's content)",
        lambda w, r, c: _status(c.patch(f"/api/v1/claims/{w.draft().pk}/", {"summary": "Edited."})),
        "401 403 200 200 200 401",
    ),
    (
        "API",
        "PATCH /api/v1/claims/{id}/ (publish someone else's edit)",
        lambda w, r, c: _status(c.patch(f"/api/v1/claims/{w.draft().pk}/", {"review_status": "published"})),
        "401 403 403 200 200 401",
    ),
    (
        "API",
        "PATCH /api/v1/claims/{id}/ (publish one's own last edit)",
        lambda w, r, c: _publish_own_edit(w, r, c),
        "401 403 403 403 403 401",
    ),
    (
        "API",
        "PATCH /api/v1/claims/{id}/ (… with override_reason)",
        lambda w, r, c: _publish_own_edit(w, r, c, override_reason="Urgent correction."),
        "401 403 403 403 200 401",
    ),
    (
        "API",
        "PATCH /api/v1/claims/{id}/ (a published claim's content)",
        lambda w, r, c: _status(c.patch(f"/api/v1/claims/{w.newly_published().pk}/", {"summary": "Changed."})),
        "401 403 403 403 403 401",
    ),
    (
        "API",
        "PATCH /api/v1/claims/{id}/ (return a published claim to draft)",
        lambda w, r, c: _status(c.patch(f"/api/v1/claims/{w.newly_published().pk}/", {"review_status": "draft"})),
        "401 403 200 200 200 401",
    ),
    (
        "API",
        "DELETE /api/v1/claims/{id}/ (a draft)",
        lambda w, r, c: _status(c.delete(f"/api/v1/claims/{w.draft().pk}/")),
        "401 403 204 204 204 401",
    ),
    (
        "API",
        "DELETE /api/v1/claims/{id}/ (a published claim)",
        lambda w, r, c: _status(c.delete(f"/api/v1/claims/{w.newly_published().pk}/")),
        "401 403 204 204 204 401",
    ),
    (
        "API",
        "GET /api/v1/claims/{id}/comparison/ (published)",
        _get(lambda w: f"/api/v1/claims/{w.published().pk}/comparison/"),
        "200 200 200 200 200 401",
    ),
    (
        "API",
        "GET /api/v1/claims/{id}/comparison/ (a draft)",
        _get(lambda w: f"/api/v1/claims/{w.draft().pk}/comparison/"),
        "404 404 200 200 200 401",
    ),
    (
        "API",
        "GET /api/v1/claims/{id}/history/",
        _get(lambda w: f"/api/v1/claims/{w.published().pk}/history/"),
        "404 404 200 200 200 401",
    ),
    *(
        (
            "API",
            f"GET /api/v1/claims/export.{{export_format}} ({export_format})",
            _export(export_format),
            "200 published only | 200 published only | 200 with drafts | 200 with drafts | 200 with drafts | 401",
        )
        for export_format in ("csv", "ndjson", "jsonld")
    ),
    ("API", "GET /api/v1/comparisons/", _get("/api/v1/comparisons/"), "200 200 200 200 200 401"),
    (
        "API",
        "GET /api/v1/comparisons/{id}/ (of published claims)",
        _get(lambda w: f"/api/v1/comparisons/{w.compared_proposition().pk}/"),
        "200 200 200 200 200 401",
    ),
    (
        "API",
        "GET /api/v1/comparisons/{id}/ (of a draft only)",
        _get(lambda w: f"/api/v1/comparisons/{w.proposition_alone().pk}/"),
        "404 404 200 200 200 401",
    ),
    ("API", "POST /api/v1/comparisons/{id}/claims/ (move a claim)", _move, "401 403 200 200 200 401"),
    ("API", "POST /api/v1/comparisons/{id}/merge/", _merge, "401 403 200 200 200 401"),
    ("API", "POST /api/v1/comparisons/release/", _release, "401 403 200 200 200 401"),
    (
        "API",
        "POST /api/v1/comparisons/split/",
        lambda w, r, c: _status(c.post("/api/v1/comparisons/split/", {"claims": [w.draft().pk]})),
        "401 403 201 201 201 401",
    ),
    ("API", "GET /api/v1/countries/", _get("/api/v1/countries/"), "200 200 200 200 200 401"),
    ("API", "GET /api/v1/countries/{code}/", _get("/api/v1/countries/UA/"), "200 200 200 200 200 401"),
    ("API", "GET /api/v1/sources/", _get("/api/v1/sources/"), "200 200 200 200 200 401"),
    (
        "API",
        "POST /api/v1/sources/",
        lambda w, r, c: _status(c.post("/api/v1/sources/", _source_body(r))),
        "401 403 201 201 201 401",
    ),
    ("API", "GET /api/v1/sources/{slug}/", _get(f"/api/v1/sources/{SOURCE}/"), "200 200 200 200 200 401"),
    (
        "API",
        "PUT /api/v1/sources/{slug}/",
        lambda w, r, c: _status(c.put(f"/api/v1/sources/{_fresh_source(r).slug}/", _source_body(r))),
        "401 403 200 200 200 401",
    ),
    (
        "API",
        "PATCH /api/v1/sources/{slug}/",
        lambda w, r, c: _status(c.patch(f"/api/v1/sources/{_fresh_source(r).slug}/", {"title": "Retitled"})),
        "401 403 200 200 200 401",
    ),
    (
        "API",
        "DELETE /api/v1/sources/{slug}/",
        lambda w, r, c: _status(c.delete(f"/api/v1/sources/{_fresh_source(r).slug}/")),
        "401 403 204 204 204 401",
    ),
    (
        "API",
        "GET /api/v1/sources/{source_slug}/candidates/",
        _get(f"/api/v1/sources/{SOURCE}/candidates/"),
        "404 404 200 200 200 401",
    ),
    ("API", "GET /api/v1/tokens/", _get("/api/v1/tokens/"), "401 200 200 200 200 401"),
    (
        "API",
        "DELETE /api/v1/tokens/{key}/ (one's own)",
        lambda w, r, c: _status(c.delete(f"/api/v1/tokens/{w.tokens.get(r, 'f' * 15)[:15]}/")),
        "401 204 204 204 204 401",
    ),
    ("API", "DELETE /api/v1/tokens/{key}/ (another user's)", _revoke_other, "401 404 404 404 204 401"),
    ("API", "GET /healthz", _get("/healthz"), "200 200 200 200 200 200"),
    ("API", "GET /readyz", _get("/readyz"), "200 200 200 200 200 200"),
    # Admin: a refused page redirects to the login (302) or answers 403; a refused action leaves the object.
    ("admin", "GET /admin/", _get("/admin/"), "302 302 200 200 200 302"),
    ("admin", "GET /admin/actors/actor/", _get("/admin/actors/actor/"), "302 302 200 200 200 302"),
    (
        "admin",
        "POST /admin/actors/actor/ action delete_selected",
        _admin_action("/admin/actors/actor/", "delete_selected", lambda w, r: _fresh_actor(r), _exists(Actor)),
        "302 kept | 302 kept | 302 deleted | 302 deleted | 302 deleted | 302 kept",
    ),
    ("admin", "GET /admin/actors/actor/deleted/", _get("/admin/actors/actor/deleted/"), "302 302 200 200 200 302"),
    ("admin", "GET /admin/claims/claim/", _get("/admin/claims/claim/"), "302 302 200 200 200 302"),
    (
        "admin",
        "GET /admin/claims/claim/{id}/change/ (a draft)",
        _get(lambda w: f"/admin/claims/claim/{w.draft().pk}/change/"),
        "302 302 200 200 200 302",
    ),
    (
        "admin",
        "GET /admin/claims/claim/{id}/history/",
        _get(lambda w: f"/admin/claims/claim/{w.published().pk}/history/"),
        "302 302 200 200 200 302",
    ),
    (
        "admin",
        "POST /admin/claims/claim/{id}/change/ (publish someone else's draft)",
        _publish_in_form,
        "302 draft | 302 draft | 200 draft | 302 published | 302 published | 302 draft",
    ),
    (
        "admin",
        "GET /admin/claims/claim/{id}/history/{id}/ (an old version)",
        _get(_version_url),
        "302 302 200 200 200 302",
    ),
    (
        "admin",
        "POST /admin/claims/claim/{id}/history/{id}/ (restore an old version)",
        _restore_version,
        "302 published | 302 published | 403 published | 403 published | 403 published | 302 published",
    ),
    ("admin", "GET /admin/claims/claim/deleted/", _get("/admin/claims/claim/deleted/"), "302 302 200 200 200 302"),
    (
        "admin",
        "POST /admin/claims/claim/ action mark_reviewed (someone else's draft)",
        _admin_action("/admin/claims/claim/", "mark_reviewed", lambda w, r: w.draft(), _review_status),
        "302 draft | 302 draft | 302 draft | 302 reviewed | 302 reviewed | 302 draft",
    ),
    (
        "admin",
        "POST /admin/claims/claim/ action mark_published (someone else's draft)",
        _admin_action("/admin/claims/claim/", "mark_published", lambda w, r: w.draft(), _review_status),
        "302 draft | 302 draft | 302 draft | 302 published | 302 published | 302 draft",
    ),
    (
        "admin",
        "POST /admin/claims/claim/ action mark_rejected (someone else's draft)",
        _admin_action("/admin/claims/claim/", "mark_rejected", lambda w, r: w.draft(), _review_status),
        "302 draft | 302 draft | 302 draft | 302 rejected | 302 rejected | 302 draft",
    ),
    (
        "admin",
        "POST /admin/claims/claim/ action mark_draft (a published claim)",
        _admin_action("/admin/claims/claim/", "mark_draft", lambda w, r: w.newly_published(), _review_status),
        "302 published | 302 published | 302 draft | 302 draft | 302 draft | 302 published",
    ),
    (
        "admin",
        "POST /admin/claims/claim/ action delete_selected",
        _admin_action("/admin/claims/claim/", "delete_selected", lambda w, r: w.draft(), _review_status),
        "302 draft | 302 draft | 302 deleted | 302 deleted | 302 deleted | 302 draft",
    ),
    (
        "admin",
        "POST /admin/claims/claim/{id}/comparison/ (split the claim off)",
        _split_in_admin,
        "302 grouped | 302 grouped | 302 split | 302 split | 302 split | 302 grouped",
    ),
    (
        "admin",
        "GET /admin/claims/claim/review-queue/",
        _get("/admin/claims/claim/review-queue/"),
        "302 302 403 200 200 302",
    ),
    (
        "admin",
        "POST /admin/claims/claim/review-queue/ (approve someone else's draft)",
        _decide_in_queue,
        "302 draft | 302 draft | 403 draft | 302 published | 302 published | 302 draft",
    ),
    ("admin", "GET /admin/claims/claimrelation/", _get("/admin/claims/claimrelation/"), "302 302 200 200 200 302"),
    (
        "admin",
        "POST /admin/claims/claimrelation/ action delete_selected",
        _admin_action(
            "/admin/claims/claimrelation/", "delete_selected", lambda w, r: w.relation(), _exists(ClaimRelation)
        ),
        "302 kept | 302 kept | 302 deleted | 302 deleted | 302 deleted | 302 kept",
    ),
    (
        "admin",
        "GET /admin/claims/claimrelation/deleted/",
        _get("/admin/claims/claimrelation/deleted/"),
        "302 302 200 200 200 302",
    ),
    (
        "admin",
        "GET /admin/comparisons/proposition/",
        _get("/admin/comparisons/proposition/"),
        "302 302 200 200 200 302",
    ),
    (
        "admin",
        "POST /admin/comparisons/proposition/ action merge",
        _merge_in_admin,
        "302 apart | 302 apart | 302 merged | 302 merged | 302 merged | 302 apart",
    ),
    (
        "admin",
        "GET /admin/comparisons/proposition/deleted/",
        _get("/admin/comparisons/proposition/deleted/"),
        "302 302 200 200 200 302",
    ),
    ("admin", "GET /admin/countries/country/", _get("/admin/countries/country/"), "302 302 200 200 200 302"),
    (
        "admin",
        "GET /admin/intake/incomingsource/",
        _get("/admin/intake/incomingsource/"),
        "302 302 200 200 200 302",
    ),
    (
        "admin",
        "GET /admin/intake/incomingsource/add/ (bring in a document)",
        _get("/admin/intake/incomingsource/add/"),
        "302 302 200 200 200 302",
    ),
    (
        "admin",
        "GET /admin/intake/incomingsource/{id}/candidates/",
        _get(lambda w: f"/admin/intake/incomingsource/{_source_id(w)}/candidates/"),
        "302 302 200 200 200 302",
    ),
    (
        "admin",
        "POST /admin/intake/incomingsource/{id}/candidates/ (dismiss a candidate)",
        _dismiss_candidate,
        "302 proposed | 302 proposed | 302 dismissed | 302 dismissed | 302 dismissed | 302 proposed",
    ),
    ("admin", "GET /admin/sources/source/", _get("/admin/sources/source/"), "302 302 200 200 200 302"),
    (
        "admin",
        "POST /admin/sources/source/ action delete_selected",
        _admin_action("/admin/sources/source/", "delete_selected", lambda w, r: _fresh_source(r), _exists(Source)),
        "302 kept | 302 kept | 302 deleted | 302 deleted | 302 deleted | 302 kept",
    ),
    ("admin", "GET /admin/sources/source/deleted/", _get("/admin/sources/source/deleted/"), "302 302 200 200 200 302"),
    (
        "admin",
        "GET /admin/sources/source/publishers/ (the publisher filter's type-ahead)",
        _get("/admin/sources/source/publishers/?term=a"),
        "302 302 200 200 200 302",
    ),
    ("admin", "GET /admin/knox/authtoken/ (all tokens)", _get("/admin/knox/authtoken/"), "302 302 403 403 200 302"),
    # The reading room is public: sessions change nothing there, and drafts are never shown.
    ("reading", "GET /", _get("/"), "200 200 200 200 200 200"),
    ("reading", "GET /claims/", _get("/claims/"), "200 200 200 200 200 200"),
    (
        "reading",
        "GET /claims/{id}/ (published)",
        _get(lambda w: f"/claims/{w.published().pk}/"),
        "200 200 200 200 200 200",
    ),
    ("reading", "GET /claims/{id}/ (a draft)", _get(lambda w: f"/claims/{w.draft().pk}/"), "404 404 404 404 404 404"),
    ("reading", "GET /comparisons/", _get("/comparisons/"), "200 200 200 200 200 200"),
    (
        "reading",
        "GET /comparisons/{id}/",
        _get(lambda w: f"/comparisons/{w.compared_proposition().pk}/"),
        "200 200 200 200 200 200",
    ),
    ("reading", "GET /sources/{slug}/", _get(f"/sources/{SOURCE}/"), "200 200 200 200 200 200"),
]


def _cells(expected: str) -> list[str]:
    return [cell.strip() for cell in expected.split("|")] if "|" in expected else expected.split()


@pytest.mark.parametrize(("surface", "operation", "run", "expected"), MATRIX, ids=[row[1] for row in MATRIX])
def test_each_role_gets_exactly_the_allowed_answer(surface, operation, run, expected):
    world = World()
    clients = world.api if surface == "API" else world.browser
    answers = [run(world, role, clients[role]) for role in ROLES]
    assert dict(zip(ROLES, answers, strict=True)) == dict(zip(ROLES, _cells(expected), strict=True))


def _rows(surface: str) -> list[tuple[str, str, str]]:
    """(method, path, the rest of the operation) of each row of ``surface``."""
    rows = []
    for row_surface, operation, _, _ in MATRIX:
        if row_surface == surface:
            method, path = OPERATION.match(operation).groups()
            rows.append((method, path, operation))
    return rows


def test_every_operation_of_the_openapi_document_has_a_row():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    in_schema = {(method.upper(), path) for path, operations in schema["paths"].items() for method in operations}
    in_matrix = {(method, path) for method, path, _ in _rows("API")}
    assert sorted(in_schema - in_matrix) == [], "add a row to MATRIX for each of these operations"
    assert sorted(in_matrix - in_schema) == [], "these rows name operations the API does not have"


def _shape(path: str) -> str:
    """A path with each parameter blanked, so a URL pattern (``<int:pk>/``) and a row (``{id}/``) compare."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


# Pages every model admin has (Django's, and simple-history's old versions: "_simple_history"),
# which the table shows for claims, where they matter; the list and the actions of every model
# admin have rows, and so has every page an app adds.
STANDARD_ADMIN_PAGES = ("_add", "_change", "_delete", "_history", "_changelist")


def test_every_admin_page_and_action_of_the_project_has_a_row():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("matrix-inspector", password="a-long-passphrase")
    rows = _rows("admin")
    paths = {_shape(path) for _, path, _ in rows}
    actions = {(path, match.group(1)) for _, path, operation in rows if (match := ADMIN_ACTION.search(operation))}
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("apps.") or not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        changelist = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        expected = [changelist]
        expected += [
            _shape(f"{changelist}{pattern.pattern}")
            for pattern in model_admin.get_urls()
            if pattern.name and not pattern.name.endswith(STANDARD_ADMIN_PAGES)
        ]
        missing += [path for path in expected if path not in paths]
        missing += [
            f"{changelist} action {name}"
            for name in model_admin.get_actions(request)
            if (changelist, name) not in actions
        ]
    assert missing == [], "add a row to MATRIX for each of these admin pages and actions"


def test_every_reading_room_page_has_a_row():
    pages = {_shape(f"/{pattern.pattern}") for pattern in reading_urls.urlpatterns}
    assert pages - {_shape(path) for _, path, _ in _rows("reading")} == set(), "add a row to MATRIX for these"


def matrix_markdown() -> str:
    lines = [f"| | operation | {' | '.join(ROLES)} |", f"| --- | --- |{' --- |' * len(ROLES)}"]
    for surface, operation, _, expected in MATRIX:
        lines.append(f"| {surface} | {operation} | {' | '.join(_cells(expected))} |")
    return "\n".join(lines)


def test_security_md_shows_this_matrix():
    text = (ROOT / "SECURITY.md").read_text()
    header = matrix_markdown().splitlines()[0]
    assert header in text, "SECURITY.md has lost the matrix's table; it should read:\n" + matrix_markdown()
    table = []
    for line in text[text.index(header) :].splitlines():
        if not line.startswith("|"):
            break
        table.append(line)
    assert "\n".join(table) == matrix_markdown(), "update SECURITY.md's table to:\n" + matrix_markdown()
