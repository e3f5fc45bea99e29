"""Private uploads: validated on the way in (each format checked the way it is built),
pictures re-encoded, counted against each person's quota, stored outside any web root
under generated names with mode 0600, and sent back only through a view that has checked
permission."""

import io
import os
import unicodedata
import uuid
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PdfStreamError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from dit_portal.text import with_article


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
    # Office Open XML: the package's main part and its content type.
    main_part: str = ""
    main_content_type: str = ""


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

PDF = FileKind(".pdf", "application/pdf", "PDF")
JPEG = FileKind(".jpg", "image/jpeg", "JPEG image")
JPEG_LONG = FileKind(".jpeg", "image/jpeg", "JPEG image")
PNG = FileKind(".png", "image/png", "PNG image")
DOCX = FileKind(".docx", None, "Word document", main_part="word/document.xml", main_content_type=WORD_MAIN)
XLSX = FileKind(".xlsx", None, "Excel workbook", main_part="xl/workbook.xml", main_content_type=EXCEL_MAIN)
CSV = FileKind(".csv", None, "CSV file")
EVIDENCE_KINDS = (PDF, JPEG, JPEG_LONG, PNG, DOCX)
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def _refuse(message, code, upload, **params):
    raise ValidationError(message, code=code, params={"name": upload.name, **params})


def validate_upload(upload, kinds=EVIDENCE_KINDS, max_size=None):
    """Refuse a file that is too big, or whose name or content is not one of `kinds`:
    its content is checked the way its format is built, not only by its first bytes."""
    max_size = max_size or settings.MAX_UPLOAD_SIZE
    if upload.size > max_size:
        raise ValidationError(
            "“%(name)s” is %(size)s; files may be at most %(limit)s.",
            code="file_too_large",
            params={"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_size)},
        )
    if upload.size == 0:
        raise ValidationError("“%(name)s” is empty.", code="file_empty", params={"name": upload.name})
    kind = _kind_of(upload, kinds)
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if kind.main_part:
        _check_office_package(upload, kind)
    else:
        guessed = filetype.guess_mime(head)
        looks_like_text = guessed is None and b"\x00" not in head
        if not (looks_like_text if kind.mime is None else guessed == kind.mime):
            _refuse(
                "The content of “%(name)s” does not match %(label)s.",
                "file_content",
                upload,
                label=with_article(kind.label),
            )
    if kind is PDF:
        _check_pdf(upload)
    elif kind.mime in IMAGE_FORMATS:
        _open_image(upload, kind)
    upload.seek(0)


def _kind_of(upload, kinds):
    extension = os.path.splitext(upload.name)[1].lower()
    matching = [kind for kind in kinds if kind.extension == extension]
    if not matching:
        allowed = ", ".join(sorted({kind.label for kind in kinds}))
        _refuse("“%(name)s” is not an accepted file type. Accepted: %(allowed)s.", "file_type", upload, allowed=allowed)
    return matching[0]


# Office documents ------------------------------------------------------------------------


def _check_office_package(upload, kind):
    """A .docx or .xlsx is a zip package with a content-types part that declares the
    document's main part, which must be there. What it unpacks to is capped (in total and
    against its packed size), so a zip bomb is refused; macro-enabled documents are too."""
    not_office = ("“%(name)s” is not %(label)s: its content is not an Office document.", "file_content")
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            members = package.infolist()
            if len(members) > settings.OFFICE_MAX_PARTS:
                _refuse(*not_office, upload, label=with_article(kind.label))
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or kind.main_part not in names:
                _refuse(*not_office, upload, label=with_article(kind.label))
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                _refuse("“%(name)s” contains macros; save it without them.", "file_macros", upload)
            _check_unpacked_size(package, members, upload)
            content_types = package.read("[Content_Types].xml")
            outside = _reaches_outside(package, names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, zlib.error):
        _refuse(*not_office, upload, label=with_article(kind.label))
    if outside:
        _refuse(
            "“%(name)s” contains %(what)s: opening it would reach another computer. Remove it (or save a copy "
            "without it) and upload the file again.",
            "file_external",
            upload,
            what=outside,
        )
    declared = f'PartName="/{kind.main_part}" ContentType="{kind.main_content_type}"'.encode()
    if declared not in content_types.replace(b"'", b'"'):
        _refuse(*not_office, upload, label=with_article(kind.label))


RELATIONSHIP_TAG = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# An external relationship Word or Excel follows when the file opens, by its type's last word.
EXTERNAL_RELATIONSHIPS = {
    "attachedTemplate": "a template attached from a web address or network share",
    "externalLinkPath": "links to another workbook",
    "hyperlink": "a link to a file on a network share or this computer",
    "oleObject": "an object linked from outside the document",
    "image": "a picture linked from outside the document",
    "frame": "a frame loaded from outside the document",
    "subDocument": "a document included from outside it",
}
HYPERLINK_SCHEMES = ("http://", "https://", "mailto:")


def _reaches_outside(package, names):
    """What in an Office package reaches outside it when opened, or "": links to other
    workbooks and data connections, and every relationship with TargetMode="External" (a
    remote attached template, file:// or http targets) but a web or mail hyperlink, which
    opens only when clicked. ValueError for a relationships part that is not plain XML."""
    lowered = {name.lower() for name in names}
    if any(name.startswith("xl/externallinks/") for name in lowered):
        return "links to another workbook"
    if "xl/connections.xml" in lowered:
        return "a data connection to an outside source"
    for name in names:
        if not name.lower().endswith(".rels"):
            continue
        data = package.read(name)
        if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
            raise ValueError("a DTD in a relationships part")
        try:
            root = ElementTree.fromstring(data)  # noqa: S314 - DTDs (entities) are refused just above
        except ElementTree.ParseError as error:
            raise ValueError(str(error)) from error
        for relationship in root.iter(RELATIONSHIP_TAG):
            if relationship.get("TargetMode", "").lower() != "external":
                continue
            kind = relationship.get("Type", "").rsplit("/", 1)[-1]
            target = relationship.get("Target", "").strip().lower()
            if kind == "hyperlink" and target.startswith(HYPERLINK_SCHEMES):
                continue
            return EXTERNAL_RELATIONSHIPS.get(kind, "content loaded from outside the document")
    return ""


def _check_unpacked_size(package, members, upload):
    """Count the bytes the package really unpacks to while reading it (the sizes its
    directory claims can lie), and stop as soon as they pass OFFICE_MAX_UNPACKED_SIZE or
    OFFICE_MAX_COMPRESSION_RATIO times the file's own size."""
    limit = min(settings.OFFICE_MAX_UNPACKED_SIZE, settings.OFFICE_MAX_COMPRESSION_RATIO * upload.size)
    total = 0
    for member in members:
        with package.open(member) as part:
            while chunk := part.read(64 * 1024):
                total += len(chunk)
                if total > limit:
                    _refuse("“%(name)s” unpacks to far more than its size; it is refused.", "file_zip_bomb", upload)


# PDF -------------------------------------------------------------------------------------

# What a PDF may not carry: code it runs, programs it starts, files hidden inside it.
PDF_FORBIDDEN_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/Launch": "an action that starts a program",
    "/EmbeddedFiles": "embedded files",
    "/EmbeddedFile": "embedded files",
    "/EF": "embedded files",
    "/RichMedia": "embedded media",
    "/XFA": "an XFA form (which can run scripts)",
}
PDF_FORBIDDEN_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "an action that starts a program",
    # actions that reach another computer, from a link or as the document opens (/OpenAction)
    "/URI": "a link to a web address (a PDF reader may call it by itself)",
    "/SubmitForm": "a form that sends its content to a web address",
    "/ImportData": "a form that imports data from another file",
    "/GoToR": "a link to another file",
    "/GoToE": "a link to an embedded file",
}


def _check_pdf(upload):
    """Read the PDF with pypdf and walk every object reachable from its trailer; refuse
    JavaScript, launch actions, embedded files and actions that reach another computer
    (web links, form submission, remote files) wherever they hide."""
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            _refuse("“%(name)s” is password-protected; upload it without a password.", "file_encrypted", upload)
        found = _pdf_forbidden(reader.trailer)
    except ValidationError:
        raise
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        _refuse("“%(name)s” is not a readable PDF.", "file_content", upload)
    if found:
        _refuse(
            "“%(name)s” contains %(what)s, which is not accepted in a PDF.", "file_active_content", upload, what=found
        )


