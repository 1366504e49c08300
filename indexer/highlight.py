"""Escaped snippets and marked text, with <mark> around the query's words.

Every piece of document text goes through :func:`html.escape` here, marks included, so
callers can insert the result as markup. Marks are found by one compiled regular
expression over the stored text (longest word first), not by re-tokenising documents
or reading offsets from the index: a result page costs a few string scans, whatever
the documents' length.
"""

from __future__ import annotations

import bisect

import html
import re
from collections.abc import Iterable
from functools import lru_cache

SNIPPET_CHARS = 160
ELLIPSIS = "…"
#: Leading context shown before the first mark of a fragment.
_LEAD = 30
#: Matches looked at when choosing fragments (a word frequent in a long text stops here).
_MAX_MATCHES = 400
_CJK_OR_ALNUM = re.compile(r"[\w\u3400-\u9fff]")


def markable_terms(terms: Iterable[str]) -> tuple[str, ...]:
    """The terms worth marking: single characters only when nothing longer was asked for.

    A one-character word (号, 1) would otherwise light up everywhere.
    """
    cleaned = {t.strip().lower() for t in terms if t and _CJK_OR_ALNUM.search(t)}
    longer = tuple(sorted((t for t in cleaned if len(t) > 1), key=lambda t: (-len(t), t)))
    return longer or tuple(sorted(cleaned))


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def _marks(text: str, terms: Iterable[str], limit: int | None = None) -> list[tuple[int, int]]:
    pattern = _pattern(markable_terms(terms))
    if pattern is None:
        return []
    spans = []
    for m in pattern.finditer(text):
        spans.append(m.span())
        if limit is not None and len(spans) >= limit:
            break
    return spans


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    index = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[index:s], quote=False))
        out.append("<mark>" + html.escape(text[s:e], quote=False) + "</mark>")
        index = e
    out.append(html.escape(text[index:end], quote=False))
    return "".join(out)


def mark_text(text: str, terms: Iterable[str]) -> str:
    """The whole ``text``, escaped, with every occurrence of the terms marked."""
    return _render(text, _marks(text, terms), 0, len(text))


#: The document page uses the same marking as result lists.
highlight_text = mark_text


def snippet(text: str, terms: Iterable[str], *, max_chars: int = SNIPPET_CHARS, fragments: int = 2) -> str:
    """Up to ``fragments`` passages of ``text`` that hold the most distinct query words.

    Falls back to the escaped start of the text when no word occurs in it (a search by
    document number or by filters alone, say).
    """
    flat = text.replace("\n", " ")  # same length: spans stay valid
    spans = _marks(flat, terms, limit=_MAX_MATCHES)
    if not spans:
        return leading_text(text, max_chars)
    words = [flat[s:e].lower() for s, e in spans]
    starts = [s for s, _ in spans]
    per_fragment = max(40, max_chars // max(1, fragments))
    chosen: list[tuple[int, int]] = []
    taken: list[bool] = [False] * len(spans)
    for _ in range(fragments):
        best, best_score = -1, (0, 0)
        for i, (s, _e) in enumerate(spans):
            if taken[i]:
                continue
            window_end = s - _LEAD + per_fragment
            # spans are in text order: the window's spans are words[i:k]
            distinct = set(words[i : bisect.bisect_left(starts, window_end, lo=i)])
            score = (len(distinct), -i)
            if score > best_score:
                best, best_score = i, score
        if best < 0:
            break
        start = max(0, spans[best][0] - _LEAD)
        end = min(len(flat), start + per_fragment)
        if any(start < ce and cs < end for cs, ce in chosen):
            break
        chosen.append((start, end))
        for j, (s, _e) in enumerate(spans):
            if start <= s < end:
                taken[j] = True
    chosen.sort()
    parts = []
    for start, end in chosen:
        piece = _render(flat, spans, start, end).strip()
        parts.append((ELLIPSIS if start > 0 else "") + piece + (ELLIPSIS if end < len(flat) else ""))
    return "".join(parts).replace(ELLIPSIS + ELLIPSIS, ELLIPSIS)


def leading_text(text: str, chars: int = SNIPPET_CHARS) -> str:
    """The escaped start of ``text`` as a snippet."""
    flat = " ".join(text.split())
    cut = flat[:chars]
    return html.escape(cut, quote=False) + (ELLIPSIS if len(flat) > chars else "")
