"""Request bodies bounded per URL, refused before they are read.

Django reads a POST body when something first asks for `request.POST` (CSRF does, for every
POST), and spools file parts to disk whatever their size: a 200 MB POST to the contact page
was written whole to disk before the view ran. `RequestBodyLimitMiddleware` (first in the
chain) refuses a body whose declared length is over the limit of its URL with 413 and the
portal's page, without reading a byte of it. Every other body is read through
`BodyLimitUploadHandler`, which stops at the limit whatever the length said: a body of
unknown length (chunked) never gets further than the limit. (Django itself reads no body
without a length; the handler keeps the bound if a server hands it one.)

A view that accepts files says so with `@accepts_uploads(files=n)`: its limit is n files of
MAX_UPLOAD_SIZE plus the plain-form limit. Every other URL takes a plain form
(REQUEST_BODY_LIMIT). The admin takes files (imports, resources): ADMIN_REQUEST_BODY_LIMIT.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class RequestBodyTooLarge(Exception):
    pass


def accepts_uploads(files=1):
    """Mark a view as taking up to `files` uploaded files (put it outermost)."""

    def mark(view):
        view.upload_files = files
        return view

    return mark


def body_limit(view, resolver_match):
    """The most bytes a request to this view may send."""
    files = getattr(view, "upload_files", 0)
    if files:
        return files * settings.MAX_UPLOAD_SIZE + settings.REQUEST_BODY_LIMIT
    if resolver_match is not None and resolver_match.app_name == "admin":
        return settings.ADMIN_REQUEST_BODY_LIMIT
    return settings.REQUEST_BODY_LIMIT


def too_large(request, limit):
    megabyte = 1024 * 1024
    context = {"limit_mb": max(limit // megabyte, 1), "file_limit_mb": max(settings.MAX_UPLOAD_SIZE // megabyte, 1)}
    return render(request, "errors/413.html", context, status=413)


class BodyLimitUploadHandler(FileUploadHandler):
    """Counts the bytes of the files as they arrive and stops the upload at the limit."""

    def __init__(self, request, limit):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise RequestBodyTooLarge
        return raw_data

    def file_complete(self, file_size):
        return None


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in BODY_METHODS:
            return None
        limit = body_limit(view_func, request.resolver_match)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None  # Django answers a malformed length itself
        if declared > limit:
            return too_large(request, limit)
        # Within the declared length, or none declared (chunked): the form is read now
        # (CSRF would read it next), through the handler that stops at the limit.
        request.upload_handlers.insert(0, BodyLimitUploadHandler(request, limit))
        try:
            request.POST  # noqa: B018 - parses the body and its files here, bounded
        except RequestBodyTooLarge:
            return too_large(request, limit)
        return None
