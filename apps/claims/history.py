"""A claim's history for the API: who changed what, when, each field before → after.

Read from django-simple-history's records of the claim, its countries and its quote
anchor, in a fixed number of queries whatever the length of the history.
"""

from collections import defaultdict

from apps.claims.models import Claim, QuoteAnchor

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# Bookkeeping, not content: the timestamps change on every write, and `user` says who edited.
_UNREPORTED = {"id", "created_at", "updated_at", "last_edited_by"}
_ANCHOR_FIELDS = {"exact": "quote", "start": "quote_start", "end": "quote_end"}


def _tracked_fields(history_model) -> list[tuple[str, str]]:
    """(name, attribute) of the recorded fields of the claim, foreign keys as their ids."""
    return [
        (field.name, field.attname)
        for field in history_model._meta.fields
        if not field.name.startswith("history_") and field.name not in _UNREPORTED
    ]


def _entries(records, fields: list[tuple[str, str]], extra: dict | None = None) -> list[dict]:
    """One entry per record, oldest first, with the fields that differ from the previous record."""
    entries, previous = [], None
    for record in records:
        values = {name: getattr(record, attribute) for name, attribute in fields}
        if extra is not None:
            values.update(extra.get(record.history_id, {}))
        changes = [
            {"field": name, "before": previous.get(name) if previous else None, "after": value}
            for name, value in values.items()
            if previous is None or previous.get(name) != value
        ]
        if record.history_type == "-":
            changes = []
        entries.append(
            {
                "at": record.history_date,
                "user": record.history_user.username if record.history_user else None,
                "type": HISTORY_TYPES[record.history_type],
                "reason": record.history_change_reason or None,
                "changes": [change for change in changes if previous is not None or change["after"] not in (None, "")],
            }
        )
        previous = values
    return entries


def claim_history(claim_id: int) -> list[dict]:
    """Every recorded change of the claim and of its quote, newest first."""
    claim_model = Claim.history.model
    records = list(claim_model.objects.filter(id=claim_id).select_related("history_user").order_by("history_id"))
    countries = defaultdict(list)
    for history_id, code in (
        claim_model.countries.model.objects.filter(history_id__in=[r.history_id for r in records])
        .order_by("country_id")
        .values_list("history_id", "country_id")
    ):
        countries[history_id].append(code)
    extra = {record.history_id: {"countries": countries[record.history_id]} for record in records}
    entries = _entries(records, _tracked_fields(claim_model), extra)

    anchors = QuoteAnchor.history.filter(claim_id=claim_id).select_related("history_user").order_by("history_id")
    entries += _entries(anchors, [(name, attribute) for attribute, name in _ANCHOR_FIELDS.items()])
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries
