"""As-you-type suggestions: titles and frequent words by prefix, pinyin prefixes included.

A :class:`Lexicon` is built once per index commit, at index time (:mod:`indexer.sync`
calls :meth:`SearchEngine.save_lexicon` after each commit) and saved next to the index
generation as ``lexicon-<toc generation>.pickle``: the index's
:class:`~indexer.pinyin.Vocabulary`, a :class:`~indexer.spelling.Speller` on it, and the
sorted titles. A search loads the saved one (well under a second) instead of walking
every term of the index (20+ s on the shared corpus). Each keystroke is then a few
binary searches and a scan of the titles, well under a millisecond on thousands of
documents.
"""

from __future__ import annotations

import bisect
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.analysis import index_analyzer, tokenize
from indexer.digests import SegmentDigest, digests_of, live
from indexer.pinyin import Vocabulary, is_han, is_pinyin_like
from indexer.spelling import Speller
from indexer.store import read_pickle, write_pickle

logger = logging.getLogger(__name__)

#: Bump when what a saved lexicon holds changes: older files are then ignored and rebuilt.
LEXICON_FORMAT = 1


@dataclass
class Lexicon:
    """What suggestions, pinyin and did-you-mean need from one index generation."""

    vocabulary: Vocabulary
    speller: Speller
    _titles: list[str] | None = None  # unique, sorted
    _joined: tuple[str, list[int]] | None = None
    built_seconds: float = 0.0

    @property
    def titles(self) -> list[str]:
        """Every document title (unique, sorted)."""
        return self._titles or []

    def joined_titles(self) -> tuple[str, list[int]]:
        """Every title in one newline-separated string and where each starts (a substring
        search over all titles at C speed)."""
        if self._joined is None:
            titles = self.titles
            starts, at = [], 0
            for t in titles:
                starts.append(at)
                at += len(t) + 1
            self._joined = ("\n".join(titles), starts)
        return self._joined

    @classmethod
    def from_searcher(cls, searcher: Any) -> "Lexicon":
        """Read the vocabulary and titles of the index ``searcher`` reads, every segment.

        :param searcher: a ``whoosh.searching.Searcher``.
        """
        return cls.from_digests(digests_of(searcher, {}))

    @classmethod
    def from_digests(
        cls, segments: list[tuple[Any, SegmentDigest, str | None]], *, syllable_cache: dict[str, str] | None = None
    ) -> "Lexicon":
        """The lexicon of an index from its segments' digests (:func:`indexer.digests.digests_of`).

        :param segments: ``(leaf reader, digest, segment id)`` of every segment; the readers
            give the current deletions, which drop titles of deleted documents.
        :param syllable_cache: pinyin of words seen before (:meth:`indexer.pinyin.Vocabulary.build`).
        """
        started = time.perf_counter()
        titles: list[str] = []
        for leaf, digest, _ in segments:
            titles.extend(title for _, title in live(leaf, digest.titles))
        vocabulary = Vocabulary.from_segment_terms([digest.terms for _, digest, _ in segments], syllable_cache=syllable_cache)
        lexicon = cls(vocabulary, Speller.build(vocabulary), _titles=sorted(set(titles)))
        lexicon.built_seconds = time.perf_counter() - started
        logger.info("lexicon: %d words from %d segments in %.2f s", len(vocabulary.df), len(segments), lexicon.built_seconds)
        return lexicon

    def save(self, path: Path) -> None:
        """Write the lexicon (vocabulary, speller, titles) to ``path`` atomically (:func:`indexer.store.write_pickle`)."""
        write_pickle(path, LEXICON_FORMAT, {"vocabulary": self.vocabulary, "speller": self.speller, "titles": self.titles})

    @classmethod
    def load(cls, path: Path) -> "Lexicon | None":
        """The lexicon saved at ``path``; None when there is none or it is of another format."""
        started = time.perf_counter()
        payload = read_pickle(path, LEXICON_FORMAT, "lexicon")
        if payload is None:
            return None
        lexicon = cls(payload["vocabulary"], payload["speller"], _titles=payload["titles"])
        lexicon.built_seconds = time.perf_counter() - started
        return lexicon

    @classmethod
    def from_titles(cls, titles: list[str], extra_words: dict[str, int] | None = None) -> "Lexicon":
        """A lexicon from titles alone (word frequencies counted over them); for tests and small uses."""
        counts: dict[str, int] = dict(extra_words or {})
        analyzer = index_analyzer()  # with the sub-words the index holds (公积金 inside 住房公积金)
        for title in set(titles):
            for word in {t.text for t in analyzer(title)}:
                counts[word] = counts.get(word, 0) + 1
        vocabulary = Vocabulary.build((w, c, c) for w, c in counts.items())
        return cls(vocabulary, Speller.build(vocabulary), _titles=sorted(set(titles)))


