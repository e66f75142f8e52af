"""Admin machinery shared by the curation admins: saves through the services, read-only history, "recent changes".

Every change to a claim, anchor, relation, source or actor is recorded by
django-simple-history with the user of the request (admin session or API token).
Curators read it here; nobody reverts through it, because a revert would bypass the
services that validate and anchor claims.
"""

import json
from collections.abc import Iterable

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms.models import ModelChoiceIterator
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


class VerbatimTextField(forms.CharField):
    """Text kept character for character (no stripping), except the CRLF line breaks a browser submits."""

    def __init__(self, **kwargs):
        kwargs.pop("strip", None)
        super().__init__(strip=False, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


class HttpsURLField(forms.URLField):
    """A URL typed without a scheme is taken as https://, as Django 6 will do by default."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


def history_changes(record) -> list[dict]:
    """The fields ``record`` changed compared with the same object's previous record: field, old, new."""
    if record.history_type != "~":
        return []
    previous = record.prev_record
    if previous is None:
        return []
    delta = record.diff_against(previous, foreign_keys_are_objs=True)
    return HistoricalRecordContextHelper(record.instance_type, record).context_for_delta_changes(delta)


def recent_changes_html(entries: Iterable[tuple[str, object]], *, full_history_url: str | None = None):
    """A table of (what, historical record) pairs, newest first: when, who, what, and each field before → after."""
    rows = []
    for label, record in entries:
        changes = history_changes(record)
        if changes:
            detail = format_html_join(
                "",
                "<li><strong>{}</strong>: <del>{}</del> → <ins>{}</ins></li>",
                ((change["field"], change["old"] or "—", change["new"] or "—") for change in changes),
            )
            detail = format_html("<ul>{}</ul>", detail)
        elif record.history_type == "~":
            detail = "no field changed"
        else:
            detail = ""
        rows.append(
            (
                record.history_date.strftime("%Y-%m-%d %H:%M"),
                record.history_user or "system (no user)",
                label,
                HISTORY_TYPES.get(record.history_type, record.history_type),
                detail,
            )
        )
    if not rows:
        return "No recorded changes yet."
    table = format_html(
        '<table class="recent-changes"><thead><tr><th>When (UTC)</th><th>Who</th><th>What</th><th></th>'
        "<th>Before → after</th></tr></thead><tbody>{}</tbody></table>",
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
    )
    if full_history_url:
        table = format_html('{}<p><a href="{}">Full history</a></p>', table, full_history_url)
    return table


class HistoryAdmin(SimpleHistoryAdmin):
    """A model admin whose objects' history (who, when, before → after) is visible but never reverted.

    Also lists deleted objects at ``deleted/``, so nothing disappears without a trace.
    """

    change_list_template = "admin/curation/change_list.html"
    recent_changes_limit = 8

    class Media:
        css = {"all": ["claims/curation.css"]}

    def history_view(self, request, object_id, extra_context=None):
        context = dict(extra_context or {})
        if not request.user.has_perm("auth.view_user"):
            # simple-history links each user to their account page; show the name instead of a 403 link.
            context["admin_user_view"] = "admin:no-user-page"
        return super().history_view(request, object_id, context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history would save a POSTed old version with the model form, around our services.
        if request.method == "POST":
            raise PermissionDenied("History is read-only.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])

    def recent_changes_entries(self, obj) -> list[tuple[str, object]]:
        """(what, record) pairs shown on the object's page; subclasses add related objects' history."""
        records = obj.history.select_related("history_user")[: self.recent_changes_limit]
        return [(self.model._meta.verbose_name.capitalize(), record) for record in records]

    @admin.display(description="Recent changes")
    def recent_changes(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        entries = sorted(self.recent_changes_entries(obj), key=lambda entry: entry[1].history_date, reverse=True)[
            : self.recent_changes_limit
        ]
        return recent_changes_html(entries, full_history_url=self.history_url(obj))

    # Deleted objects -----------------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=f"{opts.app_label}_{opts.model_name}_deleted",
            ),
            *super().get_urls(),
        ]

    def deleted_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        deletions = self.model.history.filter(history_type="-").select_related("history_user").order_by("-history_date")
        page = Paginator(deletions, 50).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Deleted {opts.verbose_name_plural}",
            "opts": opts,
            "page": page,
            "rows": [
                (record, reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[_pk_value(record)]))
                for record in page
            ],
        }
        return TemplateResponse(request, "admin/curation/deleted_list.html", context)


