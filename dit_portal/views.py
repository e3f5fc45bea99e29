import logging
import os
import tempfile

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import FrequentlyAskedQuestion, Page


@require_safe
@never_cache
def health(request):
    """Liveness for the load balancer or docker-compose: the process answers. It touches no
    database and no session, which also makes it the trivial page `make bench` compares with."""
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
@never_cache
def ready(request):
    """Readiness, for docker-compose's healthcheck and a load balancer: 200 when the
    database, the cache, the broker and the private file storage all answer, else 503
    naming the parts that are down (the details go to the log, not to the visitor)."""
    down = [part for part, check in READINESS_CHECKS if not _answers(part, check)]
    if down:
        return HttpResponse(f"not ready: {', '.join(down)} down\n", status=503, content_type="text/plain")
    return HttpResponse("ready\n", content_type="text/plain")


logger = logging.getLogger(__name__)


def _answers(part, check):
    try:
        check()
    except Exception:
        logger.exception("Readiness: the %s is down.", part)
        return False
    return True


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    redis_client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if redis_client is not None:
        # Past the fallback (dit_portal/cache.py): is Redis itself there?
        redis_client(write=True).ping()
    else:
        cache.set("portal:ready", "1", 5)


def _broker():
    from .celery import app

    if app.conf.task_always_eager:
        return  # no broker configured: tasks run in the request
    url = app.conf.broker_url
    if url.startswith(("redis://", "rediss://")):
        import redis

        with redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1) as client:
            client.ping()
        return
    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=2)


def _private_storage():
    from .files import private_storage

    storage = private_storage()
    location = getattr(storage, "location", None)
    if location is None:
        storage.listdir("")  # a storage elsewhere: it answers
        return
    os.makedirs(location, mode=0o700, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=location, prefix=".ready-"):
        pass  # the folder takes a new file


READINESS_CHECKS = [
    ("database", _database),
    ("cache", _cache),
    ("broker", _broker),
    ("private storage", _private_storage),
]


def home(request):
    page = Page.objects.filter(slug="home", is_published=True).first()
    return render(request, "pages/home.html", {"page": page})


def page_detail(request, slug):
    page = get_object_or_404(Page.objects.exclude(slug="home"), slug=slug, is_published=True)
    return render(request, "pages/page.html", {"page": page})


def faqs(request):
    questions = FrequentlyAskedQuestion.objects.filter(is_published=True)
    return render(request, "pages/faqs.html", {"questions": questions})


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    # Rendered without context processors: the database may be the reason we are here.
    return HttpResponseServerError(loader.render_to_string("errors/500.html"))


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_400(request, exception=None):
    # A part header of a multipart form passes Django's limit (1 KB) only when a file's name
    # is very long (some 340 accented or 250 Chinese characters): say so, not "bad request".
    name_too_long = isinstance(exception, MultiPartParserError) and "header size" in str(exception)
    return render(request, "errors/400.html", {"file_name_too_long": name_too_long}, status=400)
