"""Comparisons in the curators' admin.

The claim page gains a panel: the claim's proposition, a chart of the reported figures, the
other documents' claims with the computed and curated verdicts, and one-click actions to
confirm or overrule a verdict with a curated relation, or to move the claim between
propositions. Propositions have pages of their own, with their members and history, and a
merge action. Every change goes through apps.comparisons.services.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from apps.claims.admin import ClaimAdmin, quantity_label
from apps.claims.models import Claim, RelationType
from apps.comparisons.charts import comparison_chart
from apps.comparisons.models import KEY_PARTS, KEY_RELATIONS, Membership, Proposition, proposition_label
from apps.comparisons.selectors import comparison_build
from apps.comparisons.services import (
    claim_move,
    claim_release,
    proposition_split,
    propositions_merge,
    verdict_curate,
)
from apps.comparisons.verdicts import CURATED_VERDICTS, Verdict
from apps.core.admin import HistoryAdmin

# The relation types a curator can set a verdict with, and the verdict each one means.
DECISIVE_TYPES = [(t, v) for t, v in CURATED_VERDICTS.items() if t in RelationType.values]


def _action_button(url: str, value: str, label: str) -> str:
    # The buttons submit the claim's own form (with its CSRF token) to the comparison action view.
    return format_html(
        '<button type="submit" class="button" name="comparison_action" value="{}" formaction="{}" '
        'formmethod="post" formnovalidate>{}</button>',
        value,
        url,
        label,
    )


def comparison_panel(request, claim: Claim) -> str:
    # The proposition's label names its parties, place and unit: read with it rather than one query each.
    parties = ("subject", "subject_country", "object", "object_country", "location")
    membership = (
        Membership.objects.filter(claim=claim)
        .select_related("proposition", *(f"proposition__{party}" for party in parties))
        .first()
    )
    if membership is None:
        return mark_safe("<p>This claim has not been grouped yet (manage.py recompute_comparisons).</p>")
    comparison = comparison_build(proposition=membership.proposition, user=request.user)
    action_url = reverse("admin:claims_claim_comparison", args=[claim.pk])
    proposition = membership.proposition
    rows = []
    for pair in comparison.pairs:
        if claim not in pair["claims"]:
            continue
        other = next(c for c in pair["claims"] if c.pk != claim.pk)
        curated = ", ".join(r["type"].replace("_", " ") for r in pair["relations"]) or "—"
        buttons = format_html_join(
            " ",
            "{}",
            (
                (
                    _action_button(
                        action_url,
                        f"relate:{other.pk}:{relation_type}",
                        ("Confirm as " if verdict == pair["verdict"] else "Overrule: ")
                        + relation_type.replace("_", " "),
                    ),
                )
                for relation_type, verdict in DECISIVE_TYPES
                if relation_type not in {r["type"] for r in pair["relations"]}
            ),
        )
        rows.append(
            format_html(
                '<tr class="pair" data-claim="{}"><td><a href="{}">{}</a><br><small>{} · reported {} · {}</small></td>'
                '<td class="computed">{}<br><small>{}</small></td><td class="curated">{}</td>'
                '<td class="decided"><strong>{}</strong> ({})</td><td>{}</td></tr>',
                other.pk,
                reverse("admin:claims_claim_change", args=[other.pk]),
                other.summary,
                other.source.title or other.source.slug,
                other.reported_on or "undated",
                quantity_label(other),
                Verdict(pair["verdict"]).label,
                pair["rule_description"],
                curated,
                Verdict(pair["decided_verdict"]).label,
                "curator" if pair["decided_by"] == "curator" else "rule",
                buttons,
            )
        )
    table = (
        format_html(
            '<table class="comparison-pairs"><caption>This claim against each claim of another document</caption>'
            "<thead><tr><th scope=col>Other claim</th><th scope=col>Computed verdict and rule</th>"
            "<th scope=col>Curated relations</th><th scope=col>Verdict that stands</th>"
            "<th scope=col>Decide</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "{}", ((row,) for row in rows)),
        )
        if rows
        else mark_safe("<p>No claim of another document shares this proposition.</p>")
    )
    summary = comparison.summary
    moves = format_html(
        '<p class="comparison-moves">{} {} <label for="comparison_move_to">Move to proposition #</label>'
        '<input type="number" min="1" name="comparison_move_to" id="comparison_move_to" style="width:6em"> {}</p>',
        _action_button(action_url, "split", "Take it out into a proposition of its own"),
        _action_button(action_url, "release", "Return it to the grouping rule") if membership.pinned else "",
        _action_button(action_url, "move", "Move"),
    )
    return format_html(
        '<div class="comparison-panel"><p>Proposition <a href="{}">#{} {}</a>{} — {} published claims '
        "from {} documents; overall: <strong>{}</strong>.</p>{}{}{}</div>",
        reverse("admin:comparisons_proposition_change", args=[proposition.pk]),
        proposition.pk,
        proposition_label(proposition),
        " (placed here by a curator)" if membership.pinned else "",
        proposition.claim_count,
        proposition.document_count,
        summary["agreement"].replace("_", " "),
        comparison_chart(comparison, claim_url=lambda c: reverse("admin:claims_claim_change", args=[c.pk])),
        table,
        moves,
    )


def _later_first(claim: Claim, other: Claim) -> tuple[Claim, Claim]:
    """A curated relation points from the later report to the earlier one (a forecast's outcome to the forecast)."""
    if other.reported_on and claim.reported_on and other.reported_on > claim.reported_on:
        return other, claim
    return claim, other


admin.site.unregister(Claim)


@admin.register(Claim)
class ComparedClaimAdmin(ClaimAdmin):
    change_form_template = "admin/comparisons/claim_change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, object_id)
        extra = {"comparison_panel": comparison_panel(request, claim)} if claim is not None else {}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def get_urls(self):
        view = self.admin_site.admin_view(self.comparison_action_view)
        return [path("<int:object_id>/comparison/", view, name="claims_claim_comparison"), *super().get_urls()]

    def comparison_action_view(self, request, object_id: int):
        claim = get_object_or_404(Claim.objects.select_related("source"), pk=object_id)
        if request.method != "POST" or not self.has_change_permission(request, claim):
            raise PermissionDenied
        action = request.POST.get("comparison_action", "")
        try:
            message = self._apply(request, claim, action)
        except ValidationError as error:
            messages.error(
                request, "; ".join(f"{field}: {' '.join(texts)}" for field, texts in error.message_dict.items())
            )
        else:
            messages.success(request, message)
        return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]) + "#comparison")

    def _apply(self, request, claim: Claim, action: str) -> str:
        if action.startswith("relate:"):
            _, other_id, relation_type = action.split(":")
            if relation_type not in dict(DECISIVE_TYPES):
                raise ValidationError({"type": f"{relation_type!r} does not decide a verdict."})
            other = get_object_or_404(Claim.objects.select_related("source"), pk=other_id)
            from_claim, to_claim = _later_first(claim, other)
            verdict_curate(
                from_claim=from_claim,
                to_claim=to_claim,
                type=relation_type,
                note="Set from the comparison panel.",
                created_by=request.user,
            )
            return f"Recorded: claim #{from_claim.pk} {relation_type.replace('_', ' ')} claim #{to_claim.pk}."
        if action == "split":
            proposition = proposition_split(claims=[claim], note="Taken out from the comparison panel.")
            return f"The claim now forms proposition #{proposition.pk} on its own."
        if action == "release":
            proposition = claim_release(claim=claim)
            return f"The grouping rule placed the claim in proposition #{proposition.pk}."
        if action == "move":
            raw = request.POST.get("comparison_move_to", "").strip()
            if not raw.isdigit() or not Proposition.objects.filter(pk=raw).exists():
                raise ValidationError(
                    {"proposition": f"No proposition #{raw or '?'}; give the number of an existing one."}
                )
            claim_move(
                claim=claim, proposition=Proposition.objects.get(pk=raw), note="Moved from the comparison panel."
            )
            return f"The claim is now in proposition #{raw}."
        raise ValidationError({"comparison_action": f"Unknown action {action!r}."})


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("claim", "source", "pinned", "note")
    readonly_fields = ("claim", "source", "pinned", "note")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # claims are moved from their own page, through the services

    @admin.display(description="source")
    def source(self, membership):
        return membership.claim.source

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim__source")


@admin.register(Proposition)
class PropositionAdmin(HistoryAdmin):
    list_display = ("id", "label", "claim_count", "document_count", "disputed")
    list_filter = ("disputed", "kind")
    search_fields = ("memberships__claim__summary",)
    readonly_fields = ("label", "kind", *KEY_PARTS, "claim_count", "document_count", "disputed")
    fields = readonly_fields
    inlines = (MembershipInline,)
    actions = ("merge",)
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*KEY_RELATIONS)

    def has_add_permission(self, request):
        return False  # propositions come from the grouping rule or a split

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("claims.change_claim")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("claims.view_claim")

    def has_module_permission(self, request):
        return request.user.has_perm("claims.view_claim")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="proposition")
    def label(self, proposition):
        return proposition_label(proposition)

    @admin.action(description="Merge the selected propositions into the first")
    def merge(self, request, queryset):
        propositions = list(queryset.order_by("id"))
        if len(propositions) < 2:
            self.message_user(request, "Select at least two propositions to merge.", messages.WARNING)
            return
        try:
            into = propositions_merge(into=propositions[0], merged=propositions[1:], note="Merged in the admin.")
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, f"Merged {len(propositions) - 1} propositions into #{into.pk}.")
