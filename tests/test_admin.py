"""The curators' admin, through Django's test client: finding, reading, creating, reviewing, relating claims,
their history, and who may do what.

The curated fixtures are loaded in the test database; what a test makes lives in its
own source, or is looked up by key, and is rolled back after the test.
"""

import datetime
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.actors.models import Actor
from apps.claims.models import Claim, ClaimCountry, ClaimRelation, QuoteAnchor
from apps.claims.services import claim_create
from apps.countries.models import Country
from apps.sources.models import Source
from apps.sources.services import source_create

pytestmark = pytest.mark.django_db

COMMENTARY = "commentary-2022-01-24-russian-build-up"
UNCOVERED = "French President Macron has stirred up turmoil by calling for a European initiative."


@pytest.fixture
def admin_client_for(curator):
    def make(user=curator) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def curator_admin(admin_client_for) -> Client:
    return admin_client_for()


@pytest.fixture
def staff_without_permissions():
    return get_user_model().objects.create_user("staff-no-perms", password="a-long-unused-passphrase", is_staff=True)


@pytest.fixture
def staff_viewer():
    """A staff member who may look at claims and sources but change nothing."""
    user = get_user_model().objects.create_user("staff-viewer", password="a-long-unused-passphrase", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_claim", "view_source", "view_actor"]))
    return user


@pytest.fixture
def own_source() -> Source:
    return source_create(
        slug="test-admin-source",
        title="Admin test report",
        publisher="Admin Test Gazette",
        kind="news",
        text="Russia moved 5 ships. <b>Bold</b> & 'quoted' text, then a gap.\n\nRussia moved 7 ships.\r\nEnd.",
        published_on=datetime.date(2023, 5, 2),
        published_precision="day",
    )


def _ship_claim(source: Source, quote: str, **fields) -> Claim:
    values = {
        "kind": "troop_deployment",
        "status": "completed",
        "summary": f"Russia moved ships ({quote}).",
        "subject": Actor.objects.get(slug="russia"),
        "quantity_value": 5,
        "quantity_unit": "ships",
        "review_status": "draft",
    }
    values.update(fields)
    return claim_create(source=source, quote=quote, **values)


def _form_data(response) -> dict:
    """The POST body a browser would send back for an admin change form, inlines included."""
    data = {}

    def put(form, name):
        value = form[name].value()
        if value is None or value is False:
            return
        if value is True:
            data[form.add_prefix(name)] = "on"
        elif isinstance(value, list | tuple):
            data[form.add_prefix(name)] = [str(item) for item in value]
        else:
            data[form.add_prefix(name)] = str(value)

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = str(formset.management_form[name].value())
        for inline_form in formset.forms:
            for name in inline_form.fields:
                put(inline_form, name)
    return data


def _claims_in_changelist(response) -> set[int]:
    return set(response.context["cl"].queryset.values_list("id", flat=True))


# Finding -----------------------------------------------------------------------------------


def test_changelist_shows_kind_summary_subject_source_quantity_and_review_status(curator_admin):
    claim = Claim.objects.get(key="commentary-0124-russia-100000-troops-around-ukraine")
    response = curator_admin.get("/admin/claims/claim/", {"q": "amassed over 100,000"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"/admin/claims/claim/{claim.pk}/change/" in page
    assert "Troop deployment" in page
    assert "≥ 100,000 soldiers (“over 100,000”)" in page
    assert "Russia" in page and COMMENTARY in page  # subject; the untitled source by its slug
    assert 'class="review-badge review-published"' in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "sanctions"}, lambda: Claim.objects.filter(kind="sanctions")),
        ({"review_status": "published"}, lambda: Claim.objects.filter(review_status="published")),
        ({"source": "__commentary__"}, lambda: Claim.objects.filter(source__slug=COMMENTARY)),
        ({"publisher": "DW"}, lambda: Claim.objects.filter(source__publisher="DW")),
        (
            {"reported_on__year": "2022", "reported_on__month": "1"},
            lambda: Claim.objects.filter(reported_on__year=2022, reported_on__month=1),
        ),
    ],
)
def test_changelist_filters(curator_admin, params, expected):
    if params.get("source") == "__commentary__":
        params = {"source": str(Source.objects.get(slug=COMMENTARY).pk)}
    if "publisher" in params:
        assert Source.objects.filter(publisher=params["publisher"]).exists(), "fixture publisher changed"
    response = curator_admin.get("/admin/claims/claim/", params)
    assert response.status_code == 200
    wanted = set(expected().values_list("id", flat=True))
    assert wanted and _claims_in_changelist(response) == wanted


