"""Four-eyes review: curators draft and edit, reviewers decide, nobody decides on their own edit.

The same rule answers in the API (403 in the error shape), the admin's form and its bulk
actions; a superuser overrides only with a reason, which the history keeps. Also the
claim history endpoint, which only curators and reviewers can read.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.groups import REVIEWERS
from apps.accounts.services import curator_create
from apps.claims.models import Claim
from tests.samples import QUOTE, SOURCE, claim_body

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _draft(client, **overrides) -> dict:
    response = client.post("/api/v1/claims/", claim_body(**overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _patch(client, claim: dict, body: dict):
    return client.patch(f"/api/v1/claims/{claim['id']}/", body, format="json")


@pytest.fixture
def second_reviewer(db):
    user, _ = curator_create(username="second-reviewer", reviewer=True)
    return user


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("chief", password="a-long-chief-passphrase")


def _refusal(response) -> str:
    assert response.status_code == 403, response.json()
    body = response.json()
    assert body["code"] == "permission_denied" and {"type", "title", "status", "detail", "code", "errors"} <= set(body)
    return body["detail"]


@pytest.mark.parametrize("decision", ["reviewed", "published", "rejected"])
def test_a_curator_cannot_decide_and_a_reviewer_who_did_not_edit_can(curator_client, reviewer_client, decision):
    claim = _draft(curator_client)
    assert "Only reviewers" in _refusal(_patch(curator_client, claim, {"review_status": decision}))
    assert Claim.objects.get(pk=claim["id"]).review_status == "draft"
    response = _patch(reviewer_client, claim, {"review_status": decision})
    assert response.status_code == 200, response.json()
    assert response.json()["review_status"] == decision


def test_a_reviewer_cannot_publish_a_claim_they_last_edited(curator_client, reviewer_client, second_reviewer):
    claim = _draft(curator_client)
    # Editing and publishing at once makes the reviewer the last editor: refused, nothing written.
    refused = _patch(reviewer_client, claim, {"summary": "Britain sent missiles.", "review_status": "published"})
    assert "You last edited this claim" in _refusal(refused)
    stored = Claim.objects.get(pk=claim["id"])
    assert (stored.summary, stored.review_status) == (claim["summary"], "draft")

    assert _patch(reviewer_client, claim, {"summary": "Britain sent missiles."}).status_code == 200
    assert "You last edited" in _refusal(_patch(reviewer_client, claim, {"review_status": "published"}))
    assert Claim.objects.get(pk=claim["id"]).last_edited_by.username == "test-reviewer"
    response = _patch(_client(second_reviewer), claim, {"review_status": "published"})
    assert response.status_code == 200, response.json()


def test_creating_a_claim_already_decided_is_deciding_on_ones_own_edit(reviewer_client):
    body = {
        "source": SOURCE,
        "kind": "arms_transfer",
        "status": "completed",
        "summary": "Self-published.",
        "subject": "united-kingdom",
        "quote": QUOTE,
        "review_status": "published",
    }
    assert "You last edited" in _refusal(reviewer_client.post("/api/v1/claims/", body, format="json"))
    assert not Claim.objects.filter(summary="Self-published.").exists()


def test_a_decided_claim_is_not_changed_by_anyone_without_a_new_decision(curator_client, reviewer_client):
    claim = _draft(curator_client)
    assert _patch(reviewer_client, claim, {"review_status": "published"}).status_code == 200
    # Changing what a published claim says would publish the change unreviewed.
    assert "Return it to draft" in _refusal(_patch(curator_client, claim, {"summary": "Changed after review."}))
    assert "You last edited" in _refusal(_patch(reviewer_client, claim, {"summary": "Changed after review."}))
    # Notes are not what the claim says; returning to draft is open to curators.
    assert _patch(curator_client, claim, {"notes": "Check the date."}).status_code == 200
    assert _patch(curator_client, claim, {"review_status": "draft"}).status_code == 200
    assert _patch(curator_client, claim, {"summary": "Changed after review."}).status_code == 200


def test_a_superuser_overrides_only_with_a_reason_which_the_history_keeps(curator_client, superuser):
    claim = _draft(curator_client)
    chief = _client(superuser)
    assert _patch(chief, claim, {"summary": "Fixed by the chief."}).status_code == 200
    assert "A superuser may override" in _refusal(_patch(chief, claim, {"review_status": "published"}))
    blank = _patch(chief, claim, {"review_status": "published", "override_reason": "  "})
    assert _refusal(blank)
    reason = "Correction of a typo in an urgent story."
    response = _patch(chief, claim, {"review_status": "published", "override_reason": reason})
    assert response.status_code == 200, response.json()
    history = chief.get(f"/api/v1/claims/{claim['id']}/history/").json()
    assert history[0]["reason"] == f"Four-eyes review overridden by a superuser: {reason}"
    assert history[0]["user"] == "chief"
    assert {"field": "review_status", "before": "draft", "after": "published"} in history[0]["changes"]


def test_a_curator_cannot_override_whatever_they_send(curator_client):
    claim = _draft(curator_client)
    refused = _patch(curator_client, claim, {"review_status": "published", "override_reason": "I insist."})
    assert "Only reviewers" in _refusal(refused)


# The admin --------------------------------------------------------------------------------


def _form_post(client: Client, claim_id: int, **changes):
    from tests.test_admin import _form_data

    url = f"/admin/claims/claim/{claim_id}/change/"
    data = _form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_the_admin_form_refuses_deciding_on_ones_own_edit_next_to_the_field(curator_client, reviewer):
    claim = _draft(curator_client)
    admin = Client()
    admin.force_login(reviewer)
    response = _form_post(admin, claim["id"], summary="Edited in the admin.", review_status="published")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["review_status"]
    assert "You last edited this claim" in " ".join(errors)
    assert Claim.objects.get(pk=claim["id"]).review_status == "draft"

    response = _form_post(admin, claim["id"], summary="Edited in the admin.")
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim["id"]).last_edited_by == reviewer


def test_bulk_actions_apply_four_eyes_and_curators_do_not_get_them(curator, reviewer, curator_client):
    mine = _draft(_client(reviewer), summary="The reviewer's own draft.")
    theirs = _draft(curator_client)
    admin = Client()
    admin.force_login(reviewer)
    response = admin.post(
        "/admin/claims/claim/",
        {"action": "mark_published", "_selected_action": [mine["id"], theirs["id"]]},
        follow=True,
    )
    shown = " ".join(str(message) for message in response.context["messages"])
    assert "1 claim now published." in shown
    assert f"#{mine['id']}" in shown and "You last edited this claim" in shown
    statuses = dict(Claim.objects.filter(pk__in=[mine["id"], theirs["id"]]).values_list("id", "review_status"))
    assert statuses == {mine["id"]: "draft", theirs["id"]: "published"}

    curator_admin = Client()
    curator_admin.force_login(curator)
    actions = dict(curator_admin.get("/admin/claims/claim/").context["action_form"].fields["action"].choices)
    assert "mark_draft" in actions
    assert not {"mark_reviewed", "mark_published", "mark_rejected"} & set(actions)
    response = curator_admin.post(
        "/admin/claims/claim/", {"action": "mark_published", "_selected_action": [mine["id"]]}
    )
    assert Claim.objects.get(pk=mine["id"]).review_status == "draft"


def test_create_curator_reviewer_makes_a_reviewer(capsys):
    call_command("create_curator", "new-reviewer", "--reviewer")
    user = get_user_model().objects.get(username="new-reviewer")
    assert list(user.groups.values_list("name", flat=True)) == [REVIEWERS]
    assert user.has_perm("claims.review_claim") and user.has_perm("claims.change_claim")
    assert not Group.objects.get(name="curators").permissions.filter(codename="review_claim").exists()
    assert "Created reviewer new-reviewer." in capsys.readouterr().out


# History ----------------------------------------------------------------------------------


def test_history_shows_who_when_and_each_field_before_and_after(curator, curator_client, reviewer_client):
    claim = _draft(curator_client, countries=["GB"])
    _patch(curator_client, claim, {"summary": "Britain sent missiles.", "countries": ["GB", "UA"]})
    _patch(curator_client, claim, {"quote": "Latvia and Lithuania anti-aircraft missiles"})
    _patch(reviewer_client, claim, {"review_status": "reviewed"})

    response = reviewer_client.get(f"/api/v1/claims/{claim['id']}/history/")
    assert response.status_code == 200
    history = response.json()
    assert [entry["user"] for entry in history[:3]] == ["test-reviewer", "test-curator", "test-curator"]
    changes = [{c["field"]: (c["before"], c["after"]) for c in entry["changes"]} for entry in history]
    assert changes[0] == {"review_status": ("draft", "reviewed")}
    assert changes[1]["quote"] == (QUOTE, "Latvia and Lithuania anti-aircraft missiles")
    edit = next(change for change in changes if "summary" in change)
    assert edit["summary"] == (claim["summary"], "Britain sent missiles.")
    assert any(change.get("countries") == (["GB"], ["GB", "UA"]) for change in changes)
    assert history[-1]["type"] == "created" and history[-1]["user"] == "test-curator"
    assert history == sorted(history, key=lambda entry: entry["at"], reverse=True)


def test_history_is_404_for_anonymous_and_plain_users_even_on_published_claims(api_client):
    published = Claim.objects.filter(review_status="published").first()
    assert api_client.get(f"/api/v1/claims/{published.pk}/").status_code == 200
    response = api_client.get(f"/api/v1/claims/{published.pk}/history/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    plain = get_user_model().objects.create_user("plain-reader", password="a-long-plain-passphrase")
    assert _client(plain).get(f"/api/v1/claims/{published.pk}/history/").status_code == 404


def test_history_takes_a_fixed_number_of_queries(curator_client, django_assert_max_num_queries):
    claim = _draft(curator_client)
    for number in range(12):
        _patch(curator_client, claim, {"summary": f"Edit {number}.", "countries": ["GB"] if number % 2 else []})
    with django_assert_max_num_queries(8):
        assert len(curator_client.get(f"/api/v1/claims/{claim['id']}/history/").json()) >= 13
