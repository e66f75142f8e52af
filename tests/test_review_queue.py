"""The reviewers' queue: what awaits review, oldest first, decided one by one or in bulk, four eyes always."""

import pytest
from django.test import Client

from apps.accounts.services import curator_create
from apps.claims.models import Claim
from apps.claims.services import claim_create
from apps.sources.models import Source

pytestmark = pytest.mark.django_db

QUEUE = "/admin/claims/claim/review-queue/"
SOURCE = "commentary-2022-01-24-russian-build-up"


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people():
    drafter, _ = curator_create(username="queue-drafter")
    reviewer, _ = curator_create(username="queue-reviewer", reviewer=True)
    return drafter, reviewer


@pytest.fixture
def drafts(people):
    drafter, _ = people
    source = Source.objects.get(slug=SOURCE)
    quotes = ["The United Kingdom sent anti-tank missiles", "French President Macron has stirred up turmoil"]
    return [
        claim_create(source=source, kind="other", status="reported", summary=f"Queue test {n}.", quote=quote,
                     review_status="draft", by=drafter)
        for n, quote in enumerate(quotes)
    ]  # fmt: skip


def test_reviewers_see_what_awaits_review_oldest_first(people, drafts):
    drafter, reviewer = people
    page = browser_for(reviewer).get(QUEUE, {"curator": "queue-drafter"})
    assert page.status_code == 200
    listed = [claim.pk for claim in page.context["page"]]
    assert listed == [claim.pk for claim in drafts]
    html = page.content.decode()
    assert "<mark>The United Kingdom sent anti-tank missiles</mark>" in html, "the passage in context"
    assert browser_for(drafter).get(QUEUE).status_code == 403, "curators who are not reviewers"
    other_kind = browser_for(reviewer).get(QUEUE, {"kind": "sanctions", "curator": "queue-drafter"})
    assert list(other_kind.context["page"]) == []


def test_bulk_approve_and_reject_with_a_reason(people, drafts):
    _, reviewer = people
    browser = browser_for(reviewer)
    browser.post(QUEUE, {"decision": "approve", "claims": [drafts[0].pk]})
    assert Claim.objects.get(pk=drafts[0].pk).review_status == "published"

    refused = browser.post(QUEUE, {"decision": "reject", "claims": [drafts[1].pk]}, follow=True)
    assert "Say why" in refused.content.decode()
    assert Claim.objects.get(pk=drafts[1].pk).review_status == "draft"
    browser.post(QUEUE, {"decision": "reject", "claims": [drafts[1].pk], "reason": "Not in the text."})
    claim = Claim.objects.get(pk=drafts[1].pk)
    assert claim.review_status == "rejected"
    assert claim.history.first().history_change_reason == "Not in the text.", "the decision is in the history"


def test_nobody_decides_on_what_they_last_edited(people, drafts):
    _, reviewer = people
    source = Source.objects.get(slug=SOURCE)
    own = claim_create(source=source, kind="other", status="reported", summary="Reviewer's own draft.",
                       quote="Far Eastern battalions are moved west", review_status="draft", by=reviewer)  # fmt: skip
    answer = browser_for(reviewer).post(QUEUE, {"decision": "approve", "claims": [own.pk, drafts[0].pk]}, follow=True)
    assert Claim.objects.get(pk=own.pk).review_status == "draft"
    assert Claim.objects.get(pk=drafts[0].pk).review_status == "published"
    assert f"#{own.pk}: You last edited this claim" in answer.content.decode()


def test_a_superuser_decides_on_their_own_edit_only_with_a_reason_kept_in_full(django_user_model, drafts):
    chief = django_user_model.objects.create_superuser(username="queue-chief", password="unused-password-1")
    source = Source.objects.get(slug=SOURCE)
    own = claim_create(source=source, kind="other", status="reported", summary="The chief's own draft.",
                       quote="Far Eastern battalions are moved west", review_status="draft", by=chief)  # fmt: skip
    browser = browser_for(chief)
    refused = browser.post(QUEUE, {"decision": "approve", "claims": [own.pk]}, follow=True)
    assert "A superuser may override by giving a reason" in refused.content.decode()
    assert Claim.objects.get(pk=own.pk).review_status == "draft"

    reason = "Second reviewer away for a month; the passage was checked against the text twice. " * 3
    browser.post(QUEUE, {"decision": "approve", "claims": [own.pk], "reason": reason})
    claim = Claim.objects.get(pk=own.pk)
    assert claim.review_status == "published"
    recorded = claim.history.first().history_change_reason
    assert recorded == f"Four-eyes review overridden by a superuser: {reason.strip()}"


def test_a_superusers_bulk_action_on_their_own_edit_points_to_the_queue(django_user_model):
    chief = django_user_model.objects.create_superuser(username="action-chief", password="unused-password-1")
    source = Source.objects.get(slug=SOURCE)
    own = claim_create(source=source, kind="other", status="reported", summary="The chief's draft.",
                       quote="Far Eastern battalions are moved west", review_status="draft", by=chief)  # fmt: skip
    answer = browser_for(chief).post(
        "/admin/claims/claim/", {"action": "mark_published", "_selected_action": [own.pk]}, follow=True
    )
    assert "A superuser may override by giving a reason. The review queue takes a reason." in answer.content.decode()
    assert Claim.objects.get(pk=own.pk).review_status == "draft"
