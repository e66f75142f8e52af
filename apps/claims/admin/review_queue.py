"""The reviewers' queue: every claim awaiting a decision, oldest first, decided one by one or many at once.

Decisions go through ``claim_review_status_set``, so four-eyes review applies here as everywhere
(nobody decides on a claim they last edited, unless a superuser gives a reason), and each decision
is a row of the claim's history; the decision's reason is that row's change reason.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from apps.claims.kinds import ClaimKind
from apps.claims.models import Claim, ReviewStatus
from apps.claims.review import REASON_MAX_LENGTH, may_review
from apps.claims.services import claim_review_status_set
from apps.core.validation import validation_text

AWAITING = (ReviewStatus.DRAFT, ReviewStatus.REVIEWED)
DECISIONS = {
    "approve": ReviewStatus.PUBLISHED,
    "review": ReviewStatus.REVIEWED,
    "reject": ReviewStatus.REJECTED,
    "send_back": ReviewStatus.DRAFT,
}


class QueueFilterForm(forms.Form):
    source = forms.CharField(required=False, help_text="A source's slug.")
    kind = forms.ChoiceField(required=False, choices=[("", "any kind"), *ClaimKind.choices])
    curator = forms.CharField(required=False, help_text="The username of the claim's last editor.")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(name, name) for name in DECISIONS])
    claims = forms.TypedMultipleChoiceField(coerce=int, choices=())
    reason = forms.CharField(required=False, max_length=REASON_MAX_LENGTH)

    def __init__(self, *args, claim_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claims"].choices = [(claim_id, claim_id) for claim_id in claim_ids]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say why the claims are rejected: the reason goes into their history.")
        return cleaned


def awaiting_review(filters: dict):
    queryset = (
        Claim.objects.filter(review_status__in=AWAITING)
        .select_related("source", "anchor", "last_edited_by")
        .defer("source__text", "source__metadata_notes", "search_vector")
        .order_by("created_at", "id")
    )
    if filters.get("source"):
        queryset = queryset.filter(source__slug=filters["source"])
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("curator"):
        queryset = queryset.filter(last_edited_by__username=filters["curator"])
    return queryset


def _decide(request, form) -> None:
    status = DECISIONS[form.cleaned_data["decision"]]
    reason = form.cleaned_data["reason"].strip()
    done, refused = [], []
    for claim in Claim.objects.filter(pk__in=form.cleaned_data["claims"], review_status__in=AWAITING):
        try:
            claim_review_status_set(claim=claim, review_status=status, by=request.user, reason=reason)
        except (PermissionDenied, ValidationError) as error:
            refused.append(f"#{claim.pk}: {validation_text(error) if isinstance(error, ValidationError) else error}")
        else:
            done.append(f"#{claim.pk}")
    if done:
        messages.success(request, f"{len(done)} claim(s) now {status.label.lower()}: {', '.join(done)}.")
    for problem in refused:
        messages.error(request, problem)


def review_queue_view(model_admin, request):
    if not may_review(request.user):
        raise PermissionDenied
    filters = QueueFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    queryset = awaiting_review(chosen)
    page = Paginator(queryset, 50).get_page(request.GET.get("p"))
    if request.method == "POST":
        form = DecisionForm(request.POST, claim_ids=list(queryset.values_list("pk", flat=True)))
        if form.is_valid():
            _decide(request, form)
        else:
            for field, errors in form.errors.items():
                messages.error(request, f"{field}: {' '.join(errors)}")
        return redirect(request.get_full_path())
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Review queue",
        "opts": model_admin.model._meta,
        "filters": filters,
        "page": page,
        "awaiting_count": page.paginator.count,
        "reason_length": REASON_MAX_LENGTH,
    }
    return TemplateResponse(request, "admin/claims/review_queue.html", context)
