"""Markdown written by coordinators, rendered to HTML that is safe to show."""

import markdown
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}


def render_markdown(text):
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    safe_html = nh3.clean(html, tags=ALLOWED_TAGS, link_rel="noopener noreferrer")
    return mark_safe(safe_html)  # noqa: S308 - sanitised by nh3 on the line above
