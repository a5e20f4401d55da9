"""Idempotency-Key on creating POSTs (exercised on POST /api/tokens, which every later endpoint mirrors)."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from kaidan.core.models import ApiToken, IdempotencyRecord
from kaidan.core.roles import Role

pytestmark = pytest.mark.django_db


def tokens_named(user, name):
    return ApiToken.objects.filter(user=user, name=name).count()


class TestReplay:
    def test_a_retry_returns_the_first_response_and_creates_nothing_more(self, api_for):
        api = api_for(Role.SALES)
        first = api.post("/api/tokens", {"name": "erp-sync"}, headers={"Idempotency-Key": "k-1"})
        again = api.post("/api/tokens", {"name": "erp-sync"}, headers={"Idempotency-Key": "k-1"})
        assert first.status_code == again.status_code == 201
        assert again.content == first.content
        assert again["Idempotent-Replayed"] == "true"
        assert tokens_named(api.user, "erp-sync") == 1

    def test_without_a_key_each_post_creates(self, api_for):
        api = api_for(Role.SALES)
        api.post("/api/tokens", {"name": "x"})
        api.post("/api/tokens", {"name": "x"})
        assert tokens_named(api.user, "x") == 2

    def test_the_same_key_with_another_body_is_refused(self, api_for):
        api = api_for(Role.SALES)
        api.post("/api/tokens", {"name": "a"}, headers={"Idempotency-Key": "k-2"})
        response = api.post("/api/tokens", {"name": "b"}, headers={"Idempotency-Key": "k-2"})
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert "Idempotency-Key" in response.json()["detail"]["fields"]
        assert tokens_named(api.user, "b") == 0

    def test_keys_belong_to_one_user(self, api_for):
        alice, bob = api_for(Role.SALES), api_for(Role.FINANCE)
        alice.post("/api/tokens", {"name": "same"}, headers={"Idempotency-Key": "shared"})
        response = bob.post("/api/tokens", {"name": "same"}, headers={"Idempotency-Key": "shared"})
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response
        assert tokens_named(bob.user, "same") == 1

    def test_a_failed_request_releases_its_key(self, api_for):
        api = api_for(Role.SALES)
        bad = api.post("/api/tokens", {"name": ""}, headers={"Idempotency-Key": "k-3"})
        assert bad.status_code == 422
        assert not IdempotencyRecord.objects.filter(key="k-3").exists()
        good = api.post("/api/tokens", {"name": ""}, headers={"Idempotency-Key": "k-3"})
        assert good.status_code == 422  # same input, same answer, still nothing stored

    def test_a_request_still_running_gets_409(self, api_for):
        api = api_for(Role.SALES)
        body = json.dumps({"name": "slow"}).encode()
        import hashlib
        digest = hashlib.sha256(b"POST /api/tokens\n" + body).hexdigest()
        IdempotencyRecord.objects.create(user=api.user, key="k-4", request_hash=digest)
        response = api.post("/api/tokens", raw=body.decode(), headers={"Idempotency-Key": "k-4"})
        assert response.status_code == 409
        assert response.json()["code"] == "conflict"
        assert tokens_named(api.user, "slow") == 0

    @pytest.mark.parametrize("key", ["k" * 201, "", "with space", "tab\there"])
    def test_a_malformed_key_is_refused(self, api_for, key):
        response = api_for().post("/api/tokens", {"name": "x"}, headers={"Idempotency-Key": key})
        assert response.status_code == 422
        assert "Idempotency-Key" in response.json()["detail"]["fields"]

    def test_expired_records_are_purged_and_their_key_is_free_again(self, api_for, settings):
        from datetime import timedelta

        from django.core.management import call_command
        from django.utils import timezone

        api = api_for()
        api.post("/api/tokens", {"name": "old"}, headers={"Idempotency-Key": "k-old"})
        IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
        call_command("purge_idempotency_keys")
        assert not IdempotencyRecord.objects.exists()
        again = api.post("/api/tokens", {"name": "old"}, headers={"Idempotency-Key": "k-old"})
        assert again.status_code == 201 and "Idempotent-Replayed" not in again


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_the_same_key_create_once(make_user):
    from kaidan.core import services

    user = make_user(Role.SALES)
    _token, secret = services.create_api_token(user=user, name="setup")
    statuses, bodies = [], []
    barrier = threading.Barrier(8)

    def call():
        try:
            barrier.wait()
            response = Client().post("/api/tokens", json.dumps({"name": "race"}), content_type="application/json",
                                     HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_IDEMPOTENCY_KEY="race-key")
            statuses.append(response.status_code)
            bodies.append(response.content)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert tokens_named(user, "race") == 1
    assert set(statuses) <= {201, 409}
    created = [b for s, b in zip(statuses, bodies, strict=True) if s == 201]
    assert created and all(b == created[0] for b in created)


def test_multipart_bodies_are_hashed_from_their_parts(rf):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kaidan.core.idempotency import _request_hash

    def upload(content: bytes, name="a.xlsx"):
        return rf.post("/api/imports/products", {"dry_run": "true", "file": SimpleUploadedFile(name, content)})

    assert _request_hash(upload(b"x" * 3_000_000)) == _request_hash(upload(b"x" * 3_000_000))
    assert _request_hash(upload(b"one")) != _request_hash(upload(b"two"))
    assert _request_hash(upload(b"one", "a.xlsx")) != _request_hash(upload(b"one", "b.xlsx"))