def suggest(lexicon: Lexicon, text: str, limit: int = 8) -> list[str]:
    """Suggestions for ``text`` typed so far: titles starting with it, words completing it,
    titles containing it; pinyin (``gongj``, ``gjj``) is read through the vocabulary first.

    :param lexicon: the index's lexicon.
    :param text: the normalised text typed so far.
    :param limit: most suggestions returned.
    """
    text = text.strip()
    if not text or limit < 1:
        return []
    out: list[str] = []
    head, _, last = text.rpartition(" ")
    head = (head + " ") if head else ""
    if is_pinyin_like(last.lower()):
        words = _pinyin_words(lexicon.vocabulary, last.lower(), limit)
        for word in words:
            _add(out, _titles_starting(lexicon, head + word, 2) if not head else [])
            out_word = head + word
            if out_word not in out:
                out.append(out_word)
        for word in words[:2]:
            _add(out, _titles_containing(lexicon, word, limit))
        return out[:limit]
    _add(out, _titles_starting(lexicon, text, limit))
    tokens = tokenize(last)
    if tokens:
        stem = last[: len(last) - len(tokens[-1])] if last.endswith(tokens[-1]) else last
        for word in lexicon.vocabulary.words_with_prefix(tokens[-1], limit):
            if word != tokens[-1] and len(out) < limit * 2:
                _add(out, [head + stem + word])
        # the whole stretch typed may be the start of a longer word (住房公 -> 住房公积金)
        if is_han(last) and len(tokens) > 1:
            _add(out, [head + w for w in lexicon.vocabulary.words_with_prefix(last, 3)])
    _add(out, _titles_containing(lexicon, text, limit))
    return out[:limit]


def _pinyin_words(vocab: Vocabulary, typed: str, limit: int) -> list[str]:
    words: list[str] = []
    _add(words, vocab.from_pinyin(typed, limit=3))
    if 2 <= len(typed) <= 6:
        _add(words, vocab.by_initials.get(typed, [])[:3])
    _add(words, vocab.words_with_pinyin_prefix(typed, limit))
    return words[:limit]


def _titles_starting(lexicon: Lexicon, text: str, limit: int) -> list[str]:
    titles = lexicon.titles
    lo = bisect.bisect_left(titles, text)
    found = []
    for title in titles[lo : lo + limit * 4]:
        if not title.startswith(text):
            break
        found.append(title)
    found.sort(key=len)
    return found[:limit]


#: Titles containing the typed words are collected up to this many (in title order) before
#: the best are chosen: a common word is in tens of thousands of titles at portal scale.
CONTAINING_SCAN = 400


def _titles_containing(lexicon: Lexicon, text: str, limit: int) -> list[str]:
    words = [w for w in text.split() if w]
    if not words:
        return []
    joined, starts = lexicon.joined_titles()
    titles = lexicon.titles
    found: list[str] = []
    at = joined.find(words[0])
    while at >= 0 and len(found) < CONTAINING_SCAN:
        i = bisect.bisect_right(starts, at) - 1
        title = titles[i]
        if all(w in title for w in words[1:]):
            found.append(title)
        at = joined.find(words[0], starts[i] + len(title) + 1)  # next title
    found.sort(key=lambda t: (t.find(words[0]), len(t)))
    return found[:limit]


def _add(out: list[str], items: list[str]) -> None:
    for item in items:
        if item and item not in out:
            out.append(item)


def lexicon_path(generation_dir: Path, toc_generation: int) -> Path:
    """Where the lexicon of one commit (TOC generation) of an index generation is saved.

    :param generation_dir: the index generation directory (``gen-000001/``).
    :param toc_generation: Whoosh's generation number of the commit.
    """
    return Path(generation_dir) / f"lexicon-{toc_generation}.pickle"


__all__ = ["LEXICON_FORMAT", "Lexicon", "lexicon_path", "suggest"]