def test_country_filter_matches_a_country_in_any_role(curator_admin):
    """Kazakhstan as location, as the subject's or object's country, or listed among the claim's countries."""
    response = curator_admin.get("/admin/claims/claim/", {"country": "KZ"})
    found = _claims_in_changelist(response)
    assert found == set(ClaimCountry.objects.filter(country="KZ").values_list("claim_id", flat=True))
    not_located_there = Claim.objects.filter(id__in=found).exclude(location="KZ")
    assert not_located_there.exists(), "the filter must reach beyond the location"
    assert "Kazakhstan" in response.content.decode()  # offered as a choice


def test_search_covers_summary_quote_and_actor_names(curator_admin):
    only_in_quote = Claim.objects.get(key="commentary-0124-russia-100000-troops-around-ukraine")
    assert "amassed" in only_in_quote.anchor.exact and "amassed" in only_in_quote.summary  # both, as a baseline
    quote_only = Claim.objects.filter(anchor__exact__icontains="numbers keep growing").exclude(
        summary__icontains="numbers keep growing"
    )
    assert quote_only.exists()
    found = _claims_in_changelist(curator_admin.get("/admin/claims/claim/", {"q": "numbers keep growing"}))
    assert set(quote_only.values_list("id", flat=True)) <= found

    tokayev = Actor.objects.get(slug="kassym-jomart-tokayev")
    about_tokayev = (
        Claim.objects.filter(subject=tokayev)
        | Claim.objects.filter(object=tokayev)
        | Claim.objects.filter(claimant=tokayev)
    )
    found = _claims_in_changelist(curator_admin.get("/admin/claims/claim/", {"q": "Tokayev"}))
    assert about_tokayev.exists() and set(about_tokayev.values_list("id", flat=True)) <= found


def test_changelist_query_count_does_not_grow_with_the_page(curator_admin, own_source):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = curator_admin.get("/admin/claims/claim/", {"source": own_source.pk})
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    for _ in range(10):
        _ship_claim(own_source, "Russia moved 5 ships.", quote_start=None)
    small, shown = count_queries()
    assert shown == 10
    for _ in range(10):
        _ship_claim(own_source, "Russia moved 7 ships.", quantity_value=7)
    large, shown = count_queries()
    assert shown == 20
    assert large == small


# Reading a source ---------------------------------------------------------------------------


