"""Product pictures: only real JPEG/PNG/WebP pictures up to 5 MB are kept, each with a thumbnail;
one is primary; they are streamed to signed-in users only. Files live in a temporary MEDIA_ROOT."""

import io
import os

import pytest
from django.core.files.storage import default_storage
from django.utils import translation
from PIL import Image

from kaidan.catalog import image_services, imaging
from kaidan.catalog.models import ProductImage
from kaidan.core.errors import ValidationFailed
from kaidan.core.roles import Role
from tests.catalog.factories import add_picture, make_product, picture_bytes, upload

pytestmark = pytest.mark.django_db

FIVE_MB = 5 * 1024 * 1024


def refused(product, **picture) -> list[str]:
    with pytest.raises(ValidationFailed) as err, translation.override("en"):
        add_picture(product, **picture)
    assert list(err.value.fields) == ["file"]
    assert not ProductImage.objects.filter(product=product).exists()
    return err.value.fields["file"]


def post_picture(api, product, data: bytes, name="photo.jpg", headers=None):
    file = upload(name=name, data=data, content_type="image/jpeg")
    return api.client.post(f"/api/products/{product.pk}/images", {"file": file}, **api._headers(headers))


class TestWhatIsAccepted:
    @pytest.mark.parametrize("fmt, content_type", [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                                   ("WEBP", "image/webp")])
    def test_jpeg_png_and_webp_are_kept_with_a_thumbnail(self, admin, media_root, fmt, content_type):
        product = make_product(admin)
        image = add_picture(product, admin, name="相机照片.bin", data=picture_bytes(fmt, size=(1200, 900)))
        assert image.content_type == content_type and (image.width, image.height) == (1200, 900)
        assert image.original_name == "相机照片.bin" and image.file.name.startswith(f"products/{product.pk}/")
        assert (media_root / image.file.name).exists()
        with default_storage.open(image.thumbnail.name) as fp, Image.open(fp) as thumb:
            assert thumb.format == "JPEG" and max(thumb.size) == imaging.THUMBNAIL_SIZE

    def test_a_transparent_png_gets_a_white_thumbnail_background(self, admin):
        image = add_picture(make_product(admin), data=picture_bytes("PNG", mode="RGBA", colour=(0, 0, 0, 0)))
        with default_storage.open(image.thumbnail.name) as fp, Image.open(fp) as thumb:
            assert thumb.getpixel((0, 0)) == (255, 255, 255)

    def test_bytes_that_are_no_picture_are_refused_whatever_the_name(self, admin):
        message = refused(make_product(admin), name="photo.jpg", data=b"\xff\xd8\xff\xe0 not really a jpeg")
        assert message == ["Upload a JPEG, PNG or WebP picture; this file is not one."]

    @pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
    def test_other_picture_formats_are_refused(self, admin, fmt):
        assert refused(make_product(admin), name="photo.png", data=picture_bytes(fmt))

    def test_a_truncated_picture_is_refused(self, admin):
        data = picture_bytes("JPEG", size=(400, 300), colour="#abcdef")
        assert refused(make_product(admin), data=data[: len(data) // 2])

    def test_an_empty_file_is_refused(self, admin):
        assert refused(make_product(admin), data=b"")

    def test_a_file_over_5_mb_is_refused_before_it_is_decoded(self, admin):
        data = picture_bytes("PNG") + b"\0" * FIVE_MB
        assert refused(make_product(admin), data=data) == ["The image is larger than 5 MB."]

    def test_a_decompression_bomb_is_refused(self, admin):
        # given a tiny file that unpacks to 100 million pixels
        bomb = picture_bytes("PNG", size=(10_000, 10_000), mode="1", colour=0)
        assert len(bomb) < 100_000
        # then it is refused from its header, without decoding the pixels
        assert refused(make_product(admin), data=bomb) == ["The picture has too many pixels (at most 40 million)."]

    def test_a_product_has_at_most_a_dozen_pictures(self, admin, monkeypatch):
        monkeypatch.setattr(image_services, "MAX_IMAGES_PER_PRODUCT", 2)
        product = make_product(admin)
        add_picture(product)
        add_picture(product)
        with pytest.raises(ValidationFailed) as err:
            add_picture(product)
        assert list(err.value.fields) == ["file"] and product.images.count() == 2

    def test_client_file_names_are_cleaned(self):
        assert imaging.clean_file_name("C:\\Users\\王\\Desktop\\照片\x00.jpg") == "照片.jpg"
        assert imaging.clean_file_name("../../etc/passwd") == "passwd"


class TestPrimaryPicture:
    def test_the_first_upload_is_primary_and_the_next_are_not(self, admin):
        product = make_product(admin)
        first, second = add_picture(product), add_picture(product)
        assert first.is_primary and not second.is_primary and second.position > first.position

    def test_removing_the_primary_promotes_the_next_and_removes_the_files_after_commit(
            self, admin, media_root, django_capture_on_commit_callbacks):
        product = make_product(admin)
        first, second, third = add_picture(product), add_picture(product), add_picture(product)
        with django_capture_on_commit_callbacks(execute=True):
            image_services.remove_product_image(actor=admin, product_id=product.pk, image_id=first.pk)
        second.refresh_from_db()
        third.refresh_from_db()
        assert second.is_primary and not third.is_primary
        assert not (media_root / first.file.name).exists() and not (media_root / first.thumbnail.name).exists()

    def test_choosing_another_primary_leaves_exactly_one(self, admin):
        product = make_product(admin)
        first, second = add_picture(product), add_picture(product)
        image_services.set_primary_image(actor=admin, product_id=product.pk, image_id=second.pk)
        assert list(product.images.filter(is_primary=True)) == [second]
        first.refresh_from_db()
        assert not first.is_primary

    def test_picture_changes_are_in_the_product_history(self, admin):
        from kaidan.core.models import AuditEvent

        product = make_product(admin)
        first, second = add_picture(product, admin, name="正面.png"), add_picture(product, admin, name="背面.png")
        image_services.set_primary_image(actor=admin, product_id=product.pk, image_id=second.pk)
        image_services.remove_product_image(actor=admin, product_id=product.pk, image_id=first.pk)
        actions = list(AuditEvent.objects.filter(object_type="catalog.product", object_id=str(product.pk))
                       .order_by("id").values_list("action", flat=True))
        assert actions == ["created", "image_added", "image_added", "primary_image_set", "image_removed"]

    def test_deleting_a_product_removes_its_picture_files_after_commit(
            self, admin, media_root, django_capture_on_commit_callbacks):
        from kaidan.catalog import services

        product = make_product(admin)
        image = add_picture(product)
        with django_capture_on_commit_callbacks(execute=True):
            services.delete_product(actor=admin, product_id=product.pk)
        assert not ProductImage.objects.exists()
        assert not (media_root / image.file.name).exists() and not (media_root / image.thumbnail.name).exists()

    def test_a_picture_of_another_product_is_not_found(self, admin):
        from kaidan.core.errors import NotFound

        mine, theirs = make_product(admin), make_product(admin)
        image = add_picture(theirs)
        with pytest.raises(NotFound):
            image_services.set_primary_image(actor=admin, product_id=mine.pk, image_id=image.pk)


class TestApi:
    def test_uploads_a_picture_and_lists_it(self, api_for, admin):
        api, product = api_for(Role.SALES_MANAGER), make_product(admin)
        response = post_picture(api, product, picture_bytes("JPEG"))
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["is_primary"] is True and body["content_type"] == "image/jpeg"
        assert body["thumbnail_url"] == f"/products/images/{body['id']}/thumb/"
        listed = api.get(f"/api/products/{product.pk}/images").json()
        assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]

    def test_fake_picture_bytes_with_a_jpg_name_are_a_422_on_file(self, api_for, admin):
        response = post_picture(api_for(Role.ADMIN), make_product(admin), b"GIF89a but not", name="x.jpg",
                                headers={"Accept-Language": "en"})
        assert response.status_code == 422
        assert response.json()["detail"]["fields"] == {
            "file": ["Upload a JPEG, PNG or WebP picture; this file is not one."]}

    def test_an_oversized_upload_is_a_422_on_file(self, api_for, admin):
        response = post_picture(api_for(Role.ADMIN), make_product(admin), b"\xff" * (FIVE_MB + 100_000),
                                headers={"Accept-Language": "en"})
        assert response.status_code == 422
        assert response.json()["detail"]["fields"] == {"file": ["The image is larger than 5 MB."]}

    def test_a_keyed_upload_larger_than_djangos_body_cap_is_checked_like_any_other(self, api_for, admin, settings):
        # the Idempotency-Key check hashes multipart parts in chunks, so it never needs the whole body in memory
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
        response = post_picture(api_for(Role.ADMIN), make_product(admin), b"\xff" * (2 * 1024 * 1024),
                                headers={"Idempotency-Key": "big-1", "Accept-Language": "en"})
        assert response.status_code == 422
        assert response.json()["detail"]["fields"] == {
            "file": ["Upload a JPEG, PNG or WebP picture; this file is not one."]}

    def test_a_missing_file_is_a_422(self, api_for, admin):
        api = api_for(Role.ADMIN)
        response = api.client.post(f"/api/products/{make_product(admin).pk}/images", {}, **api._headers(None))
        assert response.status_code == 422
        assert list(response.json()["detail"]["fields"]) == ["file"]

    def test_an_upload_retried_with_its_idempotency_key_is_stored_once(self, api_for, admin):
        api, product = api_for(Role.ADMIN), make_product(admin)
        data = picture_bytes("PNG")
        first = post_picture(api, product, data, headers={"Idempotency-Key": "pic-1"})
        again = post_picture(api, product, data, headers={"Idempotency-Key": "pic-1"})
        assert first.status_code == again.status_code == 201 and again.json()["id"] == first.json()["id"]
        assert product.images.count() == 1

    def test_sets_the_primary_and_deletes(self, api_for, admin):
        api, product = api_for(Role.ADMIN), make_product(admin)
        first, second = add_picture(product), add_picture(product)
        assert api.post(f"/api/products/{product.pk}/images/{second.pk}/primary").json()["is_primary"] is True
        response = api.client.delete(f"/api/products/{product.pk}/images/{second.pk}", **api._headers(None))
        assert response.status_code == 204
        first.refresh_from_db()
        assert first.is_primary


class TestStreaming:
    def test_signed_in_users_get_the_picture_and_its_thumbnail(self, client_for, admin):
        image = add_picture(make_product(admin), data=picture_bytes("PNG", size=(800, 600)))
        client = client_for(Role.WAREHOUSE)
        original = client.get(f"/products/images/{image.pk}/")
        assert original.status_code == 200 and original["Content-Type"] == "image/png"
        assert b"".join(original.streaming_content) == picture_bytes("PNG", size=(800, 600))
        thumb = client.get(f"/products/images/{image.pk}/thumb/")
        assert thumb["Content-Type"] == "image/jpeg" and "private" in thumb["Cache-Control"]
        assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size == (320, 240)

    def test_anonymous_visitors_are_sent_to_the_login(self, client, admin):
        image = add_picture(make_product(admin))
        response = client.get(f"/products/images/{image.pk}/thumb/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_unknown_or_lost_files_are_404(self, client_for, admin):
        image = add_picture(make_product(admin))
        client = client_for(Role.SALES)
        assert client.get("/products/images/999999/").status_code == 404
        os.remove(default_storage.path(image.thumbnail.name))
        assert client.get(f"/products/images/{image.pk}/thumb/").status_code == 404
