"""Did-you-mean: homophone and near-form typos corrected from the index's own vocabulary.

A stretch of the query (one to three jieba tokens, 2-6 characters) that the index
hardly knows is replaced by a word the index knows well when the two sound alike under
fuzzy pinyin (公积经 -> 公积金: jing/jin) or differ in one character (社会保验 ->
社会保障). A sound-alike that jieba cut across words (食品按全法: 食品 / 按 / 全法) is found
over character windows (食品按全 -> 食品安全). The engine shows the corrected query only
when it has results.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from indexer.analysis import tokenize
from indexer.pinyin import MAX_WORD_CHARS, Vocabulary, fuzzy_key, is_han

logger = logging.getLogger(__name__)

#: A word is suspicious when the index has it in at most this many documents.
SUSPECT_MAX_DF = 2
#: A replacement must occur in at least this many documents...
CORRECTION_MIN_DF = 3
#: ...and in this many times more documents than the word it replaces.
CORRECTION_MIN_RATIO = 10.0
#: Words considered for near-form (one character differs) replacements.
NEAR_FORM_MIN_DF = 3
#: Lengths of the character windows tried for a homophone cut across words (食品按全).
WINDOW_CHARS = (3, 4)


@dataclass
class Correction:
    """One replaced stretch of the query."""

    original: str
    replacement: str
    kind: str  # "homophone" | "near_form"


@dataclass
class Speller:
    """Homophone and near-form lookups over a :class:`Vocabulary`."""

    vocabulary: Vocabulary
    _near: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, vocabulary: Vocabulary) -> "Speller":
        """Index the vocabulary's frequent Chinese words by one-character wildcards."""
        near: dict[str, list[str]] = {}
        for word, df in vocabulary.df.items():
            if df < NEAR_FORM_MIN_DF or not 2 < len(word) <= 6 or not is_han(word):
                continue  # two-character words differ by one character from too many others
            for i in range(len(word)):
                near.setdefault(word[:i] + "*" + word[i + 1 :], []).append(word)
        return cls(vocabulary, near)

    def candidates(self, word: str) -> list[Correction]:
        """Better-known words ``word`` may be a typo of, best first."""
        vocab = self.vocabulary
        if len(word) < 2 or not is_han(word) or vocab.frequency(word) > SUSPECT_MAX_DF:
            return []
        own = vocab.frequency(word)
        floor = max(CORRECTION_MIN_DF, CORRECTION_MIN_RATIO * own)  # an unknown word needs only the minimum
        found: dict[str, str] = {}
        for cand in vocab.by_fuzzy.get(fuzzy_key(word), []):
            if cand != word and vocab.frequency(cand) >= floor:
                found.setdefault(cand, "homophone")
        if len(word) > 2:
            for i in range(len(word)):
                for cand in self._near.get(word[:i] + "*" + word[i + 1 :], []):
                    if cand != word and vocab.frequency(cand) >= floor:
                        found.setdefault(cand, "near_form")
        # a word that sounds the same beats one that looks alike (社会保现 -> 社会保险, not 社会保障)
        ranked = sorted(found, key=lambda cand: (found[cand] != "homophone", vocab.rank(cand)))
        return [Correction(word, cand, found[cand]) for cand in ranked]

    def correct_tokens(self, tokens: list[str]) -> tuple[list[tuple[int, int, Correction]], list[str]]:
        """Corrections for a token sequence.

        :returns: ``(spans, corrected_tokens)``: each span ``(start, end, correction)``
            covers ``tokens[start:end]``; ``corrected_tokens`` has them replaced.
        """
        spans: list[tuple[int, int, Correction]] = []
        out: list[str] = []
        i = 0
        while i < len(tokens):
            done = False
            for j in range(min(len(tokens), i + 3), i, -1):
                word = "".join(tokens[i:j])
                if not 2 <= len(word) <= 6:
                    continue
                # a span of several tokens each known well is no typo of a whole
                if j - i > 1 and all(self.vocabulary.frequency(t) > SUSPECT_MAX_DF and len(t) > 1 for t in tokens[i:j]):
                    continue
                cands = self.candidates(word)
                if cands:
                    spans.append((i, j, cands[0]))
                    out.append(cands[0].replacement)
                    i = j
                    done = True
                    break
            if not done:
                out.append(tokens[i])
                i += 1
        if all(c.kind == "near_form" for _, _, c in spans):
            # a sound-alike beats a look-alike (社会保现 -> 社会保险, not 社会保障), also when
            # jieba cut it across words (食品按全法: 食品安全, not 食品类)
            found = self._window_homophone(tokens)
            if found is not None:
                start, end, _ = found
                spans = sorted([found] + [sp for sp in spans if sp[1] <= start or sp[0] >= end])
                out = _apply(tokens, spans)
        return spans, out

    def _window_homophone(self, tokens: list[str]) -> tuple[int, int, Correction] | None:
        """A homophone typo that jieba cut across words: 食品按全法 is 食品 / 按 / 全法, and
        only the characters 食品按全 sound like a word (食品安全).

        Tried when the token spans gave nothing or only look-alikes, and only for a window
        of ``WINDOW_CHARS`` characters that overlaps a token in no document (全法): it
        is replaced by the best-known word sounding the same, and the correction covers
        the whole tokens the window touches (食品按全法 -> 食品安全法).
        """
        vocab = self.vocabulary
        text = "".join(tokens)
        starts = [0]
        for t in tokens:
            starts.append(starts[-1] + len(t))
        # unknown: in no document at all (a rare real name, 沧州市 or 阳泉市, is no typo); the
        # vocabulary leaves out words over MAX_WORD_CHARS, so those are not unknown either
        unknown = [k for k, t in enumerate(tokens) if is_han(t) and len(t) <= MAX_WORD_CHARS and vocab.frequency(t) == 0]
        for size in range(max(WINDOW_CHARS), min(WINDOW_CHARS) - 1, -1):
            for left in range(0, len(text) - size + 1):
                window = text[left : left + size]
                if not is_han(window) or vocab.frequency(window) > SUSPECT_MAX_DF:
                    continue
                first = next(k for k in range(len(tokens)) if starts[k + 1] > left)
                last = next(k for k in range(len(tokens)) if starts[k + 1] >= left + size)
                if not any(first <= k <= last for k in unknown) or first == last:
                    continue  # a single token was already tried whole by the token spans
                floor = max(CORRECTION_MIN_DF, CORRECTION_MIN_RATIO * vocab.frequency(window))
                cands = [c for c in vocab.by_fuzzy.get(fuzzy_key(window), []) if c != window and vocab.frequency(c) >= floor]
                if not cands:
                    continue
                best = min(cands, key=vocab.rank)
                covered = text[starts[first] : starts[last + 1]]
                offset = left - starts[first]
                replacement = covered[:offset] + best + covered[offset + size :]
                return first, last + 1, Correction(covered, replacement, "homophone")
        return None

    def correct(self, text: str) -> str:
        """``text`` with its typos replaced, or ``""`` when nothing needs correcting."""
        corrected_parts: list[str] = []
        changed = False
        for chunk in text.split():
            tokens = tokenize(chunk)
            spans, out = self.correct_tokens(tokens)
            if spans:
                changed = True
                corrected_parts.append("".join(out))
            else:
                corrected_parts.append(chunk)
        return " ".join(corrected_parts) if changed else ""


def _apply(tokens: list[str], spans: list[tuple[int, int, Correction]]) -> list[str]:
    """``tokens`` with each span (in order, not overlapping) replaced by its correction."""
    out: list[str] = []
    i = 0
    for start, end, correction in spans:
        out += tokens[i:start] + [correction.replacement]
        i = end
    return out + tokens[i:]


__all__ = ["Correction", "Speller"]
