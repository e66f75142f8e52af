"""The curators' admin for claims and their relations.

Every write goes through apps.claims.services, so a claim saved here is validated,
anchored and indexed exactly as one sent to the API or loaded from the fixtures.
"""

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q
from django.forms import Media
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from apps.claims.admin.filters import CountryFilter, PublisherFilter, ReportedFilter, SourceFilter, SubjectFilter
from apps.claims.admin.forms import ClaimAdminForm, RelationInlineForm
from apps.claims.admin.review_queue import review_queue_view
from apps.claims.admin.source_reader import source_reader
from apps.claims.models import Claim, ClaimRelation, QuoteAnchor, ReviewStatus
from apps.claims.review import ReviewRefused, may_review
from apps.claims.selectors import claims_matching
from apps.claims.services import (
    claim_create,
    claim_delete,
    claim_relation_create,
    claim_relation_update,
    claim_review_status_set,
    claim_update,
)
from apps.core.admin import CappedCountPaginator, HistoryAdmin, adopt_saved, autocomplete_filter_media
from apps.core.validation import validation_text
from apps.sources.admin import SourceAdmin
from apps.sources.models import Source

admin.site.site_header = "claims_api curation"
admin.site.site_title = "claims_api curation"
admin.site.index_title = "Curation"
# The changelists and the source reader need the width more than a second menu.
admin.site.enable_nav_sidebar = False


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def quantity_label(claim: Claim) -> str:
    """'≥ 100,000 soldiers (“over 100,000”), growing': the bounds, the unit, the wording and the trend."""
    if not claim.has_quantity:
        return "—"
    lower, upper = claim.quantity_lower, claim.quantity_upper
    if lower is not None and upper is not None:
        bounds = _number(lower) if lower == upper else f"{_number(lower)}–{_number(upper)}"
    elif lower is not None:
        bounds = f"≥ {_number(lower)}"
    elif upper is not None:
        bounds = f"≤ {_number(upper)}"
    else:
        bounds = _number(claim.quantity_value)
    unit = claim.get_quantity_unit_display().lower() if claim.quantity_unit else ""
    wording = f" (“{claim.quantity_text}”)" if claim.quantity_text else ""
    trend = f", {claim.get_trend_display().lower()}" if claim.trend else ""
    return f"{bounds} {unit}".strip() + wording + trend