def test_source_page_shows_the_stored_text_with_each_quote_linked_to_its_claim(curator_admin, own_source):
    first = _ship_claim(own_source, "Russia moved 5 ships.")
    second = _ship_claim(own_source, "Russia moved 7 ships.", quantity_value=7, review_status="published")
    response = curator_admin.get(f"/admin/sources/source/{own_source.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    reader = re.search(r'<div id="source-text"[^>]*>(.*?)</div>', page, re.S).group(1)
    # The reader's text is exactly the stored text: same characters, escaped, carriage return kept.
    assert html.unescape(re.sub(r"<[^>]+>", "", reader)) == own_source.text
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &#x27;quoted&#x27;" in reader and "<b>" not in reader
    assert "&#13;" in reader
    for claim, status in ((first, "draft"), (second, "published")):
        start = claim.anchor.start
        assert re.search(
            rf'<mark class="hl review-{status} depth-1" data-href="/admin/claims/claim/{claim.pk}/change/" '
            rf'data-offset="{start}"',
            reader,
        )
        assert f'id="claim-{claim.pk}"' in reader
    # What no claim quotes is marked, and counted.
    gap_start = own_source.text.index(" <b>Bold")
    assert f'<span class="gap" id="gap-{gap_start}" data-offset="{gap_start}">' in reader
    covered = sum(1 for c in "Russia moved 5 ships.Russia moved 7 ships." if not c.isspace())
    total = sum(1 for c in own_source.text if not c.isspace())
    assert f"{round(100 * covered / total)}&nbsp;%" in page
    assert f'data-add-url="/admin/claims/claim/add/?source={own_source.pk}"' in page


def test_a_viewer_sees_the_reader_but_no_new_claim_button(admin_client_for, staff_viewer, own_source):
    response = admin_client_for(staff_viewer).get(f"/admin/sources/source/{own_source.pk}/change/")
    assert response.status_code == 200
    assert 'id="source-text"' in response.content.decode()
    assert "New claim from this passage" not in response.content.decode()


# Creating a claim from a passage ----------------------------------------------------------


def test_claim_form_is_prefilled_from_a_selection_and_saves_through_the_service(curator_admin, curator):
    source = Source.objects.get(slug=COMMENTARY)
    start = source.text.index(UNCOVERED)
    response = curator_admin.get(
        "/admin/claims/claim/add/", {"source": source.pk, "quote_start": start, "quote_end": start + len(UNCOVERED)}
    )
    form = response.context["adminform"].form
    assert form["quote"].value() == UNCOVERED and form["quote_start"].value() == start
    assert str(form["source"].value()) == str(source.pk)
    rules = form.fields["kind"].widget.attrs["data-kind-rules"]
    assert '"troop_deployment"' in rules and '"required": ["subject"]' in rules

    data = _form_data(response)
    data.update(
        {
            "kind": "diplomatic_demand",
            "status": "proposed",
            "summary": "France's president called for a European initiative on the Ukraine crisis.",
            "subject": str(Actor.objects.get(slug="france").pk),
            "countries": ["FR", "UA"],
            "review_status": "draft",
            "confidence": "medium",
            # The browser sends CRLF; the quote is a single line so nothing changes here.
        }
    )
    response = curator_admin.post(response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"], data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    claim = Claim.objects.get(summary__startswith="France's president called")
    assert (claim.anchor.start, claim.anchor.end, claim.anchor.exact) == (start, start + len(UNCOVERED), UNCOVERED)
    assert claim.reported_on == source.published_on and claim.search_vector is not None  # derived data refreshed
    assert set(ClaimCountry.objects.filter(claim=claim).values_list("country_id", flat=True)) == {"FR", "UA"}
    assert claim.history.latest().history_user == curator
    assert QuoteAnchor.history.filter(claim_id=claim.pk).latest().history_user == curator


def _add_form_post(client, **overrides) -> tuple:
    source = Source.objects.get(slug=COMMENTARY)
    response = client.get("/admin/claims/claim/add/")
    data = _form_data(response)
    data.update(
        {
            "source": str(source.pk),
            "quote": UNCOVERED,
            "kind": "diplomatic_demand",
            "status": "proposed",
            "summary": "Macron called for a European initiative.",
            "subject": str(Actor.objects.get(slug="france").pk),
            "review_status": "draft",
            "confidence": "medium",
        }
    )
    data.update(overrides)
    data = {name: value for name, value in data.items() if value is not None}
    before = Claim.objects.count()
    response = client.post("/admin/claims/claim/add/", data)
    return response, Claim.objects.count() - before


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"kind": "troop_deployment", "status": "ongoing", "subject": ""}, "subject", "needs a subject"),
        ({"kind": "sanctions", "status": "threatened"}, "object", "needs an object"),
        ({"status": "condemned"}, "status", "not a status"),
        ({"quote": "This sentence is not in the commentary."}, "quote", "not found"),
        ({"quote": "Ukraine"}, "quote", "ambiguous"),
        ({"quote_start": "3"}, "quote", "does not match"),
        (
            {"quantity_value": "10", "quantity_lower": "20", "quantity_unit": "people", "quantity_qualifier": "exact"},
            "quantity_lower",
            None,
        ),
        (
            {
                "valid_from": "2022-03-01",
                "valid_from_precision": "day",
                "valid_to": "2022-02-01",
                "valid_to_precision": "day",
            },
            "valid_to",
            "ends before it starts",
        ),
    ],
)
def test_claim_form_refuses_what_the_api_refuses_naming_the_field(curator_admin, overrides, field, words):
    response, created = _add_form_post(curator_admin, **overrides)
    assert response.status_code == 200 and created == 0
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    if words:
        assert words in " ".join(errors[field])


