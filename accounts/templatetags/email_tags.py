"""Filters for the HTML part of emails (``meetsies.mail``): plain text in the site's design."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

LINK_STYLE = "color: #9a3412; text-decoration: underline; word-break: break-all;"
BUTTON_STYLE = (
    "display: inline-block; background: #9a3412; color: #ffffff; padding: 10px 18px; "
    "border-radius: 6px; text-decoration: none; font-weight: 600;"
)
PARAGRAPH_STYLE = "margin: 0 0 14px 0;"
URL = re.compile(r"(https?://[^\s<>\"]+)")
LABELLED_URL = re.compile(r"^(?P<label>[^:\n]{1,80}):\s*(?P<url>https?://\S+)$")
BARE_URL = re.compile(r"^(?P<url>https?://\S+)$")


def _line(line: str) -> str:
    """One line of text: "Label: URL" and a URL alone become buttons, other URLs links."""
    stripped = line.strip()
    match = LABELLED_URL.match(stripped) or BARE_URL.match(stripped)
    if match:
        url = match.group("url")
        label = match.groupdict().get("label") or url
        style = BUTTON_STYLE if match.groupdict().get("label") else LINK_STYLE
        return format_html('<a href="{}" style="{}">{}</a>', url, style, label.strip())
    parts = URL.split(line)
    html = []
    for index, part in enumerate(parts):
        if index % 2:
            html.append(format_html('<a href="{}" style="{}">{}</a>', part, LINK_STYLE, part))
        else:
            html.append(escape(part))
    return "".join(html)


@register.filter(is_safe=True)
def email_paragraphs(text: str) -> SafeString:
    """Plain text as HTML paragraphs (blank lines separate them), escaped, links clickable."""
    paragraphs = [block for block in re.split(r"\n\s*\n", str(text).strip()) if block.strip()]
    out = []
    for block in paragraphs:
        lines = "<br>\n".join(_line(line) for line in block.strip().splitlines())
        out.append(f'<p style="{PARAGRAPH_STYLE}">{lines}</p>')
    return mark_safe("\n".join(out))  # noqa: S308 - every piece is escaped above
