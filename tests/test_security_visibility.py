"""Anonymous clients read published data only: drafts, reviewed and rejected claims, curator notes and
user data never leak through any endpoint, filter, search, count, ordering, cursor or relation."""

import re

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from apps.accounts.services import curator_create
from apps.claims.models import Claim, ClaimRelation, ReviewStatus
from apps.claims.services import claim_create, claim_relation_create
from apps.sources.models import Source

pytestmark = pytest.mark.django_db

SOURCE = "commentary-2022-01-24-russian-build-up"
# Words that only hidden data contains; none may appear in anything an anonymous client receives.
SECRETS = [
    "Zanzibarleak",
    "Rejectedleak",
    "Reviewedleak",
    "SECRETNOTE",
    "PUBLISHEDNOTE",
    "DRAFTRELNOTE",
    "leaky-curator-name",
    "leaky@example.org",
]
COUNTRY_DETAIL = re.compile(r"/api/v1/countries/[A-Z]{2}/$")
LISTS = [
    "/api/v1/claims/",
    "/api/v1/claim-relations/",
    "/api/v1/sources/",
    "/api/v1/actors/",
    "/api/v1/countries/",
    "/api/v1/claim-kinds/",
]


@pytest.fixture
def hidden(db):
    """Hidden claims in every unpublished state, notes on a published claim, relations to hidden claims,
    and a curator whose name and address must never show."""
    user, _ = curator_create(username="leaky-curator-name", email="leaky@example.org")
    source = Source.objects.get(slug=SOURCE)

    def claim(summary, review_status, notes="", quote="Moscow also sent landing craft to the Black Sea"):
        return claim_create(
            source=source,
            kind="other",
            status="announced",
            summary=summary,
            quote=quote,
            review_status=review_status,
            notes=notes,
        )

    draft = claim("Zanzibarleak draft about the Black Sea.", ReviewStatus.DRAFT, notes="SECRETNOTE draft")
    rejected = claim("Rejectedleak claim about the Black Sea.", ReviewStatus.REJECTED, notes="SECRETNOTE rejected")
    reviewed = claim("Reviewedleak claim about the Black Sea.", ReviewStatus.REVIEWED, notes="SECRETNOTE reviewed")
    published = claim("A published claim about landing craft.", ReviewStatus.PUBLISHED, notes="PUBLISHEDNOTE")
    other = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).exclude(pk=published.pk).first()
    to_draft = claim_relation_create(
        from_claim=published, to_claim=draft, type="contradicts", note="DRAFTRELNOTE", created_by=user
    )
    from_rejected = claim_relation_create(
        from_claim=rejected, to_claim=other, type="supersedes", note="DRAFTRELNOTE 2", created_by=user
    )
    visible = claim_relation_create(
        from_claim=published, to_claim=other, type="corroborates", note="fine", created_by=user
    )
    return {
        "claims": [draft, rejected, reviewed],
        "published": published,
        "relations": [to_draft, from_rejected],
        "visible_relation": visible,
    }


def _assert_no_secret(response, context):
    text = response.content.decode("utf-8", "replace")
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, (context, leaked)


def _urls(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "url" and isinstance(item, str) and "/api/v1/" in item:
                yield item
            else:
                yield from _urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _urls(item)


def _crawl(client) -> set[str]:
    """Every list page (walking the cursors) and every detail page they link to, checked for secrets."""
    seen, pending = set(), [f"{path}?page_size=50" if path != "/api/v1/claim-kinds/" else path for path in LISTS]
    while pending:
        url = pending.pop()
        if url in seen or COUNTRY_DETAIL.search(url):  # 249 pages of ISO reference data: nothing to hide there
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        _assert_no_secret(response, url)
        body = response.json()
        if isinstance(body, dict) and body.get("next"):
            pending.append(body["next"])
        pending.extend(u for u in _urls(body) if u not in seen)
    return seen


def test_nothing_hidden_is_reachable_by_crawling_every_endpoint(hidden, api_client):
    seen = _crawl(api_client)
    claim_pages = {url for url in seen if "/api/v1/claims/" in url and "?" not in url}
    published = set(Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).values_list("id", flat=True))
    assert {int(url.rstrip("/").rsplit("/", 1)[1]) for url in claim_pages} == published
    assert not any(f"/claim-relations/{r.id}/" in url for r in hidden["relations"] for url in seen)
    assert any(f"/claim-relations/{hidden['visible_relation'].id}/" in url for url in seen)


def test_a_signed_in_user_without_the_curator_role_sees_what_anonymous_clients_see(hidden, api_client):
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("plain", password="x-very-long-passphrase"))
    for url in (
        "/api/v1/claims/?page_size=500&count=true",
        "/api/v1/claim-relations/?page_size=500&count=true",
        f"/api/v1/claims/{hidden['published'].id}/",
    ):
        response = client.get(url)
        assert response.json() == api_client.get(url).json()
        _assert_no_secret(response, url)
    for claim in hidden["claims"]:
        assert client.get(f"/api/v1/claims/{claim.id}/").status_code == 404