def test_a_multi_line_quote_sent_with_crlf_matches_the_stored_text(curator_admin):
    source = Source.objects.get(slug=COMMENTARY)
    passage = "a success.\n\nWhile Putin’s intentions are guesswork"
    assert passage in source.text
    response, created = _add_form_post(
        curator_admin, quote=passage.replace("\n", "\r\n"), kind="other", status="announced"
    )
    assert response.status_code == 302 and created == 1
    assert Claim.objects.get(summary="Macron called for a European initiative.").anchor.exact == passage


# Changing, history -------------------------------------------------------------------------


def test_a_change_is_recorded_with_who_and_the_values_before_and_after(curator_admin, curator, own_source):
    claim = _ship_claim(own_source, "Russia moved 5 ships.")
    url = f"/admin/claims/claim/{claim.pk}/change/"
    data = _form_data(curator_admin.get(url))
    data.update(summary="Russia sent five ships.", quantity_value="6")  # bounds follow the new figure
    response = curator_admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    claim.refresh_from_db()
    assert (claim.summary, claim.quantity_lower, claim.quantity_upper) == ("Russia sent five ships.", 6, 6)

    latest = claim.history.latest()
    assert latest.history_user == curator and latest.history_type == "~"
    changed = {change.field for change in latest.diff_against(latest.prev_record).changes}
    assert {"summary", "quantity_value", "quantity_lower", "quantity_upper"} <= changed
    assert "reported_on" not in {f.name for f in latest._meta.fields}  # derived columns are not recorded

    history = curator_admin.get(f"/admin/claims/claim/{claim.pk}/history/").content.decode()
    assert "test-curator" in history and "Russia sent five ships." in history and "Russia moved ships" in history
    page = curator_admin.get(url).content.decode()
    assert "Recent changes" in page and "<del>Russia moved ships (Russia moved 5 ships.).</del>" in page


def test_editing_only_the_quote_re_anchors_it_and_records_the_anchor_change(curator_admin, own_source):
    claim = _ship_claim(own_source, "Russia moved 5 ships.")
    url = f"/admin/claims/claim/{claim.pk}/change/"
    data = _form_data(curator_admin.get(url))
    data["quote"] = "Russia moved 7 ships."  # the old offset stays in the form; the new passage is found
    data["quantity_value"] = "7"
    assert curator_admin.post(url, data).status_code == 302
    claim.anchor.refresh_from_db()
    assert claim.anchor.start == own_source.text.index("Russia moved 7 ships.")
    assert QuoteAnchor.history.filter(claim_id=claim.pk).count() == 2


def test_history_cannot_be_used_to_revert(curator_admin, own_source):
    claim = _ship_claim(own_source, "Russia moved 5 ships.")
    record = claim.history.earliest()
    url = f"/admin/claims/claim/{claim.pk}/history/{record.history_id}/"
    assert curator_admin.get(url).status_code == 200
    assert curator_admin.post(url, {"summary": "reverted"}).status_code == 403


