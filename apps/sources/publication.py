"""When a source was published, for "as of" questions: what had been reported by a given day?

A source dated to the day is published on that day. One dated only to a month or a year
was published on some day of that period, and which day is unknown, so an "as of" question
needs a rule, and every answer says which one it used:

- ``period_end`` (the default): the source counts from the last day of its period. It
  answers "what had certainly been published by then?": a document of "January 2022" is
  not counted as of 10 January 2022.
- ``period_start``: the source counts from the first day of its period. It answers "what
  may have been published by then?": the same document is counted as of 1 January 2022.

A source without a publication date is never counted.
"""

import datetime

from django import forms
from django.db import models
from django.db.models import F, Func


class AsOfRule(models.TextChoices):
    PERIOD_END = "period_end", "A month- or year-dated source counts from the last day of its period"
    PERIOD_START = "period_start", "A month- or year-dated source counts from the first day of its period"


DEFAULT_AS_OF_RULE = AsOfRule.PERIOD_END


def published_until_sql(*, published_on: str, precision: str) -> str:
    """SQL for the last day a source may have been published on, from its date and precision columns."""
    return (
        f"CASE {precision} "
        f"WHEN 'month' THEN (date_trunc('month', {published_on}) + interval '1 month - 1 day')::date "
        f"WHEN 'year' THEN (date_trunc('year', {published_on}) + interval '1 year - 1 day')::date "
        f"ELSE {published_on} END"
    )


def counted_from_sql(*, published_on: str, precision: str, rule: str) -> str:
    """SQL for the day from which a source counts as published under ``rule`` (null when undated)."""
    if rule == AsOfRule.PERIOD_START:
        return published_on
    return published_until_sql(published_on=published_on, precision=precision)


def as_of_header(*, as_of: datetime.date, rule: str) -> str:
    """The As-Of response header: the date asked for and the rule that counted the sources."""
    return f"{as_of.isoformat()}; rule={rule}"


def as_of_headers(query_params) -> dict[str, str]:
    """The As-Of header for a request whose as_of and as_of_rule parameters its filters have accepted."""
    if not query_params.get("as_of"):
        return {}
    as_of = forms.DateField().clean(query_params["as_of"])
    rule = query_params.get("as_of_rule") or DEFAULT_AS_OF_RULE
    return {"As-Of": as_of_header(as_of=as_of, rule=rule)}


class CountedFrom(Func):
    """The day from which a source counts as published under an ``AsOfRule`` (null when undated)."""

    output_field = models.DateField()

    def __init__(self, rule: str, **extra):
        self.rule = rule
        super().__init__(F("published_on"), F("published_precision"), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        (published_on, on_params), (precision, precision_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        # Both are plain column references, without parameters.
        assert not on_params and not precision_params
        return counted_from_sql(published_on=published_on, precision=precision, rule=self.rule), []


def sources_published_by(*, as_of: datetime.date, rule: str = DEFAULT_AS_OF_RULE):
    """The sources counted as published by ``as_of`` under ``rule``."""
    from apps.sources.models import Source

    return Source.objects.alias(counted_from=CountedFrom(rule)).filter(published_on__lte=as_of, counted_from__lte=as_of)
