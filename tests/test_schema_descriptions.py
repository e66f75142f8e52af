"""Every field a client can send is described in the schema, so Swagger and generated clients explain it."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def document() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _own_description(prop: dict) -> str:
    """The property's own description, without the list of choices drf-spectacular appends to an enum's."""
    lines = prop.get("description", "").splitlines()
    choices = next((i for i, line in enumerate(lines) if line.startswith("* `")), len(lines))
    return "\n".join(lines[:choices]).strip()


def _undescribed(document: dict, schema: dict, path: str, seen: set[str]) -> list[str]:
    """Dotted paths of the properties of ``schema``, and of the objects nested in it, that lack a description."""
    components = document["components"]["schemas"]
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return []
        seen.add(name)
        return _undescribed(document, components[name], path, seen)
    missing = []
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            missing += _undescribed(document, part, path, seen)
    if "items" in schema:
        missing += _undescribed(document, schema["items"], path, seen)
    for name, prop in schema.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        if not _own_description(prop):
            missing.append(f"{path}.{name}")
        missing += _undescribed(document, prop, f"{path}.{name}", seen)
    return missing


def _request_bodies(document: dict):
    for route, operations in document["paths"].items():
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                yield f"{method.upper()} {route}", media["schema"]


def test_the_walk_finds_request_bodies_and_catches_a_field_without_description(document):
    operations = dict(_request_bodies(document))
    assert {"POST /api/v1/claims/", "PATCH /api/v1/claims/{id}/", "POST /api/v1/sources/"} <= set(operations)
    example = {
        "type": "object",
        "properties": {
            "said": {"type": "string", "description": "Said."},
            "bare": {"type": "string"},
            "choices_only": {"type": "string", "description": "* `a` - A\n* `b` - B"},
            "nested": {"type": "object", "description": "Said.", "properties": {"inner": {"type": "integer"}}},
        },
    }
    assert _undescribed(document, example, "Example", set()) == [
        "Example.bare",
        "Example.choices_only",
        "Example.nested.inner",
    ]


def test_every_write_field_has_a_description(document):
    missing = []
    for operation, schema in _request_bodies(document):
        missing += [f"{operation}: {field}" for field in _undescribed(document, schema, "body", set())]
    assert missing == []


def test_the_claims_source_field_says_it_takes_a_source_slug(document):
    request = document["components"]["schemas"]["ClaimCreateRequest"]
    assert "slug" in request["properties"]["source"]["description"]


def test_creating_a_claim_says_it_is_a_draft_until_a_reviewer_publishes_it(document):
    create = document["paths"]["/api/v1/claims/"]["post"]
    for text in (create["description"], create["responses"]["201"]["description"]):
        assert "draft" in text and "anonymous readers do not" in text
        assert '`{"review_status": "published"}`' in text and "reviewer other than the claim's last editor" in text


def test_a_401_documents_the_token_scheme(document):
    assert "scheme other than Token" in document["paths"]["/api/v1/claims/"]["get"]["responses"]["401"]["description"]
