"""The OpenAPI document: generated without warnings, committed, and good enough to generate a working client."""

import datetime
import importlib
import json
import subprocess
import sys
import urllib.request
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


def make_client(directory: Path) -> subprocess.CompletedProcess:
    # -o: the environment running these tests is installed already; make must not reinstall it midway.
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "client", f"CLIENT_DIR={directory}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def client_dir(tmp_path_factory):
    """`make client` into a temporary CLIENT_DIR, twice: a repeated run replaces the package."""
    out = tmp_path_factory.mktemp("client")
    for run in ("first", "repeated"):
        result = make_client(out)
        assert result.returncode == 0, f"{run} run: {result.stdout}{result.stderr}"
        assert "Warning" not in result.stdout + result.stderr, f"{run} run: {result.stdout}{result.stderr}"
    return out


@pytest.fixture(scope="module")
def generated_client(client_dir):
    sys.path.insert(0, str(client_dir))
    try:
        yield importlib.import_module("claims_api_client")
    finally:
        sys.path.remove(str(client_dir))


def test_generated_client_goes_where_git_does_not_look():
    ignored = subprocess.run(["git", "check-ignore", "--quiet", "clients/python/claims_api_client/client.py"], cwd=ROOT)
    assert ignored.returncode == 0, "clients/python/ must be ignored by git"


@pytest.mark.slow
@pytest.mark.django_db
def test_generated_client_answers_question_1_and_creates_a_claim(generated_client, live_api):
    from claims_api_client import AuthenticatedClient, Client
    from claims_api_client.api.claim_kinds import claim_kinds_list
    from claims_api_client.api.claims import claims_create, claims_destroy, claims_list
    from claims_api_client.api.sources import sources_retrieve
    from claims_api_client.models import ClaimCreateRequest

    client = Client(base_url=live_api["base_url"])
    page = claims_list.sync(
        client=client,
        kind=["troop_deployment"],  # the strings a person types: enumerations are Literal types
        unit=["soldiers"],
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
    assert "troop_deployment" in {kind.id for kind in kinds_page.results} and kinds_page.next_ is None
    first = claims_list.sync(client=client, page_size=2, ordering=["-quantity", "id"])
    assert len(first.results) == 2 and first.next_
    source = sources_retrieve.sync(slug=first.results[0].source.slug, client=client)
    assert source.slug == first.results[0].source.slug
    with pytest.raises(TypeError):  # a create without a quote does not even build
        ClaimCreateRequest(source="s", kind="troop_deployment", status="ongoing", summary="No quote")

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
        assert claim.review_status == "draft"
        anonymous = claims_list.sync(client=client, search="northern border exercise")
        assert claim.id not in {c.id for c in anonymous.results}
    finally:
        assert claims_destroy.sync_detailed(id=claim.id, client=curator).status_code == 204

    refused = claims_create.sync_detailed(client=client, body=body)
    assert refused.status_code == 401
    assert refused.parsed.code == "not_authenticated"


@pytest.mark.slow
@pytest.mark.django_db
def test_readme_client_example_lists_every_claim_about_kazakhstan(client_dir, live_api):
    """The README's client example, as written, against a live server and the client `make client` made."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Generating a client") :]
    example = section[section.index("```sh\n") + len("```sh\n") : section.index("```\n", section.index("```sh\n") + 6)]
    assert example.startswith("make client\n") and "http://127.0.0.1:8000" in example
    example = example.removeprefix("make client\n")  # made by the fixture, into a temporary directory
    example = example.replace("PYTHONPATH=clients/python", f"PYTHONPATH={client_dir}")
    example = example.replace("http://127.0.0.1:8000", live_api["base_url"])
    result = subprocess.run(["bash", "-e", "-c", example], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr

    every = _published_claims(live_api["base_url"], "country=KZ")
    interventions = _published_claims(live_api["base_url"], "country=KZ&kind=intervention")
    assert len(every) > 10, "more than one page of ten, so the example follows next links"
    lines = result.stdout.splitlines()
    assert lines[3:] == [f"{len(every)} claims about Kazakhstan", f"{len(interventions)} of them interventions"]
    assert lines[:3] == [f"{claim['reported_on']} {claim['kind']} {claim['summary']}" for claim in every[:3]]


def _published_claims(base_url: str, query: str) -> list[dict]:
    """Every claim an anonymous reader gets for ``query``, in one page."""
    with urllib.request.urlopen(f"{base_url}/api/v1/claims/?{query}&page_size=500", timeout=30) as response:
        page = json.loads(response.read())
    assert page["next"] is None
    return page["results"]
