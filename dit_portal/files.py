"""Private uploads: validated on the way in, stored outside any web root under generated
names, and sent back only through a view that has checked permission."""

import os
import uuid
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import models
from django.http import FileResponse, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header


def private_storage():
    return storages["private"]


class PrivateFileField(models.FileField):
    """A FileField on the "private" storage as configured now.

    `FileField(storage=private_storage)` calls the callable once, when models load, so a
    later change of STORAGES (as every test makes) would not reach it and uploads would
    land in the real private directory. Looking the storage up on each use follows it.
    """

    def __init__(self, *args, **kwargs):
        kwargs.pop("storage", None)
        super().__init__(*args, **kwargs)

    @property
    def storage(self):
        return private_storage()

    @storage.setter
    def storage(self, value):
        pass  # always the private storage

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("storage", None)
        return name, path, args, kwargs


@deconstructible
class GeneratedName:
    """upload_to that keeps only the extension of the uploaded name."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        extension = os.path.splitext(filename)[1].lower()[:10]
        return f"{self.folder}/{uuid.uuid4().hex}{extension}"

    def __eq__(self, other):
        return isinstance(other, GeneratedName) and other.folder == self.folder


@dataclass(frozen=True)
class FileKind:
    extension: str
    mime: str | None  # None: plain text formats that have no magic bytes
    label: str
    also: tuple = ()  # other types the content may be detected as (a real .docx is OOXML, not bare zip)


PDF = FileKind(".pdf", "application/pdf", "PDF")
JPEG = FileKind(".jpg", "image/jpeg", "JPEG image")
JPEG_LONG = FileKind(".jpeg", "image/jpeg", "JPEG image")
PNG = FileKind(".png", "image/png", "PNG image")
DOCX = FileKind(
    ".docx",
    "application/zip",
    "Word document",
    also=("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
)
XLSX = FileKind(
    ".xlsx",
    "application/zip",
    "Excel workbook",
    also=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
)
CSV = FileKind(".csv", None, "CSV file")
EVIDENCE_KINDS = (PDF, JPEG, JPEG_LONG, PNG, DOCX)


def validate_upload(upload, kinds=EVIDENCE_KINDS, max_size=None):
    """Refuse a file that is too big, or whose name or content is not one of `kinds`."""
    max_size = max_size or settings.MAX_UPLOAD_SIZE
    if upload.size > max_size:
        raise ValidationError(
            "“%(name)s” is %(size)s; files may be at most %(limit)s.",
            code="file_too_large",
            params={"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_size)},
        )
    if upload.size == 0:
        raise ValidationError("“%(name)s” is empty.", code="file_empty", params={"name": upload.name})
    extension = os.path.splitext(upload.name)[1].lower()
    allowed = ", ".join(sorted({kind.label for kind in kinds}))
    matching = [kind for kind in kinds if kind.extension == extension]
    if not matching:
        raise ValidationError(
            "“%(name)s” is not an accepted file type. Accepted: %(allowed)s.",
            code="file_type",
            params={"name": upload.name, "allowed": allowed},
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    guessed = filetype.guess_mime(head)
    kind = matching[0]
    looks_like_text = guessed is None and b"\x00" not in head
    ok = looks_like_text if kind.mime is None else guessed in (kind.mime, *kind.also)
    if not ok:
        raise ValidationError(
            "The content of “%(name)s” does not match a %(label)s.",
            code="file_content",
            params={"name": upload.name, "label": kind.label},
        )


def private_file_response(field_file, download_name):
    """Answer with the file as an attachment; the caller has already checked permission."""
    accel_prefix = settings.PRIVATE_MEDIA_ACCEL_PREFIX
    if accel_prefix:
        response = HttpResponse()
        response["X-Accel-Redirect"] = f"{accel_prefix.rstrip('/')}/{field_file.name}"
        response["Content-Type"] = ""
        response["Content-Disposition"] = content_disposition_header(True, download_name)
    else:
        response = FileResponse(field_file.open("rb"), as_attachment=True, filename=download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
