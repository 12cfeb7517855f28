"""Lesson bodies: Markdown rendered without raw HTML, so a lesson cannot carry a script.

markdown-it-py escapes every HTML tag when ``html`` is off and refuses ``javascript:``,
``vbscript:``, ``file:`` and non-image ``data:`` link targets (its ``validateLink``).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str) -> Markup:
    """``text`` as safe HTML."""
    return Markup(_markdown.render(text or ""))
