from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage


def test_files_go_to_disk_under_media_root_by_default(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path, "base_url": "/media/"}},
    }
    if settings.AWS_STORAGE_BUCKET_NAME:
        return  # configured for S3: covered below
    name = default_storage.save("notes/hello.txt", ContentFile(b"hello"))

    assert isinstance(default_storage, FileSystemStorage)
    assert (tmp_path / name).read_bytes() == b"hello"
    assert default_storage.url(name) == f"/media/{name}"


def test_s3_storage_round_trips_a_file_through_a_real_s3_server(s3_storage, s3_bucket, s3_server):
    name = s3_storage.save("avatars/me.txt", ContentFile(b"s3 bytes"))

    assert s3_storage.exists(name)
    with s3_storage.open(name) as fh:
        assert fh.read() == b"s3 bytes"
    assert s3_storage.size(name) == 8
    url = s3_storage.url(name)
    assert url.startswith(f"{s3_server}/{s3_bucket}/media/avatars/") and "Signature" in url

    s3_storage.delete(name)
    assert not s3_storage.exists(name)


def test_s3_storage_never_overwrites_an_existing_name(s3_storage):
    first = s3_storage.save("docs/a.txt", ContentFile(b"one"))
    second = s3_storage.save("docs/a.txt", ContentFile(b"two"))

    assert first != second
    with s3_storage.open(first) as fh:
        assert fh.read() == b"one"