def test_the_crawl_would_find_the_secrets_as_a_curator(hidden, curator_client):
    """The crawler is able to see them: a curator's crawl meets every hidden claim and note."""
    responses = [curator_client.get(f"/api/v1/claims/{claim.id}/").content.decode() for claim in hidden["claims"]]
    assert all(any(word in text for word in SECRETS) for text in responses)
    assert "PUBLISHEDNOTE" in curator_client.get(f"/api/v1/claims/{hidden['published'].id}/").content.decode()


def _answer(response) -> tuple[int, dict]:
    """Status and body, less the problem's ``instance`` (the request's own path, which differs by design)."""
    body = response.json()
    if isinstance(body, dict) and "instance" in body:
        assert body.pop("instance") == response.wsgi_request.get_full_path()
    return response.status_code, body


def test_hidden_claims_and_relations_are_indistinguishable_from_missing_ones(hidden, api_client):
    missing_claim = api_client.get("/api/v1/claims/999999999/")
    missing_relation = api_client.get("/api/v1/claim-relations/999999999/")
    assert missing_claim.status_code == missing_relation.status_code == 404
    for claim in hidden["claims"]:
        response = api_client.get(f"/api/v1/claims/{claim.id}/")
        assert _answer(response) == _answer(missing_claim)
        for method in ("put", "patch", "delete"):
            assert getattr(api_client, method)(f"/api/v1/claims/{claim.id}/", {}, format="json").status_code == 401
        by_claim = api_client.get("/api/v1/claim-relations/", {"claim": claim.id})
        assert _answer(by_claim) == _answer(api_client.get("/api/v1/claim-relations/", {"claim": 999999999}))
    for relation in hidden["relations"]:
        response = api_client.get(f"/api/v1/claim-relations/{relation.id}/")
        assert _answer(response) == _answer(missing_relation)


@pytest.mark.parametrize(
    "params",
    [
        {"review_status": "draft,reviewed,rejected"},
        {"search": "Zanzibarleak"},
        {"search": "Rejectedleak OR Reviewedleak OR SECRETNOTE"},
        {"related": "contradicts,supersedes"},
        {"source": SOURCE, "kind": "other", "status": "announced"},
        {"ordering": "-created_at", "page_size": 5},
        {"ordering": "-updated_at", "page_size": 5},
    ],
)
def test_filters_search_counts_and_orderings_only_reach_published_claims(hidden, api_client, params):
    published = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED)
    response = api_client.get("/api/v1/claims/", {"count": "true", **params})
    assert response.status_code == 200
    body = response.json()
    ids = {claim["id"] for claim in body["results"]}
    assert ids <= set(published.values_list("id", flat=True))
    assert body["count"] <= published.count()
    assert all(claim["notes"] is None for claim in body["results"])
    assert all(
        relation["claim"]["id"] in set(published.values_list("id", flat=True))
        for claim in body["results"]
        for relation in claim["relations"]
    )
    _assert_no_secret(response, params)
    if "review_status" in params or "search" in params:
        assert body["results"] == [] and body["count"] == 0


def test_counts_equal_the_published_numbers(hidden, api_client):
    published = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED)
    assert api_client.get("/api/v1/claims/", {"count": "true"}).json()["count"] == published.count()
    visible_relations = ClaimRelation.objects.filter(
        from_claim__review_status=ReviewStatus.PUBLISHED, to_claim__review_status=ReviewStatus.PUBLISHED
    )
    assert api_client.get("/api/v1/claim-relations/", {"count": "true"}).json()["count"] == visible_relations.count()
    detail = api_client.get(f"/api/v1/claims/{hidden['published'].id}/").json()
    assert detail["notes"] is None
    assert [r["id"] for r in detail["relations"]] == [hidden["visible_relation"].id]


def test_the_schema_and_the_docs_leak_nothing_either(hidden, api_client):
    for url in ("/api/schema/", "/api/docs/", "/api/redoc/"):
        response = api_client.get(url)
        assert response.status_code == 200
        _assert_no_secret(response, url)


def test_relation_write_serializer_does_not_reveal_hidden_claims_to_plain_users(hidden):
    """Writing needs a curator; a plain user's attempt is refused before ids are looked up."""
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("plain2", password="x-very-long-passphrase"))
    draft = hidden["claims"][0]
    response = client.post(
        "/api/v1/claim-relations/",
        {"type": "corroborates", "from_claim": draft.id, "to_claim": 999999999},
        format="json",
    )
    assert response.status_code == 403
    _assert_no_secret(response, "relation write")
