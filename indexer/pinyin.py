"""Pinyin -> Chinese through the index's own vocabulary (pypinyin).

A :class:`Vocabulary` holds the words of an index (title and body terms with their
document frequencies) keyed by full toneless pinyin (``gongjijin``), by initials
(``gjj``) and by a *fuzzy* pinyin that merges the sounds citizens confuse
(zh/z, ch/c, sh/s, ing/in, eng/en, ang/an, l/n, h/f…). Typed pinyin is turned into
the index's words (full pinyin may span several words and is segmented), and the same
keys serve did-you-mean (:mod:`indexer.spelling`) and suggestions (:mod:`indexer.suggest`).
Nothing here needs a dictionary of its own: a word is proposed only if documents use it.
"""

from __future__ import annotations

import bisect
import logging
import re
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.phrases_dict import phrases_dict as PHRASES_DICT

logger = logging.getLogger(__name__)

#: Longest word (characters) the vocabulary keeps.
MAX_WORD_CHARS = 10
#: Body terms need at least this many documents to enter the vocabulary (title terms need one).
MIN_BODY_DF = 2

_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
_LETTERS = re.compile(r"^[a-z]+$")
#: Sound merges for fuzzy pinyin: initials first, then finals (applied per syllable).
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("f", "h"), ("r", "l"))
_FUZZY_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"), ("ong", "on"))


def is_han(word: str) -> bool:
    """True when ``word`` is made of CJK ideographs only."""
    return bool(_HAN.match(word))


def is_pinyin_like(word: str) -> bool:
    """True for a lower-case ASCII letters-only token that could be typed pinyin."""
    return bool(_LETTERS.match(word))


def syllables(word: str) -> list[str]:
    """Toneless pinyin syllables of ``word`` (pypinyin's phrase dictionary picks readings).

    Memoised per character and per dictionary phrase: pypinyin's own segmentation costs
    about a millisecond a word, too slow for a vocabulary of 10^5 words.
    """
    if len(word) == 1:
        return [_char_syllable(word)] if is_han(word) else []
    readings = PHRASES_DICT.get(word)
    if readings is not None and len(readings) == len(word):
        return [_strip_tone(r[0]) for r in readings]
    if not is_han(word):
        return lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
    # the longest dictionary phrases inside the word, characters elsewhere
    out: list[str] = []
    i = 0
    while i < len(word):
        for j in range(min(len(word), i + 4), i + 1, -1):
            readings = PHRASES_DICT.get(word[i:j])
            if readings is not None and len(readings) == j - i:
                out.extend(_strip_tone(r[0]) for r in readings)
                i = j
                break
        else:
            out.append(_char_syllable(word[i]))
            i += 1
    return out


@lru_cache(maxsize=None)
def _char_syllable(ch: str) -> str:
    found = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
    return found[0] if found else ""


@lru_cache(maxsize=4096)
def _strip_tone(syllable: str) -> str:
    syllable = syllable.replace("ü", "v")
    return "".join(c for c in unicodedata.normalize("NFKD", syllable) if not unicodedata.combining(c))


def full_pinyin(word: str) -> str:
    """``公积金`` -> ``gongjijin``."""
    return "".join(syllables(word))


def initials(word: str) -> str:
    """``公积金`` -> ``gjj`` (first letter of each syllable)."""
    return "".join(s[0] for s in syllables(word) if s)


def fuzzy_syllable(syllable: str) -> str:
    """One syllable with confusable sounds merged (``jing`` -> ``jin``, ``zhi`` -> ``zi``)."""
    for a, b in _FUZZY_INITIALS:
        if syllable.startswith(a):
            syllable = b + syllable[len(a) :]
            break
    for a, b in _FUZZY_FINALS:
        if syllable.endswith(a):
            syllable = syllable[: -len(a)] + b
            break
    return syllable


def fuzzy_key(word: str) -> str:
    """The fuzzy pinyin of a Chinese word, syllables joined by ``'``."""
    return "'".join(fuzzy_syllable(s) for s in syllables(word))


