"""Synonyms and abbreviations (社保 ↔ 社会保险, 个税 ↔ 个人所得税 …), applied at query time.

The shipped data file ``indexer/data/synonyms.txt`` holds one group per line; every word
of a group stands for the others. ``a b => c d`` is a one-way rule: ``a`` and ``b``
are expanded to ``c`` and ``d`` but not the reverse. ``Config.synonyms_path`` may name
one more file in the same format, added to the shipped one.

Expansion happens on the query only, so the data file can change without reindexing.
Words are matched on the query's token sequence (a run of consecutive jieba tokens
whose concatenation is a known word), never by adding words to jieba's dictionary,
which would change how documents are segmented.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from indexer.analysis import normalize_width
from indexer.datafiles import read_data_file
from indexer.errors import GovSearchError

logger = logging.getLogger(__name__)

#: The synonyms file shipped with the package.
SYNONYMS_FILE: Path = Path(__file__).resolve().parent / "data" / "synonyms.txt"

_SPLIT = re.compile(r"[\s,，、;；]+")


@dataclass
class Synonyms:
    """word -> the other words it stands for (never including itself)."""

    expansions: dict[str, list[str]] = field(default_factory=dict)

    def add_group(self, words: list[str], targets: list[str] | None = None) -> None:
        """Make every word of ``words`` stand for the others, or (one-way) for ``targets``.

        :param words: the words of the group (or the left side of a one-way rule).
        :param targets: the right side of a one-way rule; None for a two-way group.
        """
        sources = words
        for word in sources:
            others = [t for t in (targets if targets is not None else words) if t != word]
            known = self.expansions.setdefault(word, [])
            known.extend(t for t in others if t not in known)

    def expand(self, word: str) -> list[str]:
        """The words ``word`` stands for (empty when it is not in any group)."""
        return list(self.expansions.get(word, ()))

    def __contains__(self, word: object) -> bool:
        return word in self.expansions

    @property
    def longest(self) -> int:
        """Length in characters of the longest word with expansions."""
        return max((len(w) for w in self.expansions), default=0)


def parse_synonyms(text: str, source: str = "<text>") -> Synonyms:
    """Read synonym groups from the file format described in the module docstring.

    :param text: the file's content.
    :param source: file name for error messages.
    :raises GovSearchError: for a line with fewer than two words or a malformed rule.
    """
    syn = Synonyms()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = normalize_width(raw).strip()
        if not line or line.startswith("#"):
            continue
        if "=>" in line:
            left, _, right = line.partition("=>")
            if "=>" in right:
                raise GovSearchError(f"{source}:{lineno}: more than one '=>' in {raw.strip()!r}")
            sources = [w.lower() for w in _SPLIT.split(left) if w]
            targets = [w.lower() for w in _SPLIT.split(right) if w]
            if not sources or not targets:
                raise GovSearchError(f"{source}:{lineno}: a one-way rule needs words on both sides of '=>': {raw.strip()!r}")
            syn.add_group(sources, targets)
            continue
        words = list(dict.fromkeys(w.lower() for w in _SPLIT.split(line) if w))
        if len(words) < 2:
            raise GovSearchError(f"{source}:{lineno}: a group needs at least two different words: {raw.strip()!r}")
        syn.add_group(words)
    return syn


def load_synonyms(path: Path | str) -> Synonyms:
    """Read a synonyms file.

    :raises GovSearchError: naming the file when it is missing, not UTF-8 or malformed.
    """
    path = Path(path)
    return parse_synonyms(read_data_file(path, "synonyms file"), str(path))


_cache: dict[str, Synonyms] = {}
_lock = threading.Lock()


def default_synonyms(extra_path: str = "") -> Synonyms:
    """The shipped synonyms plus, optionally, ``extra_path`` (read once per process).

    :param extra_path: e.g. ``Config.synonyms_path``; empty for none.
    """
    key = str(Path(extra_path).expanduser().resolve()) if extra_path else ""
    with _lock:
        if key not in _cache:
            syn = load_synonyms(SYNONYMS_FILE)
            if key:
                for word, others in load_synonyms(key).expansions.items():
                    syn.add_group([word], others)
            _cache[key] = syn
        return _cache[key]


def find_synonym_spans(tokens: list[str], synonyms: Synonyms, max_tokens: int = 4) -> list[tuple[int, int, str]]:
    """Spans of consecutive ``tokens`` whose concatenation has synonyms, longest first, not overlapping.

    :returns: ``(start, end, word)`` with ``tokens[start:end]`` joined == ``word``, in token order.
    """
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + max_tokens), i, -1):
            word = "".join(tokens[i:j])
            if word in synonyms:
                spans.append((i, j, word))
                i = j
                break
        else:
            i += 1
    return spans


__all__ = ["SYNONYMS_FILE", "Synonyms", "default_synonyms", "find_synonym_spans", "load_synonyms", "parse_synonyms"]
