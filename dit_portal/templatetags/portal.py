from django import template

from dit_portal.markup import render_markdown
from dit_portal.text import lower_in_sentence

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.filter(name="lower_in_sentence")
def lower_in_sentence_filter(text):
    """`|lower` for a label inside a sentence: "DIT case" -> "DIT case", "Peer" -> "peer"."""
    return lower_in_sentence(text)
