"""Sparse fieldsets: ``?fields=id,kind,summary`` answers with only those fields of each object.

The serializer stays the one definition of the representation; a request only picks
which of its fields to render, so a sparse object is the full one with fields left out.
"""

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from apps.core.words import with_article

PARAMETER = "fields"


def _field_names(serializer_class) -> list[str]:
    return list(serializer_class.Meta.fields)


def requested_fields(request, serializer_class) -> frozenset[str] | None:
    """The field names the request asks for (comma-separated or repeated), or None for all of them."""
    values = request.query_params.getlist(PARAMETER)
    if not values:
        return None
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    available = _field_names(serializer_class)
    unknown = [name for name in names if name not in available]
    if unknown or not names:
        raise ValidationError(
            {PARAMETER: [f"Unknown field {', '.join(unknown) or '(none given)'}; choose from {', '.join(available)}."]}
        )
    return frozenset(names)


class SparseFieldsMixin:
    """For serializers: render only the fields named in the context's ``fields``, in their usual order."""

    def get_fields(self):
        fields = super().get_fields()
        wanted = self.context.get(PARAMETER)
        if wanted is None:
            return fields
        return {name: field for name, field in fields.items() if name in wanted}


def fields_parameter(serializer_class) -> OpenApiParameter:
    """The ``fields`` query parameter, for the schema of the operations that honour it."""
    return OpenApiParameter(
        PARAMETER,
        {"type": "array", "items": {"type": "string", "enum": _field_names(serializer_class)}},
        OpenApiParameter.QUERY,
        style="form",
        explode=False,
        description="Only these fields of each object, comma-separated (all of them when absent). "
        "An unknown name is a 400.",
    )


def sparse_fields_postprocessing_hook(result, generator, request, public):
    """drf-spectacular hook: an operation with ``fields`` answers the full object or some of its fields.

    For each object component those operations return, a ``<Name>Fields`` twin with no required
    properties is added, and the response says ``anyOf`` the two (a full object matches both).
    """
    schemas = result.get("components", {}).get("schemas", {})

    def either(reference: dict) -> dict:
        name = reference["$ref"].rsplit("/", 1)[1]
        twin = f"{name}Fields"
        if twin not in schemas:
            schemas[twin] = {
                **{key: value for key, value in schemas[name].items() if key != "required"},
                "description": f"Some fields of {with_article(name)}, as chosen with the fields parameter.",
            }
        return {"anyOf": [reference, {"$ref": f"#/components/schemas/{twin}"}]}

    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not any(parameter.get("name") == PARAMETER for parameter in operation.get("parameters", [])):
                continue
            content = operation["responses"]["200"]["content"]["application/json"]
            schema = content["schema"]
            if "$ref" in schema and not schema["$ref"].rsplit("/", 1)[1].startswith("Paginated"):
                content["schema"] = either(schema)
                continue
            page = schemas[schema["$ref"].rsplit("/", 1)[1]]
            items = page["properties"]["results"]["items"]
            if "$ref" in items:
                page["properties"]["results"]["items"] = either(items)
    return result