def _field_label(name: str) -> str:
    try:
        return str(Claim._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name.replace("_", " ")


class RelationInline(admin.TabularInline):
    model = ClaimRelation
    form = RelationInlineForm
    extra = 0
    readonly_fields = ("created_by", "created_at")
    classes = ("relations",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


class RelationsFromInline(RelationInline):
    fk_name = "from_claim"
    fields = ("type", "to_claim", "note", "created_by", "created_at")
    autocomplete_fields = ("to_claim",)
    verbose_name = "relation to another claim"
    verbose_name_plural = "Relations from this claim (this claim corroborates, contradicts, supersedes … another)"


class RelationsToInline(RelationInline):
    fk_name = "to_claim"
    fields = ("from_claim", "type", "note", "created_by", "created_at")
    autocomplete_fields = ("from_claim",)
    verbose_name = "relation from another claim"
    verbose_name_plural = "Relations to this claim (another claim corroborates, contradicts, supersedes … this one)"


@admin.register(Claim)
class ClaimAdmin(HistoryAdmin):
    form = ClaimAdminForm
    list_display = ("summary_short", "kind_label", "subject", "source_label", "quantity", "review_badge")
    list_display_links = ("summary_short",)
    list_filter = (
        "kind",
        "review_status",
        ReportedFilter,
        CountryFilter,
        SourceFilter,
        SubjectFilter,
        PublisherFilter,
        "confidence",
        "status",
        "stance",
        "trend",
    )
    # Searched with the API's full-text search (get_search_results), not with icontains.
    search_fields = ("summary",)
    search_help_text = (
        "Words of the summary, the quote or the source title, as the API's search: English stemming, "
        '"quoted phrases", or, -excluded.'
    )
    # Counting a million rows exactly on every page costs more than the number is worth.
    show_full_result_count = False
    # Counts per filter choice would each scan the table.
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    # Newest source first, then each source's claims in reading order.
    ordering = (F("reported_on").desc(nulls_last=True), "source_id", "anchor__start", "id")
    autocomplete_fields = ("source", "subject", "object", "claimant", "location", "countries")
    inlines = (RelationsFromInline, RelationsToInline)
    actions = ("mark_reviewed", "mark_published", "mark_rejected", "mark_draft")
    readonly_fields = ("passage_in_context", "reported_on", "created_at", "updated_at", "recent_changes")
    save_on_top = True
    list_per_page = 50

    @property
    def media(self):
        # A media property replaces the class Media, so the claim form's script is named here.
        claim_form = Media(js=["claims/claim_form.js"])
        return super().media + claim_form + autocomplete_filter_media(Claim._meta.get_field("source"))

    def get_search_results(self, request, queryset, search_term):
        return claims_matching(queryset, search_term), False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_review_permission(self, request) -> bool:
        return may_review(request.user)

    def get_urls(self):
        queue = path(
            "review-queue/",
            self.admin_site.admin_view(partial(review_queue_view, self)),
            name="claims_claim_review_queue",
        )
        return [queue, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        if may_review(request.user):
            extra_context = {**(extra_context or {}), "review_queue_url": reverse("admin:claims_claim_review_queue")}
        return super().changelist_view(request, extra_context)

    def get_fieldsets(self, request, obj=None):
        passage = ["source", "quote", "quote_start"] + (["passage_in_context"] if obj else [])
        fieldsets = [
            ("Passage", {"fields": passage}),
            ("What is claimed", {"fields": ["kind", "status", "stance", "summary"]}),
            ("Who and where", {"fields": ["subject", "object", "claimant", "location", "countries"]}),
            (
                "Quantity",
                {
                    "fields": [
                        ("quantity_value", "quantity_qualifier", "quantity_unit"),
                        ("quantity_lower", "quantity_upper"),
                        "quantity_text",
                        "trend",
                    ],
                    "classes": ["quantity"],
                    "description": "Give the figure and its qualifier; the bounds follow from them unless you set them "
                    "(vague words such as “tens of thousands” in the wording get a range). Set the trend when the "
                    "source says the state is growing or shrinking (“over 100,000 and growing”).",
                },
            ),
            (
                "Valid time",
                {
                    "fields": [("valid_from", "valid_from_precision"), ("valid_to", "valid_to_precision")],
                    "description": "When the claimed situation holds or the event happens, not when it was reported.",
                },
            ),
            ("Curation", {"fields": ["review_status", "confidence", "notes", "key"]}),
        ]
        if request.user.is_superuser:
            fieldsets[-1][1]["fields"].insert(1, "override_reason")
        if obj is not None:
            fieldsets.append(("Record", {"fields": ["reported_on", ("created_at", "updated_at"), "recent_changes"]}))
        return fieldsets

    def get_queryset(self, request):
        # Every column's related row in the one query (the changelist skips list_select_related when
        # the queryset already joins); the source's text is large and never shown in a list of claims.
        return (
            super()
            .get_queryset(request)
            .select_related("source", "subject", "anchor")
            .defer("source__text", "source__metadata_notes", "search_vector")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "source":
            # The box shows the source's title; its text (megabytes for a long report) is read only
            # when a quote is placed in it.
            kwargs.setdefault("queryset", Source.objects.defer("text"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        """GET ?source=…&quote_start=…&quote_end=… (the source page's selection) prefills the passage from the text."""
        initial = super().get_changeform_initial_data(request)
        start, end = initial.pop("quote_start", None), initial.pop("quote_end", None)
        source_id = initial.get("source")
        if not (source_id and str(start).isdigit() and str(end).isdigit()):
            return initial
        source = Source.objects.filter(pk=source_id).only("text").first() if str(source_id).isdigit() else None
        start, end = int(start), int(end)
        if source is not None and 0 <= start < end <= len(source.text):
            initial["quote"] = source.text[start:end]
            initial["quote_start"] = start
        return initial

    # Columns -------------------------------------------------------------------------------

    @admin.display(description="summary", ordering="summary")
    def summary_short(self, claim):
        return Truncator(claim.summary).chars(140)

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, claim):
        return claim.get_kind_display()

    @admin.display(description="source", ordering="source__published_on")
    def source_label(self, claim):
        date = f"{claim.source.published_on:%Y-%m-%d}" if claim.source.published_on else "undated"
        return format_html("{}<br><small>{}</small>", Truncator(str(claim.source)).chars(50), date)

    @admin.display(description="quantity", ordering="quantity_lower")
    def quantity(self, claim):
        return quantity_label(claim)

    @admin.display(description="review", ordering="review_status")
    def review_badge(self, claim):
        return format_html(
            '<span class="review-badge review-{}">{}</span>', claim.review_status, claim.get_review_status_display()
        )

    @admin.display(description="Passage in its source")
    def passage_in_context(self, claim):
        try:
            anchor = claim.anchor
        except QuoteAnchor.DoesNotExist:
            return "No quote yet: this claim cannot be published until it has one."
        url = reverse("admin:sources_source_change", args=[claim.source_id]) + f"#claim-{claim.pk}"
        return format_html(
            '<blockquote class="passage">…{}<mark>{}</mark>{}…</blockquote>'
            '<a href="{}">Show in the source</a> · characters {}–{}',
            anchor.prefix,
            anchor.exact,
            anchor.suffix,
            url,
            anchor.start,
            anchor.end,
        )

    def recent_changes_entries(self, claim):
        limit = self.recent_changes_limit
        entries = super().recent_changes_entries(claim)
        anchors = QuoteAnchor.history.filter(claim_id=claim.pk).select_related("history_user")[:limit]
        entries += [("Quote", record) for record in anchors]
        relations = ClaimRelation.history.filter(Q(from_claim_id=claim.pk) | Q(to_claim_id=claim.pk))
        entries += [(f"Relation #{record.id}", record) for record in relations.select_related("history_user")[:limit]]
        return entries

    # Writes go through the services --------------------------------------------------------

    def save_model(self, request, obj, form, change):
        arguments = {
            **form.service_arguments(),
            "by": request.user,
            "override_reason": form.cleaned_data.get("override_reason", ""),
        }
        if change:
            claim_update(claim=Claim.objects.select_related("anchor").get(pk=obj.pk), **arguments)
            return
        adopt_saved(obj, claim_create(**arguments))

    def save_related(self, request, form, formsets, change):
        # The service has set the countries and refreshed the derived data; only the relations are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        relations = formset.save(commit=False)
        for relation in formset.deleted_objects:
            relation.delete()
        for relation in relations:
            if relation.pk is None:
                claim_relation_create(
                    from_claim=relation.from_claim,
                    to_claim=relation.to_claim,
                    type=relation.type,
                    note=relation.note,
                    created_by=request.user,
                )
            else:
                claim_relation_update(relation=relation)

    def delete_model(self, request, obj):
        claim_delete(claim=obj)

    def delete_queryset(self, request, queryset):
        for claim in queryset:
            claim_delete(claim=claim)

    # Review --------------------------------------------------------------------------------

    def _move(self, request, queryset, review_status: str) -> None:
        label = ReviewStatus(review_status).label.lower()
        moved, unchanged, refused = 0, 0, []
        for claim in queryset.order_by("id"):
            if claim.review_status == review_status:
                unchanged += 1
                continue
            try:
                claim_review_status_set(claim=claim, review_status=review_status, by=request.user)
                moved += 1
            except ValidationError as error:
                refused.append((claim, validation_text(error, field_name=_field_label)))
            except ReviewRefused as refusal:
                # An action takes no reason: the review queue is where a superuser gives one.
                hint = " The review queue takes a reason." if request.user.is_superuser else ""
                refused.append((claim, f"{refusal}{hint}"))
        if moved:
            self.message_user(request, f"{moved} claim{'s' if moved != 1 else ''} now {label}.", messages.SUCCESS)
        if unchanged:
            self.message_user(request, f"{unchanged} already {label}.", messages.INFO)
        if refused:
            items = format_html_join(
                "",
                '<li><a href="{}">#{} {}</a>: {}</li>',
                (
                    (
                        reverse("admin:claims_claim_change", args=[claim.pk]),
                        claim.pk,
                        Truncator(claim.summary).chars(80),
                        reason,
                    )
                    for claim, reason in refused
                ),
            )
            self.message_user(
                request,
                format_html(
                    "{} claim{} could not be {} and kept their status:<ul>{}</ul>",
                    len(refused),
                    "s" if len(refused) != 1 else "",
                    label,
                    items,
                ),
                messages.ERROR,
            )

    @admin.action(description="Mark selected claims as reviewed", permissions=["review"])
    def mark_reviewed(self, request, queryset):
        self._move(request, queryset, ReviewStatus.REVIEWED)

    @admin.action(description="Publish selected claims", permissions=["review"])
    def mark_published(self, request, queryset):
        self._move(request, queryset, ReviewStatus.PUBLISHED)

    @admin.action(description="Reject selected claims", permissions=["review"])
    def mark_rejected(self, request, queryset):
        self._move(request, queryset, ReviewStatus.REJECTED)

    @admin.action(description="Return selected claims to draft", permissions=["change"])
    def mark_draft(self, request, queryset):
        self._move(request, queryset, ReviewStatus.DRAFT)


@admin.register(ClaimRelation)
class ClaimRelationAdmin(HistoryAdmin):
    list_display = ("id", "from_claim", "type", "to_claim", "note", "created_by", "created_at")
    list_display_links = ("id",)
    list_select_related = ("from_claim", "to_claim", "created_by")
    list_filter = ("type",)
    # Searched with the claims' full-text search (get_search_results), and the note.
    search_fields = ("note",)
    search_help_text = "Words of either claim (as the claims list's search) or of the note."
    show_facets = admin.ShowFacets.NEVER
    autocomplete_fields = ("from_claim", "to_claim")
    fields = ("from_claim", "type", "to_claim", "note", "created_by", "created_at", "updated_at", "recent_changes")
    readonly_fields = ("created_by", "created_at", "updated_at", "recent_changes")

    def get_search_results(self, request, queryset, search_term):
        """Relations whose either claim the claims' full-text index finds, rather than a substring scan of
        the summaries of every related claim; the note is matched as typed."""
        term = search_term.strip()
        if not term:
            return queryset, False
        claims = claims_matching(Claim.objects.all(), term).values("pk")
        found = queryset.filter(Q(from_claim__in=claims) | Q(to_claim__in=claims) | Q(note__icontains=term))
        return found, False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("from_claim", "to_claim", "created_by")
            .defer(
                "from_claim__search_vector",
                "to_claim__search_vector",
            )
        )

    def save_model(self, request, obj, form, change):
        if change:
            claim_relation_update(relation=obj)
            return
        relation = claim_relation_create(
            from_claim=obj.from_claim, to_claim=obj.to_claim, type=obj.type, note=obj.note, created_by=request.user
        )
        adopt_saved(obj, relation)


# The source page shows the claims app's reader: the text with every quoted passage marked.
admin.site.unregister(Source)


@admin.register(Source)
class SourceWithReaderAdmin(SourceAdmin):
    def change_view(self, request, object_id, form_url="", extra_context=None):
        source = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if source is not None:
            context["reader"] = source_reader(source, can_add_claims=request.user.has_perm("claims.add_claim"))
        return super().change_view(request, object_id, form_url, context)
