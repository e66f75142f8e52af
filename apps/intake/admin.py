"""The intake pages of the admin: bring a new document in, then work through its candidate claims."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from apps.actors.models import Actor
from apps.countries.models import Country
from apps.intake.forms import IntakeForm
from apps.intake.models import IncomingSource
from apps.intake.selectors import candidate_key, source_candidates
from apps.intake.services import (
    DocumentTooLarge,
    candidate_accept,
    candidate_claim_fields,
    candidate_dismiss,
    source_intake,
)
from apps.sources.models import Source


def _key(candidate) -> str:
    start, end, quantity_text = candidate_key(candidate)
    return f"{start}:{end}:{quantity_text}"


@admin.register(IncomingSource)
class IntakeAdmin(admin.ModelAdmin):
    """Sources' permissions govern these pages: whoever may add sources and claims may bring documents in."""

    list_display = ["slug", "title", "publisher", "published_on"]
    search_fields = ["slug", "title"]
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).defer("text", "metadata_notes")

    def has_module_permission(self, request):
        return request.user.has_perm("sources.add_source") and request.user.has_perm("claims.add_claim")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("<int:source_id>/candidates/", self.admin_site.admin_view(self.candidates_view),
                 name="intake_incomingsource_candidates"),
        ] + super().get_urls()  # fmt: skip

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:intake_incomingsource_candidates", source_id=object_id)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return self.admin_site.login(request) if not request.user.is_authenticated else redirect("admin:index")
        form = IntakeForm(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            raw, html = form.document()
            metadata = {name: form.cleaned_data[name] for name in IntakeForm.Meta.fields}
            try:
                source = source_intake(raw=raw, html=html, **metadata)
            except DocumentTooLarge as error:
                form.add_error("upload" if form.cleaned_data.get("upload") else "pasted", str(error))
                status = 413
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error("pasted" if field in ("text", "__all__") else field, errors)
                status = 400
            else:
                messages.success(request, f"{source.slug} is stored: here are its candidate claims.")
                return redirect("admin:intake_incomingsource_candidates", source_id=source.pk)
        elif request.method == "POST":
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": "Bring in a new document",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/intake/intake_form.html", context, status=status)

    def candidates_view(self, request, source_id: int):
        if not self.has_change_permission(request):
            return redirect("admin:index")
        source = get_object_or_404(Source, pk=source_id)
        proposed = source_candidates(source=source)
        by_key = {_key(candidate): candidate for candidate, _ in proposed}
        if request.method == "POST":
            candidate = by_key.get(request.POST.get("candidate", ""))
            if candidate is None:
                messages.error(request, "That candidate is no longer proposed (dismissed or changed).")
            elif request.POST.get("action") == "dismiss":
                candidate_dismiss(source=source, start=candidate.start, end=candidate.end,
                                  quantity_text=candidate.quantity.text if candidate.quantity else "",
                                  user=request.user)  # fmt: skip
                messages.success(request, "Dismissed; it will not be proposed again.")
            elif request.POST.get("action") == "accept":
                try:
                    claim = candidate_accept(source=source, candidate=candidate, by=request.user)
                except ValidationError as error:
                    reasons = "; ".join(f"{f}: {' '.join(m)}" for f, m in error.message_dict.items())
                    messages.error(request, f"Not accepted as it stands ({reasons}). Use “Edit” to complete it.")
                else:
                    url = reverse("admin:claims_claim_change", args=[claim.pk])
                    messages.success(request, f"Draft claim #{claim.pk} created: {url}")
            return redirect(request.path)
        # The suggested subjects and locations of the whole page, read once rather than per candidate.
        actors = Actor.objects.in_bulk({c.subject for c, _ in proposed if c.subject}, field_name="slug")
        countries = Country.objects.in_bulk({c.location for c, _ in proposed if c.location})
        rows = [
            {"candidate": candidate, "key": _key(candidate), "claims": claims,
             "edit_url": self._edit_url(source, candidate_claim_fields(candidate, actors=actors, countries=countries),
                                        candidate)}
            for candidate, claims in proposed
        ]  # fmt: skip
        context = {
            **self.admin_site.each_context(request),
            "title": f"Candidate claims of {source}",
            "source": source,
            "rows": rows,
            "open_count": sum(1 for row in rows if not row["claims"]),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/intake/candidates.html", context)

    @staticmethod
    def _edit_url(source, fields: dict, candidate) -> str:
        """The claim form, filled in with what the candidate suggests."""
        query = {"source": source.pk, "quote_start": candidate.start, "quote_end": candidate.end,
                 "review_status": "draft"}  # fmt: skip
        for name, value in fields.items():
            query[name] = getattr(value, "pk", value)
        return f"{reverse('admin:claims_claim_add')}?{urlencode(query)}"
