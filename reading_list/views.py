from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import exports, selectors
from .forms import ReadingFilterForm
from .models import Topic


def _filtered(request):
    form = ReadingFilterForm(request.GET or None)
    filters = {}
    keys = None
    if form.is_valid():
        data = form.cleaned_data
        filters = {"query": data["q"].strip(), "topic": data["topic"], "kind": data["kind"], "dit_only": data["dit"]}
        if data["ref"]:
            keys = [reference.key for reference in data["ref"]]
    return form, filters, keys


@require_safe
def reading_list(request):
    form, filters, _keys = _filtered(request)
    found = list(selectors.references(**filters))
    all_topics = list(Topic.objects.all())
    topics = [filters["topic"]] if filters.get("topic") is not None else all_topics
    return render(
        request,
        "reading_list/list.html",
        {
            "form": form,
            "all_topics": all_topics,
            "groups": selectors.grouped_by_topic(found, topics),
            "count": len(found),
            "dit_count": sum(1 for reference in found if reference.is_about_dit),
            "filtered": any(filters.values()),
            "query_string": request.GET.urlencode(),
        },
    )


def _export(request, render_export, content_type, extension):
    form, filters, keys = _filtered(request)
    if request.GET and not form.is_valid():
        return render(request, "reading_list/export_error.html", {"form": form}, status=400)
    found = selectors.references(**filters, keys=keys)
    response = HttpResponse(render_export(found), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dit-recommended-reading.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def export_bibtex(request):
    return _export(request, exports.to_bibtex, "application/x-bibtex", "bib")


@require_safe
def export_ris(request):
    return _export(request, exports.to_ris, "application/x-research-info-systems", "ris")