@dataclass
class Vocabulary:
    """An index's words with document frequencies and pinyin keys. Build with :meth:`build`."""

    df: dict[str, int] = field(default_factory=dict)  # word -> documents containing it (title or body)
    title_df: dict[str, int] = field(default_factory=dict)
    by_pinyin: dict[str, list[str]] = field(default_factory=dict)  # full pinyin -> words, most frequent first
    by_initials: dict[str, list[str]] = field(default_factory=dict)
    by_fuzzy: dict[str, list[str]] = field(default_factory=dict)
    sorted_pinyin: list[str] = field(default_factory=list)  # keys of by_pinyin, sorted (prefix search)
    sorted_words: list[str] = field(default_factory=list)  # words, sorted (prefix search)

    @classmethod
    def build(
        cls, terms: Iterable[tuple[str, int, int]], *, pinyin_min_df: int = 1, syllable_cache: dict[str, str] | None = None
    ) -> "Vocabulary":
        """From ``(word, df, title_df)`` triples; pinyin keys for Chinese words only.

        :param pinyin_min_df: words rarer than this get no pinyin keys (saves time on big indexes).
        :param syllable_cache: word -> its syllables joined by ``'``, from an earlier build:
            words found there are not looked up again (an incremental commit adds few new
            words, and reading 10^5 words' pinyin is most of a rebuild's cost); the words
            looked up now are added to it.
        """
        started = time.perf_counter()
        vocab = cls()
        for word, df, tdf in terms:
            if not word or len(word) > MAX_WORD_CHARS:
                continue
            vocab.df[word] = vocab.df.get(word, 0) + df
            if tdf:
                vocab.title_df[word] = vocab.title_df.get(word, 0) + tdf
        for word, df in vocab.df.items():
            if len(word) < 2 or not is_han(word) or (df < pinyin_min_df and word not in vocab.title_df):
                continue
            if syllable_cache is None:
                sylls = syllables(word)
            else:
                joined = syllable_cache.get(word)
                if joined is None:
                    joined = syllable_cache[word] = "'".join(syllables(word))
                sylls = joined.split("'")
            if len(sylls) != len(word):
                continue
            vocab.by_pinyin.setdefault("".join(sylls), []).append(word)
            vocab.by_initials.setdefault("".join(s[0] for s in sylls), []).append(word)
            vocab.by_fuzzy.setdefault("'".join(fuzzy_syllable(s) for s in sylls), []).append(word)
        rank = vocab.rank
        for table in (vocab.by_pinyin, vocab.by_initials, vocab.by_fuzzy):
            for words in table.values():
                words.sort(key=rank)
        vocab.sorted_pinyin = sorted(vocab.by_pinyin)
        vocab.sorted_words = sorted(w for w in vocab.df if is_han(w))
        logger.debug("vocabulary: %d words, %d pinyin keys in %.2f s", len(vocab.df), len(vocab.by_pinyin), time.perf_counter() - started)
        return vocab

    @classmethod
    def from_reader(cls, reader: object, fields: tuple[str, ...] = ("title", "body"), *, min_body_df: int = MIN_BODY_DF) -> "Vocabulary":
        """The vocabulary of a Whoosh index reader (its title and body lexicons).

        :param reader: a ``whoosh.reading.IndexReader``.
        :param min_body_df: body words in fewer documents are left out (typos and OCR noise).
        """
        # segment by segment: merging the lexicons of a multi-segment reader costs ten times more
        leaves = [leaf for leaf, _ in reader.leaf_readers()]  # type: ignore[attr-defined]
        return cls.from_segment_terms([segment_terms(leaf, fields) for leaf in leaves], fields, min_body_df=min_body_df)

    @classmethod
    def from_segment_terms(
        cls,
        parts: list[dict[str, dict[str, int]]],
        fields: tuple[str, ...] = ("title", "body"),
        *,
        min_body_df: int = MIN_BODY_DF,
        syllable_cache: dict[str, str] | None = None,
    ) -> "Vocabulary":
        """The vocabulary of an index from each segment's :func:`segment_terms`.

        A segment never changes once written (a deletion does not change its document
        frequencies either), so an index after a commit is its earlier segments' terms,
        read before, plus the new segment's.

        :param syllable_cache: as for :meth:`build`.
        """
        counts: dict[str, list[int]] = {}  # word -> [df (title or body, summed over segments), title df]
        for fieldname in fields:
            for part in parts:
                field_counts = part.get(fieldname)
                if not field_counts:
                    continue
                if fieldname == "title":
                    for word, df in field_counts.items():
                        entry = counts.setdefault(word, [0, 0])
                        entry[1] += df
                        entry[0] += df
                    continue
                for word, df in field_counts.items():
                    entry = counts.get(word)
                    if entry is None:
                        counts[word] = [df, 0]
                    else:
                        # a title word is usually in the body too: count the larger of the two
                        entry[0] = max(entry[0], df) if entry[1] else entry[0] + df
        if min_body_df > 1:
            counts = {w: c for w, c in counts.items() if c[1] or c[0] >= min_body_df}
        return cls.build(((w, c[0], c[1]) for w, c in counts.items()), syllable_cache=syllable_cache)

    def rank(self, word: str) -> tuple[int, int, str]:
        """Sort key: words in more titles, then more documents, first."""
        return (-self.title_df.get(word, 0), -self.df.get(word, 0), word)

    def frequency(self, word: str) -> int:
        """Documents containing ``word`` (0 when unknown)."""
        return self.df.get(word, 0)

    def from_pinyin(self, text: str, limit: int = 3) -> list[str]:
        """Chinese readings of typed pinyin, best first: ``gongjijin`` / ``gjj`` -> ``公积金``.

        Full pinyin matching one word wins; otherwise the longest-words segmentation into
        vocabulary words (``zhufanggongjijin`` -> ``住房公积金`` or ``住房`` + ``公积金``);
        then initials (only for 2-6 letters, as initials are ambiguous).
        """
        text = text.lower()
        if not is_pinyin_like(text):
            return []
        if text in self.by_pinyin:
            return self.by_pinyin[text][:limit]
        segmented = self._segment(text)
        if segmented:
            return ["".join(segmented)]
        if 2 <= len(text) <= 6 and text in self.by_initials:
            return self.by_initials[text][:limit]
        return []

    def _segment(self, text: str) -> list[str]:
        # fewest pieces; each piece the most frequent word with that full pinyin
        n = len(text)
        best: list[tuple[int, list[str]] | None] = [None] * (n + 1)
        best[0] = (0, [])
        for i in range(n):
            if best[i] is None:
                continue
            count, words = best[i]  # type: ignore[misc]
            for j in range(i + 2, min(n, i + 6 * MAX_WORD_CHARS) + 1):
                cands = self.by_pinyin.get(text[i:j])
                if cands and (best[j] is None or best[j][0] > count + 1):  # type: ignore[index]
                    best[j] = (count + 1, words + [cands[0]])
        return best[n][1] if best[n] is not None else []  # type: ignore[index]

    def words_with_prefix(self, prefix: str, limit: int = 10) -> list[str]:
        """Vocabulary words starting with ``prefix`` (Chinese), most frequent first."""
        if not prefix:
            return []
        lo = bisect.bisect_left(self.sorted_words, prefix)
        found: list[str] = []
        for word in self.sorted_words[lo : lo + 2000]:
            if not word.startswith(prefix):
                break
            found.append(word)
        found.sort(key=self.rank)
        return found[:limit]

    def words_with_pinyin_prefix(self, prefix: str, limit: int = 10) -> list[str]:
        """Words whose full pinyin starts with ``prefix`` (``gongj`` -> 公积金, 公交…), most frequent first."""
        prefix = prefix.lower()
        if len(prefix) < 2 or not is_pinyin_like(prefix):
            return []
        lo = bisect.bisect_left(self.sorted_pinyin, prefix)
        found: list[str] = []
        for key in self.sorted_pinyin[lo : lo + 2000]:
            if not key.startswith(prefix):
                break
            found.extend(self.by_pinyin[key][:3])
        found.sort(key=self.rank)
        return found[:limit]


def segment_terms(leaf: object, fields: tuple[str, ...] = ("title", "body")) -> dict[str, dict[str, int]]:
    """One segment's words of ``fields`` with their document frequencies: ``{field: {word: df}}``.

    :param leaf: a segment's ``whoosh.reading.IndexReader`` (one of ``reader.leaf_readers()``).
    """
    out: dict[str, dict[str, int]] = {}
    for fieldname in fields:
        if fieldname not in leaf.schema:  # type: ignore[attr-defined]
            continue
        counts: dict[str, int] = {}
        for raw, info in leaf.iter_field(fieldname):  # type: ignore[attr-defined]
            word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            if len(word) <= MAX_WORD_CHARS:
                counts[word] = info.doc_frequency()
        out[fieldname] = counts
    return out


__all__ = [
    "Vocabulary",
    "fuzzy_key",
    "fuzzy_syllable",
    "full_pinyin",
    "initials",
    "is_han",
    "is_pinyin_like",
    "segment_terms",
    "syllables",
]