def adopt_saved(obj, saved) -> None:
    """Make the admin's form instance ``obj`` the row a service saved as ``saved``: the admin goes on with it
    (inlines, log entry, redirect) after ``save_model``."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceWritesAdmin(HistoryAdmin):
    """A model admin whose saves go through the app's services, so the admin's writes meet the same rules as
    the API's. Subclasses say how to create and how to update, given the model's editable fields as the
    form cleaned them."""

    def service_create(self, fields: dict):
        raise NotImplementedError

    def service_update(self, obj, fields: dict) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        editable = [
            field.name for field in self.model._meta.concrete_fields if field.editable and not field.primary_key
        ]
        fields = {name: form.cleaned_data[name] for name in editable if name in form.cleaned_data}
        if change:
            self.service_update(self.model.objects.get(pk=obj.pk), fields)
        else:
            adopt_saved(obj, self.service_create(fields))


def _pk_value(record):
    return getattr(record, record.instance_type._meta.pk.attname)


class TypeAheadListFilter(admin.SimpleListFilter):
    """A changelist filter with too many values to list: a type-ahead box (the admin's select2) in place
    of a link for every value, so the page does not grow with the table the values come from.

    Subclasses give ``title``, ``parameter_name``, the box (``widget``) and what a value means (``label``,
    ``queryset``).
    """

    template = "admin/core/autocomplete_filter.html"

    def has_output(self):
        return True

    def lookups(self, request, model_admin):
        return ()

    def label(self, value: str) -> str | None:
        """How the chosen value reads in the box; None when it matches nothing."""
        raise NotImplementedError

    def widget(self, value: str | None) -> str:
        raise NotImplementedError

    def choices(self, changelist):
        # One "choice": the box, and where to go when it changes or is cleared.
        value = self.value()
        selected = value if value and self.label(value) is not None else None
        yield {
            "widget": self.widget(selected),
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
            "selected": selected,
        }


class AutocompleteListFilter(TypeAheadListFilter):
    """A type-ahead filter on a related model that asks the admin's own autocomplete view (the related
    model's admin needs ``search_fields``).

    Subclasses name ``field_name``, a foreign key of the changelist's model whose autocomplete the box
    uses, and ``title``. The parameter is ``<field_name>__pk__exact`` unless ``parameter_name`` says
    otherwise (a subclass that filters differently also overrides ``queryset``).
    """

    field_name = ""

    def __init__(self, request, params, model, model_admin):
        self.parameter_name = self.parameter_name or f"{self.field_name}__pk__exact"
        self.field = model._meta.get_field(self.field_name)
        self.admin_site = model_admin.admin_site
        super().__init__(request, params, model, model_admin)

    def related_key(self):
        """The chosen value as the related model's primary key, or None when it cannot be one."""
        value = self.value()
        try:
            return self.field.related_model._meta.pk.to_python(value) if value else None
        except ValidationError:
            return None

    def label(self, value):
        key = self.related_key()
        found = self.field.related_model.objects.filter(pk=key).first() if key is not None else None
        return str(found) if found is not None else None

    def widget(self, value):
        box = AutocompleteSelect(self.field, self.admin_site, attrs={"data-filter-parameter": self.parameter_name})
        box.choices = ModelChoiceIterator(forms.ModelChoiceField(self.field.related_model.objects.all()))
        return box.render(f"filter-{self.field_name}", self.related_key() if value else None)

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        key = self.related_key()
        return queryset.none() if key is None else queryset.filter(**{self.field.attname: key})


def autocomplete_filter_media(field) -> forms.Media:
    """What a changelist with autocomplete filters needs: the admin's select2 setup and our small script."""
    return AutocompleteSelect(field, admin.site).media + forms.Media(js=["core/autocomplete_filter.js"])


class CappedCountPaginator(Paginator):
    """Counts matching rows exactly only up to ``cap``: past it, an exact count of a million rows costs more
    than the number is worth to a curator, so the paginator takes PostgreSQL's planner estimate instead, and
    the changelist says it is one ("about 1,000,000"). Every page stays reachable; the last pages of an
    overestimated list are empty."""

    cap = 10_000
    # From this many rows in, a page first finds its rows' keys, then reads those rows in full, so that
    # PostgreSQL joins the related rows a list shows (source, subject…) for the page only, not for every
    # row it skips on the way (page 500 of a million claims: 190 ms → 100 ms).
    deep_offset = 1_000

    @cached_property
    def count(self) -> int:
        # Without its ordering, the count needs neither the sort nor the joins the order by brings.
        rows = self.object_list.order_by()
        counted = rows[: self.cap + 1].count()
        if counted <= self.cap:
            return counted
        plan = json.loads(rows.explain(format="json"))
        return max(counted, int(plan[0]["Plan"]["Plan Rows"]))

    def page(self, number):
        page = super().page(number)
        if (page.number - 1) * self.per_page < self.deep_offset:
            return page
        keys = list(page.object_list.values_list("pk", flat=True))
        rows = self.object_list.in_bulk(keys)
        page.object_list = [rows[key] for key in keys if key in rows]
        return page

    @property
    def estimated(self) -> bool:
        return self.count > self.cap
