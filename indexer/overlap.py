"""How much of a question's wording a document holds: the re-rank of a question's best matches.

Word-level BM25 misses what a citizen copies from a policy: a question such as
``对受疫情影响较大的困难行业企业…亏损最长结转年限延长至多久`` shares whole runs of characters
with the text that answers it, while the distractors share the frequent words one by one
(疫情, 企业, 政策). jieba may also cut the same characters differently in a question and in a
document (大理市 / 大理州, 八闽健康码), which no word query sees. So the best matches of a
question are re-scored by the share of the question's character n-grams each one holds,
every n-gram weighted by how rare it is *among those matches* (an n-gram all of them hold
tells them apart no better than none): a local idf, needing no index of n-grams.

Pure functions over strings; :meth:`indexer.engine.SearchEngine.search` applies them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from indexer.analysis import PUNCTUATION

#: Characters of a body compared with the question: the answer to a question is near the
#: top of a policy, and a long law's tail would only cost time.
TEXT_CHARS = 20_000



#: Full-width digits and Latin letters: the only full-width characters an n-gram can hold
#: (n-grams never span punctuation), folded like the query's.
_FULLWIDTH_ALNUM = re.compile("[０-９Ａ-Ｚａ-ｚ]+")


def _fold(text: str) -> str:
    """Full-width digits and letters to ASCII, then lower case (２０２０年度 -> 2020年度, PM2.5 -> pm2.5).

    A regex finds the few full-width runs; ``str.translate`` over a whole body costs a
    dictionary lookup per character, most of the re-rank's time on long documents.
    """
    if _FULLWIDTH_ALNUM.search(text):
        text = _FULLWIDTH_ALNUM.sub(lambda m: "".join(chr(ord(c) - 0xFEE0) for c in m.group()), text)
    return text.lower()


def comparable_text(title: str, body: str, *, title_only: bool = False) -> str:
    """A hit's text as the question's n-grams are looked for in it: folded like the query
    (:func:`_fold`), the body cut to ``TEXT_CHARS``.

    :param title_only: only the title (a search scoped to titles).
    """
    return _fold(title if title_only else title + " " + body[:TEXT_CHARS])


def question_grams(chunks: Sequence[str], sizes: Sequence[int]) -> list[str]:
    """The distinct character n-grams of ``chunks`` for each n in ``sizes`` (in first-seen order).

    :param chunks: the question's text pieces, without question words (they are in no answer).
    :param sizes: n-gram lengths, e.g. ``(2,)`` or ``(3, 4)``.
    """
    seen: dict[str, None] = {}
    for chunk in chunks:
        for piece in PUNCTUATION.split(_fold(chunk)):  # n-grams never span punctuation
            for n in sizes:
                for i in range(len(piece) - n + 1):
                    seen.setdefault(piece[i : i + n], None)
    return list(seen)


def _shares(grams: Sequence[str], held: list[list[bool]]) -> list[float]:
    """For each text, the idf-weighted share of ``grams`` it holds (``held[text][gram]``).

    The idf is local: ``log((N + 1) / (df + 0.5))`` over the ``N`` texts, so an n-gram every
    candidate holds weighs little and one only a few hold weighs most.
    """
    if not grams or not held:
        return [0.0] * len(held)
    count = len(held)
    weights = [math.log((count + 1) / (sum(row[j] for row in held) + 0.5)) for j in range(len(grams))]
    total = sum(weights)
    if total <= 0:
        return [0.0] * count
    return [sum(w for w, h in zip(weights, row) if h) / total for row in held]


def overlap_shares_by_size(chunks: Sequence[str], texts: Sequence[str], groups: Sequence[Sequence[int]]) -> list[list[float]]:
    """For each group of n-gram sizes, each text's idf-weighted share of the question's n-grams
    of those sizes (:func:`_shares`); the n-grams of all groups are looked up together, so
    shorter ones prune longer ones.

    :param chunks: the question's text pieces (:attr:`indexer.query.ParsedQuery.chunks`).
    :param texts: the candidates' :func:`comparable_text`, in rank order.
    :param groups: e.g. ``((2,), (3, 4))``: bigram shares, then 3/4-gram shares.
    :returns: one list of shares in [0, 1] (one per text) for each group.
    """
    by_group = [question_grams(chunks, sizes) for sizes in groups]
    every = list(dict.fromkeys(g for grams in by_group for g in grams))
    held = [dict(zip(every, _held(every, text))) for text in texts]
    return [_shares(grams, [[row[g] for g in grams] for row in held]) for grams in by_group]


def _held(grams: Sequence[str], text: str) -> list[bool]:
    """Which of ``grams`` occur in ``text``. An n-gram whose (n-1)-gram head or tail is among
    ``grams`` and absent cannot occur, so it is not searched for: most of a question's longer
    n-grams are in no hit, and each search scans up to ``TEXT_CHARS`` characters."""
    found: dict[str, bool] = {}
    for gram in sorted(grams, key=len):
        head, tail = gram[:-1], gram[1:]
        if found.get(head, True) is False or found.get(tail, True) is False:
            found[gram] = False
        else:
            found[gram] = gram in text
    return [found[g] for g in grams]


__all__ = ["TEXT_CHARS", "comparable_text", "overlap_shares_by_size", "question_grams"]
