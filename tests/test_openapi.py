"""The OpenAPI document: generated without warnings, committed, and good enough to generate a working client."""

import datetime
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "openapi.yaml"


def test_committed_document_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))
    assert generated.read_text() == COMMITTED.read_text(), (
        "openapi.yaml is out of date: run `make schema` and commit the result."
    )


def test_every_operation_has_one_tag_a_description_and_documented_errors():
    document = yaml.safe_load(COMMITTED.read_text())
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert len(operation["tags"]) == 1, (method, path)
            assert operation.get("description"), (method, path)
            assert "400" in operation["responses"], (method, path)
            error = operation["responses"]["400"]["content"]["application/problem+json"]["schema"]["$ref"]
            assert error == "#/components/schemas/Error"
            if "requestBody" in operation:
                assert set(operation["requestBody"]["content"]) == {"application/json"}, (method, path)
    request = document["components"]["schemas"]["ClaimWriteRequest"]
    assert "id" not in request["properties"] and "created_at" not in request["properties"]


def test_generated_clients_get_exact_types():
    """Fields always sent are required; creating needs a quote, changing does not; lists look alike."""
    document = yaml.safe_load(COMMITTED.read_text())
    schemas = document["components"]["schemas"]
    claim = schemas["Claim"]
    assert set(claim["required"]) == set(claim["properties"])
    assert {"anchor", "stance", "valid_from", "key"} <= set(claim["required"])
    assert "quote" in schemas["ClaimCreateRequest"]["required"]
    assert "quote" not in schemas["ClaimWriteRequest"].get("required", [])
    claims = document["paths"]["/api/v1/claims/"]
    assert claims["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ClaimCreateRequest"
    )
    put = document["paths"]["/api/v1/claims/{id}/"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ClaimWriteRequest")
    ordering = next(p for p in claims["get"]["parameters"] if p["name"] == "ordering")
    assert {"reported_on", "-reported_on", "quantity", "-position"} <= set(ordering["schema"]["items"]["enum"])
    for vocabulary in ("claim-kinds", "claim-stances"):
        page = document["paths"][f"/api/v1/{vocabulary}/"]["get"]["responses"]["200"]["content"]["application/json"]
        listed = schemas[page["schema"]["$ref"].rsplit("/", 1)[1]]
        assert set(listed["required"]) == {"count", "next", "previous", "results"}


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory):
    out = tmp_path_factory.mktemp("client")
    config = out / "config.yaml"
    config.write_text("post_hooks: []\n")
    package = out / "claims_api_client"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "openapi-python-client"),
            "generate",
            "--path",
            str(COMMITTED),
            "--meta",
            "none",
            "--output-path",
            str(package),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("claims_api_client")
    finally:
        sys.path.remove(str(out))


@pytest.mark.slow
@pytest.mark.django_db
def test_generated_client_answers_question_1_and_creates_a_claim(generated_client, live_api):
    from claims_api_client import AuthenticatedClient, Client
    from claims_api_client.api.claim_kinds import claim_kinds_list
    from claims_api_client.api.claims import claims_create, claims_destroy, claims_list
    from claims_api_client.api.sources import sources_retrieve
    from claims_api_client.models import ClaimCreateRequest

    kinds = importlib.import_module("claims_api_client.models.claims_list_kind_item").ClaimsListKindItem
    units = importlib.import_module("claims_api_client.models.claims_list_unit_item").ClaimsListUnitItem
    client = Client(base_url=live_api["base_url"])
    page = claims_list.sync(
        client=client,
        kind=[kinds.TROOP_DEPLOYMENT],
        unit=[units.SOLDIERS],
        country=["ua"],
        reported_from=datetime.date(2022, 1, 1),
        reported_to=datetime.date(2022, 1, 31),
    )
    reported = {(claim.source.slug, claim.quantity.text) for claim in page.results}
    assert reported == {
        ("kerres-2022-01-putin-kazakhstan-nato", "tens of thousands"),
        ("kempe-2022-01-biden-critical-week", "approximately 100,000"),
        ("commentary-2022-01-24-russian-build-up", "over 100,000"),
    }

    curator = AuthenticatedClient(base_url=live_api["base_url"], token=live_api["token"], prefix="Token")
    # Reads need no credentials: the anonymous Client, page after page.
    kinds_page = claim_kinds_list.sync(client=client)
    assert "troop_deployment" in {kind.id.value for kind in kinds_page.results} and kinds_page.next_ is None
    ordering = importlib.import_module("claims_api_client.models.claims_list_ordering_item").ClaimsListOrderingItem
    first = claims_list.sync(client=client, page_size=2, ordering=[ordering("-quantity"), ordering("id")])
    assert len(first.results) == 2 and first.next_
    source = sources_retrieve.sync(slug=first.results[0].source.slug, client=client)
    assert source.slug == first.results[0].source.slug
    with pytest.raises(TypeError):  # a create without a quote does not even build
        ClaimCreateRequest(source="s", kind=kinds.TROOP_DEPLOYMENT, status="ongoing", summary="No quote")

    body = ClaimCreateRequest.from_dict(
        {
            "source": "commentary-2022-01-24-russian-build-up",
            "kind": "military_exercise",
            "status": "planned",
            "summary": "Russia and Belarus will hold a military exercise on Ukraine's northern border.",
            "subject": "russia",
            "location": "BY",
            "quote": "Next month, Russia and Belarus will begin a military exercise on Ukraine’s northern border.",
        }
    )
    created = claims_create.sync_detailed(client=curator, body=body)
    assert created.status_code == 201, created.content
    claim = created.parsed
    try:
        assert claim.anchor.exact.startswith("Next month")
        assert claim.review_status.value == "draft"
        anonymous = claims_list.sync(client=client, search="northern border exercise")
        assert claim.id not in {c.id for c in anonymous.results}
    finally:
        assert claims_destroy.sync_detailed(id=claim.id, client=curator).status_code == 204

    refused = claims_create.sync_detailed(client=client, body=body)
    assert refused.status_code == 401
    assert refused.parsed.code == "not_authenticated"
