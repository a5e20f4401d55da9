"""One's own notifications over the API: newest first, worded in the reader's language, the unread
ones on their own, marked read one by one or all at once; nobody reads or marks another's."""

import pytest

from kaidan.core import notifications
from kaidan.core.models import Notification
from kaidan.core.roles import Role

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


@pytest.fixture
def api(api_for):
    return api_for(Role.SALES_MANAGER)


def tell(user, number: str, customer: str = "深圳恒达电子有限公司") -> Notification:
    notifications.notify([user], "approval_needed", params={"number": number, "customer": customer},
                         url=f"/orders/{number}/")
    return Notification.objects.filter(user=user).order_by("-pk").first()


def test_lists_my_notifications_newest_first_in_my_language(api, api_for):
    first, second = tell(api.user, "SO-1"), tell(api.user, "SO-2")
    tell(api_for(Role.SALES_MANAGER).user, "SO-3")  # someone else's
    body = api.get("/api/notifications", headers=EN).json()
    assert body["count"] == 2 and [n["id"] for n in body["items"]] == [second.pk, first.pk]
    newest = body["items"][0]
    assert {k: newest[k] for k in ("key", "text", "url", "read", "read_at")} == {
        "key": "approval_needed", "text": "SO-2 (深圳恒达电子有限公司) is waiting for your approval.",
        "url": "/orders/SO-2/", "read": False, "read_at": None}
    assert newest["created_at"]
    assert api.get("/api/notifications", {"limit": 1, "offset": 1}).json()["items"][0]["id"] == first.pk


def test_a_message_nobody_registered_reads_as_its_key(api):
    Notification.objects.create(user=api.user, key="something_new", params={})
    assert api.get("/api/notifications").json()["items"][0]["text"] == "something_new"


def test_marks_one_read_then_only_the_unread_are_listed(api):
    first, second = tell(api.user, "SO-1"), tell(api.user, "SO-2")
    read = api.post(f"/api/notifications/{first.pk}/read")
    assert read.status_code == 200 and read.json()["read"] is True and read.json()["read_at"]
    assert api.post(f"/api/notifications/{first.pk}/read").json() == read.json()  # again: no change
    unread = api.get("/api/notifications", {"unread": "true"}).json()
    assert [n["id"] for n in unread["items"]] == [second.pk]
    assert api.get("/api/notifications").json()["count"] == 2
    assert notifications.unread_count(api.user) == 1


def test_marks_all_mine_read_and_leaves_others_alone(api, api_for):
    tell(api.user, "SO-1")
    tell(api.user, "SO-2")
    other = api_for(Role.FINANCE)
    theirs = tell(other.user, "SO-3")
    answer = api.post("/api/notifications/read-all")
    assert answer.status_code == 200 and answer.json() == {"marked": 2}
    assert api.post("/api/notifications/read-all").json() == {"marked": 0}
    assert notifications.unread_count(api.user) == 0 and notifications.unread_count(other.user) == 1
    refused = api.post(f"/api/notifications/{theirs.pk}/read")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_bad_ids_and_filters_are_refused(api):
    assert api.post("/api/notifications/999999/read").status_code == 404
    bad_id = api.post("/api/notifications/abc/read")
    assert bad_id.status_code == 422 and set(bad_id.json()["detail"]["fields"]) == {"notification_id"}
    bad_filter = api.get("/api/notifications", {"unread": "maybe"})
    assert bad_filter.status_code == 422 and set(bad_filter.json()["detail"]["fields"]) == {"unread"}


def test_signed_out_callers_get_401(client):
    assert client.get("/api/notifications").status_code == 401
    assert client.post("/api/notifications/read-all").status_code == 401
