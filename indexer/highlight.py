"""Escaped snippets with <mark> around query terms.

Every piece of document text goes through :func:`html.escape` here, highlights
included, so callers can insert the result as markup. Snippets in result lists use the
character offsets stored in the index (``TEXT(chars=True)``), so long documents are
not re-tokenised at query time.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from whoosh import highlight
from whoosh.searching import Hit as WhooshHit

from indexer.analysis import index_analyzer

SNIPPET_CHARS = 160
ELLIPSIS = "…"


class MarkFormatter(highlight.Formatter):
    """Escapes text and wraps each matched token in ``<mark>``."""

    between = ELLIPSIS

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token: highlight.Token, replace: bool = False) -> str:
        return "<mark>" + html.escape(highlight.get_text(text, token, replace), quote=False) + "</mark>"


_FORMATTER = MarkFormatter()


def snippet(hit: WhooshHit, fieldname: str = "body", *, fragments: int = 2) -> str:
    """Up to ``fragments`` passages of the hit's stored ``fieldname`` around the matched terms.

    Falls back to the escaped start of the text when no term of the query is in it
    (a document-number or filter-only search, say).
    """
    # newlines become spaces (same length, so the stored offsets still fit)
    text = (hit.get(fieldname) or "").replace("\n", " ")
    if not text:
        return ""
    hit.results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=50, charlimit=None)
    hit.results.formatter = _FORMATTER
    marked = hit.highlights(fieldname, text=text, top=fragments, minscore=1)
    if marked:
        return marked
    return leading_text(text)


def highlight_title(hit: WhooshHit) -> str:
    """The whole title, escaped, with matched terms marked."""
    title = hit.get("title") or ""
    hit.results.fragmenter = highlight.WholeFragmenter(charlimit=None)
    hit.results.formatter = _FORMATTER
    return hit.highlights("title", text=title, top=1, minscore=1) or html.escape(title, quote=False)


def leading_text(text: str, chars: int = SNIPPET_CHARS) -> str:
    """The escaped start of ``text`` as a snippet."""
    flat = " ".join(text.split())
    cut = flat[:chars]
    return html.escape(cut, quote=False) + (ELLIPSIS if len(flat) > chars else "")


def highlight_text(text: str, terms: Iterable[str]) -> str:
    """Escape ``text`` and mark every token whose text is one of ``terms``.

    Used for a whole document on its page; tokens come from the index analyzer so the
    marks fall on the same words the search matched. Where tokens overlap (a word and
    its search-mode sub-words) the longest one is marked.
    """
    wanted = {t.lower() for t in terms if t}
    if not wanted or not text:
        return html.escape(text, quote=False)
    spans = sorted(
        (tok.startchar, tok.endchar)
        for tok in index_analyzer()(text, positions=True, chars=True, mode="index")
        if tok.text in wanted
    )
    out: list[str] = []
    index = 0
    for start, end in _longest_non_overlapping(spans):
        out.append(html.escape(text[index:start], quote=False))
        out.append("<mark>" + html.escape(text[start:end], quote=False) + "</mark>")
        index = end
    out.append(html.escape(text[index:], quote=False))
    return "".join(out)


def _longest_non_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if chosen and start < chosen[-1][1]:
            continue
        chosen.append((start, end))
    return chosen
