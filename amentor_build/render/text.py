"""Teachers' and children's text as safe HTML, and the chips that show a colour with its words."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import nh3
from jinja2 import TemplateRuntimeError
from markupsafe import Markup, escape

from .. import judge

if TYPE_CHECKING:
    import markdown

ALLOWED_TAGS = {"p", "em", "strong", "ul", "ol", "li", "br", "a", "code", "blockquote"}
INLINE_TAGS = {"em", "strong", "br", "a", "code"}  # a line of text, such as a target: no blocks
# Text with none of these characters renders the same as escaped text in a paragraph, so it
# skips the Markdown parser (most comments are plain sentences; parsing is the costly part).
# A picture in Markdown (`![our trip](https://...)`, or by reference) as the parser writes it: a
# folder shows no picture from elsewhere, but keeps its words (alt, escaped by the parser).
PICTURE = re.compile(r'<img\b[^>]*?\balt="([^"]*)"[^>]*>')
BLOCK = re.compile(r"<(?:p|ul|ol|li|blockquote|h[1-6]|pre|hr)\b")  # what a line of text (md_line) cannot hold
MARKDOWN_SIGNS = re.compile(r"[*_`\[\]<>#\\\n&!]|^\s*(\d+[.)]|[-+>])\s")


class MarkdownText:
    """Renders Markdown with any raw HTML shown as text, then sanitised (one parser per process,
    made when a text first needs it: a rebuild of one child's plain sentences never does)."""

    def __init__(self, inline: bool = False) -> None:
        self.md: markdown.Markdown | None = None
        self.inline = inline  # a line (a target): its words without a paragraph around them

    def __call__(self, text: str) -> Markup:
        if not isinstance(text, str):  # a template's mistake (`{{ 5 | md }}`): said at its line, as any
            raise TemplateRuntimeError(f"the md filters take text, not {type(text).__name__}")
        if not MARKDOWN_SIGNS.search(text):
            return escape(text) if self.inline else Markup(f"<p>{html.escape(text, quote=False)}</p>")
        if self.md is None:
            import markdown

            self.md = markdown.Markdown(extensions=[])
            self.md.preprocessors.deregister("html_block")  # typed <script> stays visible text, never markup
            self.md.inlinePatterns.deregister("html")
        self.md.reset()
        rendered = PICTURE.sub(r"\1", self.md.convert(text))
        if self.inline:
            if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
                rendered = rendered[3:-4]
            if BLOCK.search(rendered):  # `1. Use full stops` is a list to Markdown: a line, as typed
                return escape(text)
        return Markup(
            nh3.clean(
                rendered,
                tags=INLINE_TAGS if self.inline else ALLOWED_TAGS,
                attributes={"a": {"href"}},
                url_schemes={"https", "mailto"},
                link_rel="noopener noreferrer",
            )
        )


def markdown_filter(inline: bool = False) -> Callable[[str], Markup]:
    """The templates' `md` filter (`md_line` with inline: a line of text, such as a target, with
    its emphasis and links but no paragraph or list): MarkdownText, with the results for the last
    few thousand texts kept. The same text renders the same way, and a school's texts repeat (a
    target set for a class, a comment used for many children, each term's texts on its form and
    on two pages); they are kept in the process's memory only, never written anywhere."""
    return functools.lru_cache(maxsize=8192, typed=True)(MarkdownText(inline))  # typed: Markup is not str here


def markdown_to_html(text: str) -> Markup:
    """Render one text (a new parser each call: for tests and one-off use; templates share one)."""
    return MarkdownText()(text)


@functools.cache
def chip(signal: judge.Signal) -> Markup:
    """A colour with its shape and words."""
    if not isinstance(signal, judge.Signal):  # a template's mistake: said at its line
        raise TemplateRuntimeError(f"chip takes a judged colour (a signal), not {type(signal).__name__}")
    return Markup('<span class="chip chip-{}"><span class="chip-icon" aria-hidden="true">{}</span> {}</span>').format(
        signal.colour, signal.icon, signal.words
    )


@functools.cache
def review(value: str | None) -> Markup:
    """A target's review, with a shape and words."""
    if value is not None and value not in judge.REVIEW_WORDS:  # a template's mistake: said at its line
        raise TemplateRuntimeError(f"review takes a target's review ({', '.join(map(str, judge.REVIEW_WORDS))})")
    return Markup('<span class="review review-{}"><span aria-hidden="true">{}</span> {}</span>').format(
        value or "open", judge.REVIEW_ICONS[value], judge.REVIEW_WORDS[value]
    )
