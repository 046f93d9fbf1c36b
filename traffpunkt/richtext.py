"""Event descriptions: plain text with a little Markdown, shown safely everywhere.

Organisers type descriptions in a text box. What they expect to keep is what a mail client
keeps: paragraphs (a blank line), line breaks, lists (`- `, `* ` or `1. ` at the start of a
line), links (`[text](https://…)`, and bare `https://…` or `www.…` addresses). Everything else
is text: HTML typed into a description is shown as typed, never interpreted.

- Pages get HTML from markdown-it-py (the CommonMark reference port for Python, with
  linkify-it for bare addresses) with raw HTML off and only the rules above enabled; links
  open safely (`rel="noopener nofollow ugc"`) and only http(s) and mailto addresses become
  links (markdown-it's own link validation refuses `javascript:` and the like).
- Feeds, JSON-LD and meta descriptions get plain text in which a link keeps its address:
  `[programmet](https://…)` becomes `programmet (https://…)`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

_SAFE_SCHEMES = ("http://", "https://", "mailto:")
LINK_REL = "noopener nofollow ugc"


@functools.cache
def _renderer() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": True, "typographer": False})
    md.enable(["paragraph", "newline", "list", "link", "linkify", "autolink", "escape"])
    md.validateLink = _is_safe_link  # type: ignore[method-assign]

    def link_open(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", LINK_REL)
        return str(renderer.renderToken(tokens, idx, options, env))

    md.add_render_rule("link_open", link_open)
    return md


def _is_safe_link(url: str) -> bool:
    return url.strip().lower().startswith(_SAFE_SCHEMES)


def to_html(text: str | None) -> Markup:
    """The description as safe HTML for a page (escaped text, the subset above as markup)."""
    if not text or not text.strip():
        return Markup("")
    return Markup(_renderer().render(text.strip()))


_MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\((\S+?)\)")


def to_plain(text: str | None) -> str:
    """The description as plain text for feeds and JSON-LD: a link shows its address."""
    if not text:
        return ""
    return _MARKDOWN_LINK.sub(r"\1 (\2)", text.strip())


def summary(text: str | None, limit: int = 160) -> str:
    """One line of plain text for a meta description: whole words, at most `limit` characters."""
    flat = " ".join(to_plain(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]  # the last word only when whole
    return f"{cut}…"
