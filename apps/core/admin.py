"""Admin machinery shared by the curation admins: saves through the services, read-only history, "recent changes".

Every change to a claim, anchor, relation, source or actor is recorded by
django-simple-history with the user of the request (admin session or API token).
Curators read it here; nobody reverts through it, because a revert would bypass the
services that validate and anchor claims.
"""

from collections.abc import Iterable

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
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


class AutocompleteListFilter(admin.SimpleListFilter):
    """A changelist filter for a foreign key with too many values to list: a type-ahead box that asks
    the admin's own autocomplete view (the field's admin needs ``search_fields``), instead of a link
    for every row of the related table.

    Subclasses name the ``field_name`` (a foreign key of the changelist's model) and ``title``.
    """

    template = "admin/core/autocomplete_filter.html"
    field_name = ""

    def __init__(self, request, params, model, model_admin):
        self.parameter_name = f"{self.field_name}__pk__exact"
        super().__init__(request, params, model, model_admin)
        self.field = model._meta.get_field(self.field_name)
        self.admin_site = model_admin.admin_site

    def has_output(self):
        return True

    def lookups(self, request, model_admin):
        return ()

    def choices(self, changelist):
        # One "choice": the widget, and where to go when it changes or is cleared.
        widget = AutocompleteSelect(self.field, self.admin_site, attrs={"data-filter-parameter": self.parameter_name})
        widget.choices = ModelChoiceIterator(forms.ModelChoiceField(self.field.related_model.objects.all()))
        value = self.value()
        selected = self.field.related_model.objects.filter(pk=value).first() if value and value.isdigit() else None
        yield {
            "widget": widget.render(f"filter-{self.field_name}", selected.pk if selected else None),
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
            "selected": selected,
        }

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(**{f"{self.field_name}_id": int(value)})


def autocomplete_filter_media(field) -> forms.Media:
    """What a changelist with autocomplete filters needs: the admin's select2 setup and our small script."""
    return AutocompleteSelect(field, admin.site).media + forms.Media(js=["core/autocomplete_filter.js"])


class CappedCountPaginator(Paginator):
    """Counts matching rows only up to ``cap``: past it, an exact count of a million rows costs more
    than the number is worth to a curator, who narrows the list with a filter or a search instead.
    The changelist then says "more than 10,000"."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()