def test_an_api_write_with_a_token_records_the_api_user(db):
    from apps.accounts.services import curator_create

    user, token = curator_create(username="api-history-curator")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post(
        "/api/v1/claims/",
        {
            "source": COMMENTARY,
            "kind": "diplomatic_demand",
            "status": "proposed",
            "summary": "Macron called for a European initiative.",
            "subject": "france",
            "quote": UNCOVERED,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    claim = Claim.objects.get(pk=response.json()["id"])
    assert claim.history.latest().history_user == user
    assert QuoteAnchor.history.get(claim_id=claim.pk).history_user == user

    response = client.patch(
        f"/api/v1/claims/{claim.pk}/", {"summary": "Macron asked for a European initiative."}, format="json"
    )
    assert response.status_code == 200, response.json()
    latest = claim.history.latest()
    assert latest.history_user == user and latest.summary == "Macron asked for a European initiative."


# Review -----------------------------------------------------------------------------------


def test_bulk_publish_publishes_valid_claims_and_refuses_the_others_saying_why(curator_admin, own_source):
    valid = _ship_claim(own_source, "Russia moved 5 ships.")
    broken = _ship_claim(own_source, "Russia moved 7 ships.", quantity_value=7)
    # Written before a rule tightened, say: no subject, though troop deployments need one.
    Claim.objects.filter(pk=broken.pk).update(subject=None)
    unanchored = _ship_claim(own_source, "Russia moved 5 ships.", summary="An unanchored claim.")
    QuoteAnchor.objects.filter(claim=unanchored).delete()

    response = curator_admin.post(
        "/admin/claims/claim/",
        {"action": "mark_published", "_selected_action": [valid.pk, broken.pk, unanchored.pk]},
        follow=True,
    )
    assert response.status_code == 200
    statuses = dict(Claim.objects.filter(source=own_source).values_list("id", "review_status"))
    assert statuses == {valid.pk: "published", broken.pk: "draft", unanchored.pk: "draft"}
    shown = " ".join(str(message) for message in response.context["messages"])
    assert "1 claim now published." in shown
    assert "2 claims could not be published" in shown
    assert f"#{broken.pk}" in shown and "needs a subject" in shown
    assert f"#{unanchored.pk}" in shown and "without a quote" in shown
    assert valid.history.latest().review_status == "published"


@pytest.mark.parametrize(
    ("action", "status"), [("mark_reviewed", "reviewed"), ("mark_rejected", "rejected"), ("mark_draft", "draft")]
)
def test_bulk_review_moves(curator_admin, own_source, action, status):
    before = "reviewed" if status == "draft" else "draft"
    claims = [_ship_claim(own_source, "Russia moved 5 ships.", review_status=before) for _ in range(3)]
    curator_admin.post("/admin/claims/claim/", {"action": action, "_selected_action": [c.pk for c in claims]})
    assert set(Claim.objects.filter(source=own_source).values_list("review_status", flat=True)) == {status}


def test_publishing_from_the_form_applies_the_kind_rules(curator_admin, own_source):
    claim = _ship_claim(own_source, "Russia moved 5 ships.")
    url = f"/admin/claims/claim/{claim.pk}/change/"
    data = _form_data(curator_admin.get(url))
    data.update(review_status="published", subject="")
    response = curator_admin.post(url, data)
    assert response.status_code == 200
    assert "needs a subject" in " ".join(response.context["adminform"].form.errors["subject"])
    claim.refresh_from_db()
    assert claim.review_status == "draft"


# Relations --------------------------------------------------------------------------------


def test_relations_are_added_from_either_claims_page(curator_admin, curator, own_source):
    first = _ship_claim(own_source, "Russia moved 5 ships.")
    second = _ship_claim(own_source, "Russia moved 7 ships.", quantity_value=7)
    url = f"/admin/claims/claim/{first.pk}/change/"
    data = _form_data(curator_admin.get(url))
    data.update(
        {
            "relations_from-TOTAL_FORMS": "1",
            "relations_from-0-type": "contradicts",
            "relations_from-0-to_claim": str(second.pk),
            "relations_from-0-note": "5 or 7 ships?",
        }
    )
    response = curator_admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    relation = ClaimRelation.objects.get(from_claim=first, to_claim=second)
    assert (relation.type, relation.note, relation.created_by) == ("contradicts", "5 or 7 ships?", curator)

    # The other claim's page shows it among the relations to it, and refuses the same link again.
    url = f"/admin/claims/claim/{second.pk}/change/"
    response = curator_admin.get(url)
    incoming = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "relations_to")
    assert [form.instance for form in incoming.forms] == [relation]
    data = _form_data(response)
    data.update(
        {
            "relations_from-TOTAL_FORMS": "1",
            "relations_from-0-type": "contradicts",
            "relations_from-0-to_claim": str(first.pk),
        }
    )
    response = curator_admin.post(url, data)
    assert response.status_code == 200
    assert "already related" in response.content.decode()
    assert ClaimRelation.objects.filter(type="contradicts", from_claim__source=own_source).count() == 1


# Sources ------------------------------------------------------------------------------------


def test_deleting_a_source_with_claims_is_refused_with_a_message(curator_admin, own_source):
    _ship_claim(own_source, "Russia moved 5 ships.")
    for method in ("get", "post"):
        response = getattr(curator_admin, method)(f"/admin/sources/source/{own_source.pk}/delete/", follow=True)
        assert response.status_code == 200
        shown = " ".join(str(message) for message in response.context["messages"])
        assert "still has 1 claim, so it cannot be deleted" in shown
    assert Source.objects.filter(pk=own_source.pk).exists()


def test_deleting_leaves_a_trace(curator_admin, curator, own_source):
    claim = _ship_claim(own_source, "Russia moved 5 ships.")
    response = curator_admin.post(f"/admin/claims/claim/{claim.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Claim.objects.filter(pk=claim.pk).exists()
    response = curator_admin.post(f"/admin/sources/source/{own_source.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Source.objects.filter(pk=own_source.pk).exists()

    deleted = Claim.history.get(id=claim.pk, history_type="-")
    assert deleted.history_user == curator and deleted.summary == claim.summary
    page = curator_admin.get("/admin/claims/claim/deleted/").content.decode()
    assert claim.summary in page and "test-curator" in page and f"/admin/claims/claim/{claim.pk}/history/" in page
    assert "Admin test report" in curator_admin.get("/admin/sources/source/deleted/").content.decode()
    assert curator_admin.get(f"/admin/claims/claim/{claim.pk}/history/").status_code == 200


def test_a_text_edit_that_drops_a_quoted_passage_is_refused(curator_admin, own_source):
    claim = _ship_claim(own_source, "Russia moved 5 ships.")
    url = f"/admin/sources/source/{own_source.pk}/change/"
    data = _form_data(curator_admin.get(url))
    data["text"] = own_source.text.replace("5 ships", "five ships").replace("\r\n", "\n")
    response = curator_admin.post(url, data)
    assert response.status_code == 200
    assert f"#{claim.pk}" in " ".join(response.context["adminform"].form.errors["text"])


def test_saving_a_source_unchanged_keeps_its_text_exactly(curator_admin, curator, own_source):
    url = f"/admin/sources/source/{own_source.pk}/change/"
    data = _form_data(curator_admin.get(url))
    data["text"] = data["text"].replace("\r\n", "\n").replace("\n", "\r\n")  # as a browser sends a textarea
    data["title"] = "Admin test report, corrected"
    response = curator_admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    own_source.refresh_from_db()
    assert own_source.title == "Admin test report, corrected"
    assert own_source.history.latest().history_user == curator


# Actors and countries ------------------------------------------------------------------------


def test_actor_search_and_autocomplete_match_aliases(curator_admin):
    russia = Actor.objects.get(slug="russia")
    assert russia.aliases, "the fixture gives Russia aliases"
    alias = russia.aliases[0]
    response = curator_admin.get("/admin/actors/actor/", {"q": alias})
    assert russia.pk in set(response.context["cl"].queryset.values_list("id", flat=True))
    response = curator_admin.get(
        "/admin/autocomplete/", {"term": alias, "app_label": "claims", "model_name": "claim", "field_name": "subject"}
    )
    assert response.status_code == 200
    assert str(russia.pk) in {result["id"] for result in response.json()["results"]}


def test_countries_are_read_only(curator_admin):
    assert curator_admin.get("/admin/countries/country/UA/change/").status_code == 200
    response = curator_admin.post("/admin/countries/country/UA/change/", {"name": "Renamed"})
    assert response.status_code == 403
    assert Country.objects.get(code="UA").name == "Ukraine"


# Permissions --------------------------------------------------------------------------------


def test_a_staff_member_without_permissions_can_neither_see_nor_change_data(
    admin_client_for, staff_without_permissions
):
    client = admin_client_for(staff_without_permissions)
    claim = Claim.objects.filter(review_status="published").first()
    assert client.get("/admin/claims/claim/").status_code == 403
    assert client.get(f"/admin/claims/claim/{claim.pk}/change/").status_code == 403
    assert client.post(f"/admin/claims/claim/{claim.pk}/change/", {"summary": "x"}).status_code == 403
    action = {"action": "mark_rejected", "_selected_action": [claim.pk]}
    assert client.post("/admin/claims/claim/", action).status_code == 403
    assert client.get(f"/admin/claims/claim/{claim.pk}/history/").status_code == 403
    claim.refresh_from_db()
    assert claim.review_status == "published"


def test_a_viewer_can_read_but_not_change(admin_client_for, staff_viewer):
    client = admin_client_for(staff_viewer)
    claim = Claim.objects.filter(review_status="published").first()
    url = f"/admin/claims/claim/{claim.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    assert client.post(url, {"summary": "changed by a viewer"}).status_code == 403
    response = client.post("/admin/claims/claim/", {"action": "mark_rejected", "_selected_action": [claim.pk]})
    assert response.status_code in (200, 302)  # Django drops actions the user may not take
    record = claim.history.earliest()
    assert client.get(f"/admin/claims/claim/{claim.pk}/history/").status_code == 200
    revert = client.post(f"/admin/claims/claim/{claim.pk}/history/{record.history_id}/", {"summary": "x"})
    assert revert.status_code == 403
    assert client.post(f"/admin/claims/claim/{claim.pk}/delete/", {"post": "yes"}).status_code == 403
    claim.refresh_from_db()
    assert claim.review_status == "published" and claim.summary != "changed by a viewer"


def test_a_curator_can_reach_everything_curation_needs(curator_admin):
    claim = Claim.objects.filter(review_status="published").first()
    for url in (
        "/admin/",
        "/admin/claims/claim/",
        "/admin/claims/claim/add/",
        f"/admin/claims/claim/{claim.pk}/change/",
        f"/admin/claims/claim/{claim.pk}/history/",
        "/admin/claims/claimrelation/",
        "/admin/sources/source/",
        "/admin/sources/source/add/",
        "/admin/actors/actor/",
        "/admin/actors/actor/add/",
        "/admin/countries/country/",
        "/admin/claims/claim/deleted/",
    ):
        assert curator_admin.get(url).status_code == 200, url
    assert curator_admin.get("/admin/auth/user/").status_code == 403  # but not the accounts


def test_deleting_an_actor_that_claims_refer_to_is_refused(curator_admin):
    russia = Actor.objects.get(slug="russia")
    response = curator_admin.post(f"/admin/actors/actor/{russia.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert Actor.objects.filter(pk=russia.pk).exists()


def test_reader_segments_follow_overlapping_quotes():
    from apps.claims.admin.source_reader import Highlight, text_segments

    def quote(claim_id, start, end):
        return Highlight(claim_id, start, end, "Other", "draft", "Draft", "")

    outer, inner, later = quote(1, 2, 10), quote(2, 4, 6), quote(3, 8, 12)
    segments = text_segments("abcdefghijklmnop", [later, outer, inner])
    covering = [(s.start, s.end, [h.claim_id for h in s.claims]) for s in segments]
    assert covering == [
        (0, 2, []),
        (2, 4, [1]),
        (4, 6, [2, 1]),
        (6, 8, [1]),
        (8, 10, [3, 1]),
        (10, 12, [3]),
        (12, 16, []),
    ]
