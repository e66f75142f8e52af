"""The claim form of the admin: the model's fields plus the quote, validated exactly as the services validate."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from apps.claims.kinds import KIND_RULES, ClaimKind
from apps.claims.models import Claim, ClaimRelation, QuoteAnchor
from apps.claims.quantities import QuantityQualifier
from apps.claims.validation import anchor_locate, client_field_name
from apps.core.admin import VerbatimTextField

# The model fields a curator edits; passed to claim_create / claim_update by name.
CLAIM_FIELDS = [field.name for field in Claim._meta.concrete_fields if field.editable and not field.primary_key]


def kind_rules_data() -> dict:
    """KIND_RULES as JSON-ready data for the form's script: description, required fields and statuses per kind."""
    return {
        kind.value: {
            "label": kind.label,
            "description": KIND_RULES[kind].description,
            "required": list(KIND_RULES[kind].required),
            "statuses": [status.value for status in KIND_RULES[kind].statuses],
        }
        for kind in ClaimKind
    }


def kind_rules_help() -> str:
    """Every kind's rules as a collapsible table: the help text of the kind field (and the fallback without script)."""
    rows = format_html_join(
        "",
        "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                kind.label,
                KIND_RULES[kind].description,
                ", ".join(KIND_RULES[kind].required) or "—",
                ", ".join(KIND_RULES[kind].statuses),
            )
            for kind in ClaimKind
        ),
    )
    return format_html(
        "Each kind needs some fields and allows some statuses; the form marks them once you choose a kind."
        '<details class="kind-rules"><summary>Rules of every kind</summary><table>'
        "<thead><tr><th>Kind</th><th>What it records</th><th>Needs</th><th>Statuses</th></tr></thead>"
        "<tbody>{}</tbody></table></details>",
        rows,
    )


class ClaimAdminForm(forms.ModelForm):
    quote = VerbatimTextField(
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField quote-field"}),
        help_text="The passage of the source's stored text, character for character. Starting from a selection "
        "in the source's page fills it in.",
    )
    quote_start = forms.IntegerField(
        label="Quote offset",
        min_value=0,
        required=False,
        help_text="Character offset of the passage in the stored text. Leave it empty to have the passage found; "
        "it must then occur only once in the text.",
    )

    class Meta:
        model = Claim
        fields = "__all__"
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "notes": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        anchor = self._current_anchor()
        if anchor is not None:
            self.initial.setdefault("quote", anchor.exact)
            self.initial.setdefault("quote_start", anchor.start)
        if "kind" in self.fields:
            self.fields["kind"].help_text = kind_rules_help()
            self.fields["kind"].widget.attrs["data-kind-rules"] = json.dumps(kind_rules_data())
        # (quote, start) for the service: None when the anchor stays as it is.
        self.anchor_arguments: tuple[str | None, int | None] = (None, None)

    def _current_anchor(self) -> QuoteAnchor | None:
        if self.instance.pk is None:
            return None
        try:
            return self.instance.anchor
        except QuoteAnchor.DoesNotExist:
            return None

    def clean(self):
        cleaned = super().clean()
        self._rederive_bounds(cleaned)
        self._locate_quote(cleaned)
        return cleaned

    def _rederive_bounds(self, cleaned: dict) -> None:
        """A new figure or qualifier with untouched bounds gets new bounds, as the API derives them."""
        if self.instance.pk is None or cleaned.get("quantity_qualifier") == QuantityQualifier.RANGE:
            return
        changed = set(self.changed_data)
        if {"quantity_value", "quantity_qualifier"} & changed and not {"quantity_lower", "quantity_upper"} & changed:
            cleaned["quantity_lower"] = cleaned["quantity_upper"] = None

    def _locate_quote(self, cleaned: dict) -> None:
        source, quote = cleaned.get("source"), cleaned.get("quote")
        if source is None or not quote:
            return  # the missing field already has its error
        start = cleaned.get("quote_start")
        if self.instance.pk is not None and self._current_anchor() is not None:
            changed = set(self.changed_data)
            if not {"quote", "quote_start", "source"} & changed:
                return
            if "quote_start" not in changed:
                start = None  # a new passage or text: find it rather than trust the old offset
        try:
            begin, _ = anchor_locate(source.text, quote, start)
        except ValidationError as error:
            raise ValidationError(
                {client_field_name(name): messages for name, messages in error.message_dict.items()}
            ) from None
        self.anchor_arguments = (quote, begin)

    def service_arguments(self) -> dict:
        """The keyword arguments for claim_create / claim_update."""
        data = self.cleaned_data
        arguments = {name: data[name] for name in CLAIM_FIELDS if name in data}
        quote, start = self.anchor_arguments
        if quote is not None:
            arguments.update(quote=quote, quote_start=start)
        if "countries" in data:
            arguments["countries"] = list(data["countries"])
        return arguments


class RelationInlineForm(forms.ModelForm):
    class Meta:
        model = ClaimRelation
        fields = "__all__"
        widgets = {"note": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def clean(self):
        cleaned = super().clean()
        # Django leaves out the constraints that involve the inline's foreign key to the page's
        # claim; the pair must still be new in either direction, as the service will insist.
        relation = ClaimRelation(
            pk=self.instance.pk,
            from_claim_id=self.instance.from_claim_id,
            to_claim_id=self.instance.to_claim_id,
            type=self.instance.type,
        )
        for name in ("from_claim", "to_claim", "type"):
            if cleaned.get(name) is not None:
                setattr(relation, name, cleaned[name])
        if relation.from_claim_id and relation.to_claim_id:
            try:
                relation.validate_constraints()
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned
