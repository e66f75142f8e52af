"""Who may do what: every API operation and admin action, for every role, with the exact answer.

The table below is the one SECURITY.md shows (a test checks they are the same). API clients
authenticate with real tokens, admin clients with a real session; the deactivated user's token
and session were valid until the account was deactivated. A cell is the status code, and for
writes through admin actions also what became of the claim.
"""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.services import curator_create, token_issue
from apps.actors.models import Actor
from apps.claims.models import Claim
from apps.claims.services import claim_create
from apps.sources.models import Source
from tests.samples import QUOTE, SOURCE, claim_body

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("anonymous", "no role", "curator", "reviewer", "superuser", "deactivated")


class World:
    """The users of every role, their API clients and admin sessions, and a claim drafted by someone else."""

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
        self.admin = {"anonymous": Client()}
        for role, user in users.items():
            self.api[role] = APIClient(HTTP_AUTHORIZATION=f"Token {tokens[role]}")
            self.admin[role] = Client()
            self.admin[role].force_login(user)
        users["deactivated"].is_active = False
        users["deactivated"].save()

    def draft(self, *, by=None) -> Claim:
        """A draft claim last edited by ``by`` (the author by default)."""
        return claim_create(
            source=Source.objects.get(slug=SOURCE),
            quote=QUOTE,
            kind="arms_transfer",
            status="completed",
            summary="The United Kingdom sent anti-tank missiles to Ukraine.",
            subject=Actor.objects.get(slug="united-kingdom"),
            object=Actor.objects.get(slug="ukraine"),
            by=by or self.author,
        )

    def published(self) -> Claim:
        return Claim.objects.filter(review_status="published").order_by("id").first()


def _status(response) -> str:
    return str(response.status_code)


def _claim_body() -> dict:
    return claim_body(summary="Written in the matrix.")


def _publish_own_edit(world, role, client, **extra):
    claim = world.draft(by=world.users[role] if role in ("curator", "reviewer", "superuser") else None)
    body = {"review_status": "published", **extra}
    return _status(client.patch(f"/api/v1/claims/{claim.pk}/", body, format="json"))


def _admin_action(world, client, action: str) -> str:
    claim = world.draft()
    response = client.post("/admin/claims/claim/", {"action": action, "_selected_action": [claim.pk], "post": "yes"})
    stored = Claim.objects.filter(pk=claim.pk).values_list("review_status", flat=True).first()
    return f"{response.status_code} {stored or 'deleted'}"


def _revoke_other(world, role, client):
    _, other = curator_create(username=f"matrix-other-{ROLES.index(role)}")
    return _status(client.delete(f"/api/v1/tokens/{other[:15]}/"))


# (surface, operation, how to do it) → the answer for each role, in ROLES' order.
MATRIX = [
    (
        "API",
        "GET any list or published detail",
        lambda w, r, c: _status(c.get(f"/api/v1/claims/{w.published().pk}/")),
        "200 200 200 200 200 401",
    ),
    (
        "API",
        "GET a draft claim",
        lambda w, r, c: _status(c.get(f"/api/v1/claims/{w.draft().pk}/")),
        "404 404 200 200 200 401",
    ),
    (
        "API",
        "GET a claim's history",
        lambda w, r, c: _status(c.get(f"/api/v1/claims/{w.published().pk}/history/")),
        "404 404 200 200 200 401",
    ),
    (
        "API",
        "POST a claim (draft)",
        lambda w, r, c: _status(c.post("/api/v1/claims/", _claim_body(), format="json")),
        "401 403 201 201 201 401",
    ),
    (
        "API",
        "PATCH a draft's content",
        lambda w, r, c: _status(c.patch(f"/api/v1/claims/{w.draft().pk}/", {"summary": "Edited."}, format="json")),
        "401 403 200 200 200 401",
    ),
    (
        "API",
        "PATCH review_status=published, someone else's edit",
        lambda w, r, c: _status(
            c.patch(f"/api/v1/claims/{w.draft().pk}/", {"review_status": "published"}, format="json")
        ),
        "401 403 403 200 200 401",
    ),
    (
        "API",
        "PATCH review_status=published, own last edit",
        lambda w, r, c: _publish_own_edit(w, r, c),
        "401 403 403 403 403 401",
    ),
    (
        "API",
        "… with override_reason",
        lambda w, r, c: _publish_own_edit(w, r, c, override_reason="Urgent correction."),
        "401 403 403 403 200 401",
    ),
    (
        "API",
        "PATCH content of a published claim",
        lambda w, r, c: _status(c.patch(f"/api/v1/claims/{w.published().pk}/", {"summary": "Changed."}, format="json")),
        "401 403 403 403 403 401",
    ),
    (
        "API",
        "DELETE a claim",
        lambda w, r, c: _status(c.delete(f"/api/v1/claims/{w.draft().pk}/")),
        "401 403 204 204 204 401",
    ),
    (
        "API",
        "POST an actor",
        lambda w, r, c: _status(
            c.post("/api/v1/actors/", {"slug": f"m-{ROLES.index(r)}", "name": "M", "kind": "other"})
        ),
        "401 403 201 201 201 401",
    ),
    (
        "API",
        "POST a claim relation",
        lambda w, r, c: _status(
            c.post(
                "/api/v1/claim-relations/",
                {"type": "corroborates", "from_claim": w.draft().pk, "to_claim": w.published().pk, "note": ""},
                format="json",
            )
        ),
        "401 403 201 201 201 401",
    ),
    ("API", "GET /api/v1/tokens/", lambda w, r, c: _status(c.get("/api/v1/tokens/")), "401 200 200 200 200 401"),
    (
        "API",
        "DELETE one's own token",
        lambda w, r, c: _status(c.delete(f"/api/v1/tokens/{w.tokens.get(r, 'f' * 15)[:15]}/")),
        "401 204 204 204 204 401",
    ),
    ("API", "DELETE another user's token", _revoke_other, "401 404 404 404 204 401"),
    (
        "admin",
        "GET /admin/claims/claim/ (find claims)",
        lambda w, r, c: _status(c.get("/admin/claims/claim/")),
        "302 302 200 200 200 302",
    ),
    (
        "admin",
        "GET a claim's history page",
        lambda w, r, c: _status(c.get(f"/admin/claims/claim/{w.published().pk}/history/")),
        "302 302 200 200 200 302",
    ),
    (
        "admin",
        "action: publish someone else's draft",
        lambda w, r, c: _admin_action(w, c, "mark_published"),
        "302 draft 302 draft 302 draft 302 published 302 published 302 draft",
    ),
    (
        "admin",
        "action: return to draft",
        lambda w, r, c: _admin_action(w, c, "mark_draft"),
        "302 draft 302 draft 302 draft 302 draft 302 draft 302 draft",
    ),
    (
        "admin",
        "action: delete",
        lambda w, r, c: _admin_action(w, c, "delete_selected"),
        "302 draft 302 draft 302 deleted 302 deleted 302 deleted 302 draft",
    ),
    (
        "admin",
        "GET /admin/knox/authtoken/ (all tokens)",
        lambda w, r, c: _status(c.get("/admin/knox/authtoken/")),
        "302 302 403 403 200 302",
    ),
]


def _cells(expected: str) -> list[str]:
    words = expected.split()
    if len(words) == len(ROLES):
        return words
    return [f"{words[i]} {words[i + 1]}" for i in range(0, len(words), 2)]


@pytest.mark.parametrize(("surface", "operation", "run", "expected"), MATRIX, ids=[row[1] for row in MATRIX])
def test_each_role_gets_exactly_the_allowed_answer(surface, operation, run, expected):
    world = World()
    clients = world.api if surface == "API" else world.admin
    answers = [run(world, role, clients[role]) for role in ROLES]
    assert dict(zip(ROLES, answers, strict=True)) == dict(zip(ROLES, _cells(expected), strict=True))


def matrix_markdown() -> str:
    lines = [f"| | operation | {' | '.join(ROLES)} |", f"| --- | --- |{' --- |' * len(ROLES)}"]
    for surface, operation, _, expected in MATRIX:
        lines.append(f"| {surface} | {operation} | {' | '.join(_cells(expected))} |")
    return "\n".join(lines)


def test_security_md_shows_this_matrix():
    assert matrix_markdown() in (ROOT / "SECURITY.md").read_text(), "update SECURITY.md with:\n" + matrix_markdown()
