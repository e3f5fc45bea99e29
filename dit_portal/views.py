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