def _pdf_forbidden(root):
    seen = set()
    pending = [root]
    visited = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > settings.PDF_MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(item, DictionaryObject):
            for name in item:
                if name in PDF_FORBIDDEN_KEYS:
                    return PDF_FORBIDDEN_KEYS[name]
            action = item.get("/S")
            if action in PDF_FORBIDDEN_ACTIONS:
                return PDF_FORBIDDEN_ACTIONS[action]
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return None


# Images ----------------------------------------------------------------------------------


def _open_image(upload, kind):
    """The decoded picture, or a clear refusal when it is not a whole, sane image."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format != IMAGE_FORMATS[kind.mime]:
                raise ValueError(image.format)
            if image.width * image.height > settings.IMAGE_MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        _refuse("“%(name)s” is too large a picture; scale it down and try again.", "image_too_large", upload)
    except (OSError, ValueError, SyntaxError):
        _refuse("“%(name)s” is not %(label)s.", "file_content", upload, label=with_article(f"readable {kind.label}"))
    return image


def reencoded_image(upload, kind):
    """The picture drawn afresh: only its pixels (turned as its orientation says) are kept,
    so whatever was appended to or hidden in the file (scripts, archives, comments, EXIF
    metadata such as GPS positions, colour profiles, text chunks) is dropped. Pillow writes
    back what `info` holds (a JPEG comment, for one), so only a PNG's transparency stays."""
    image = ImageOps.exif_transpose(_open_image(upload, kind))
    image.info = {key: value for key, value in image.info.items() if key == "transparency" and kind is PNG}
    output = io.BytesIO()
    if kind.mime == "image/jpeg":
        image.convert("RGB").save(output, format="JPEG", quality=90, optimize=True)
    else:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(output, format="PNG", optimize=True)
    return SimpleUploadedFile(upload.name, output.getvalue(), content_type=kind.mime)


# Storing ---------------------------------------------------------------------------------


def shown_name(name, limit=255):
    """The name a person gave their file, fit to keep and show: no folders, no control or
    format characters (a right-to-left override makes “invoice‮gpj.pdf” read as
    “invoicefdp.jpg”), spaces tidied, at most `limit` characters with the extension kept."""
    name = os.path.basename(name.replace("\\", "/"))
    name = " ".join("".join(char for char in name if unicodedata.category(char) not in ("Cc", "Cf")).split())
    if not name or name.startswith("."):
        name = f"file{name}"
    stem, extension = os.path.splitext(name)
    extension = extension[:10]
    return stem[: limit - len(extension)] + extension


def prepare_upload(upload, kinds=EVIDENCE_KINDS, *, max_size=None):
    """Validate `upload` and return the file to store: pictures re-encoded, others as sent."""
    validate_upload(upload, kinds, max_size)
    kind = _kind_of(upload, kinds)
    if kind.mime in IMAGE_FORMATS:
        return reencoded_image(upload, kind)
    return upload


# Each person's uploads count towards PRIVATE_STORAGE_QUOTA. Apps that keep a person's
# files say where: (model, the lookup from it to the person, the field holding the size).
_QUOTA_SOURCES = []


def count_towards_quota(model, *, owner, size_field):
    """Called by an app (in its AppConfig.ready) for each model that stores a person's files."""
    source = (model, owner, size_field)
    if source not in _QUOTA_SOURCES:
        _QUOTA_SOURCES.append(source)


def storage_used_by(person):
    total = 0
    for model, owner, size_field in _QUOTA_SOURCES:
        total += model.objects.filter(**{owner: person}).aggregate(total=Sum(size_field))["total"] or 0
    return total


def check_storage_quota(person, incoming):
    """Refuse `incoming` bytes more for `person` when they would pass the quota."""
    quota = settings.PRIVATE_STORAGE_QUOTA
    used = storage_used_by(person)
    if used + incoming > quota:
        raise ValidationError(
            "These files (%(incoming)s) would take your uploads past the %(quota)s each person may store "
            "(you use %(used)s). Please upload smaller files, or ask the coordinators to remove files you no "
            "longer need.",
            code="storage_quota",
            params={
                "incoming": filesizeformat(incoming),
                "quota": filesizeformat(quota),
                "used": filesizeformat(used),
            },
        )


def private_file_response(field_file, download_name):
    """Answer with the file as an attachment; the caller has already checked permission.
    A file that is gone (erased, past its retention period, lost) answers 404, never 500."""
    if not field_file or not field_file.storage.exists(field_file.name):
        raise Http404("This file has been deleted.")
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
