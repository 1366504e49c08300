"""Chinese analysis stage: jieba segmentation as a Whoosh tokenizer and analyzers.

Text fields are segmented by jieba in accurate mode (HMM on) after full-width ASCII
has been folded to half-width. Each *main* token gets the next word position, so
Whoosh phrase queries work on words, not characters (jieba's stock
``ChineseAnalyzer`` stores character offsets as positions, and phrases miss).

For recall, the index-time stream also carries the dictionary words found inside a
long main token (营商 and 环境 inside 营商环境; 中华, 人民, 共和国 inside
中华人民共和国), like jieba's search mode does. They are put at the position of the
main token that contains them, so a phrase query still sees one word per position:
``"优化营商环境"`` and ``"营商环境"`` both match a document containing 优化营商环境.
Query-time streams (``mode="query"``, which Whoosh's parser uses for words and for
quoted phrases) carry main tokens only: sub-words would break phrase positions and,
under an AND, add nothing that the main token does not already require.

Every token's ``startchar``/``endchar`` point into the text as given (width folding
is 1:1 in length), so highlighting marks exactly the matched characters.

Stop words are *not* removed by default. Removing 的/和/与 saves a little index
space but makes phrases containing them unanswerable (the query side would drop
the word while the document side keeps its gap), and BM25's IDF already makes such
words nearly free at scoring time. A ``stoplist`` can still be given: stopped words
keep their position (the counter advances over them) and are yielded with
``stopped=True`` when the caller passes ``removestops=False``.

jieba is initialised lazily, once per process, under a lock; the shipped
government dictionary ``indexer/data/userdict.txt`` is loaded at the same time.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import warnings
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh.analysis import Analyzer, CompositeAnalyzer, Token, Tokenizer

from .datafiles import read_data_file
from .errors import GovSearchError
from .segmentation import clear_hmm_memo, cut_block, dictionary_version

with warnings.catch_warnings():
    # jieba 0.42.1 imports pkg_resources (deprecated) for its resource files.
    warnings.simplefilter("ignore", UserWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    import jieba

__all__ = [
    "BLOCK_MEMO_SIZE",
    "USER_DICTIONARY",
    "JiebaTokenizer",
    "PreTokenized",
    "clear_block_memo",
    "index_analyzer",
    "load_user_dictionary",
    "normalize_width",
    "pretokenize",
    "query_analyzer",
    "term_positions",
    "tokenize",
]

logger = logging.getLogger(__name__)

#: The government-domain jieba dictionary shipped with the package.
USER_DICTIONARY: Path = Path(__file__).resolve().parent / "data" / "userdict.txt"

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space map 1:1 onto ASCII,
# so offsets computed on the folded text are valid in the original.
_WIDTH_TABLE: dict[int, int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE[0x3000] = 0x20
_WIDE = re.compile("[\uff01-\uff5e\u3000]")

#: Punctuation and spaces: where the query pipeline cuts text into pieces, and where the
#: wording re-rank's character n-grams end.
PUNCTUATION = re.compile(r"[\s,，。.!！?？;；:：、()（）《》<>【】\[\]{}'‘’*+\-~^\"“”「」『』|/\\&=@#$%…—_`]+")

# Word pieces inside a jieba token that is not purely alphanumeric ("3.5%", "PM2.5",
# "C++", "2024-01-02"): runs of letters/digits/ideographs, dotted runs kept whole so
# decimals and versions stay one token. Underscore counts as a separator.
_WORD_PIECE = re.compile(r"[^\W_]+(?:\.[^\W_]+)*")

# Sub-words are looked for inside main tokens up to this length only: longer runs
# are HMM guesses over unknown text, where dictionary n-grams are noise.
_MAX_SUBWORD_SOURCE = 32

_lock = threading.RLock()
_ready = False
_loaded_extra: set[str] = set()

#: Distinct blocks whose jieba words are remembered per process (0: none, every block is cut).
BLOCK_MEMO_SIZE = 1 << 18


class _BlockMemo:
    """jieba's words of each block it has cut, so a clause seen before is not cut again.

    ``jieba.cut`` splits text into blocks (runs of ideographs, letters and digits between
    punctuation and spaces) and segments each block on its own, so a block's words do not
    depend on the text around it. Official documents repeat whole clauses (addressees,
    boilerplate openings and closings, article headings, names of measures quoted again and
    again): about one character in six of a few hundred documents is in a block already
    seen. The sub-words of each long word are remembered too (a vocabulary, so nearly every
    lookup hits). Both are dropped whenever jieba's dictionary changes (a word added or
    tuned), and each is emptied when it holds :data:`BLOCK_MEMO_SIZE` entries.
    """

    def __init__(self) -> None:
        self.words: dict[str, tuple[str, ...]] = {}
        self.subwords: dict[str, tuple[tuple[str, int, int], ...]] = {}
        self.version: tuple[int, int, int, int] = (-1, -1, -1, -1)

    def check(self) -> "_BlockMemo":
        """The memo, emptied first if jieba's dictionary changed since it was filled."""
        version = dictionary_version()
        if version != self.version:
            self.words = {}
            self.subwords = {}
            self.version = version
        return self


_block_memo = _BlockMemo()


def clear_block_memo() -> None:
    """Forget every remembered block, sub-word list and HMM buffer (benchmarks start each run cold with it)."""
    _block_memo.words = {}
    _block_memo.subwords = {}
    clear_hmm_memo()


def _dictionary_subwords(word: str, freq: dict[str, int]) -> tuple[tuple[str, int, int], ...]:
    """``(sub-word, start, end)`` of every dictionary word inside ``word`` shorter than it, by start then end.

    jieba's search mode takes 2- and 3-grams; we take every dictionary n-gram shorter than the
    word, so 医疗保险 inside 城乡居民基本医疗保险 is found too. FREQ holds 0 for mere
    prefixes, and every prefix of a word: the first gram missing from it ends the grams
    starting there.
    """
    n = len(word)
    found = []
    for i in range(n - 1):
        for j in range(i + 2, n + 1 if i else n):
            count = freq.get(word[i:j])
            if count is None:
                break
            if count:
                found.append((word[i:j].lower(), i, j))
    return tuple(found)


def normalize_width(text: str) -> str:
    """Fold full-width ASCII (ＡＢＣ１２３，) and the ideographic space to half-width.

    The result has exactly the length of ``text``, so character offsets computed on
    it are valid in the original.

    :param text: any text.
    :returns: the folded text.
    """
    # most text holds no full-width character at all, and a regex scan is far cheaper
    # than translate's per-character lookup over a whole body
    if _WIDE.search(text) is None:
        return text
    return text.translate(_WIDTH_TABLE)


def _read_dictionary(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Parse a jieba dictionary file (``word [freq] [tag]`` per line).

    Blank lines and lines starting with ``#`` are skipped.
    """
    lines = read_data_file(path, "user dictionary").splitlines()
    entries: list[tuple[str, int | None, str | None]] = []
    for lineno, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        word, freq, tag = parts[0], None, None
        rest = parts[1:]
        if rest and rest[0].isdigit():
            freq = int(rest.pop(0))
        if rest:
            tag = rest.pop(0)
            if not tag.isascii() or not tag.isalpha():
                raise GovSearchError(f"{path}:{lineno}: expected 'word [freq] [tag]', got {line.strip()!r}")
        if rest:
            raise GovSearchError(f"{path}:{lineno}: expected 'word [freq] [tag]', got {line.strip()!r}")
        if not any(ch.isalnum() for ch in word):
            raise GovSearchError(f"{path}:{lineno}: {word!r} has no letter, digit or ideograph")
        entries.append((normalize_width(word), freq, tag))
    return entries


def _add_words(entries: list[tuple[str, int | None, str | None]]) -> None:
    add_word = jieba.dt.add_word
    for word, freq, tag in entries:
        # freq None lets jieba compute the smallest frequency that keeps the word whole.
        add_word(word, freq, tag)


def _ensure_jieba() -> None:
    """Initialise jieba and load the shipped dictionary, once per process."""
    global _ready
    if _ready:
        return
    with _lock:
        if _ready:
            return
        started = time.perf_counter()
        # jieba logs "Building prefix dict…" at DEBUG on its own stderr handler.
        jieba.setLogLevel(logging.WARNING)
        jieba.dt.initialize()
        entries = _read_dictionary(USER_DICTIONARY)
        _add_words(entries)
        _ready = True
        logger.debug(
            "jieba ready with %d government words in %.2f s", len(entries), time.perf_counter() - started
        )


def load_user_dictionary(extra_path: str = "") -> None:
    """Load the shipped government dictionary and, optionally, one more file into jieba.

    Idempotent: each file is loaded at most once per process (an extra file is
    recognised by its resolved path). Thread-safe.

    :param extra_path: a further dictionary in jieba format (``word [freq] [tag]``
        per line, UTF-8; ``#`` lines are comments), e.g. ``Config.userdict_path``.
        Empty means none.
    :raises GovSearchError: the extra file is missing, unreadable or malformed
        (the message names the file and line).
    """
    _ensure_jieba()
    if not extra_path:
        return
    path = Path(extra_path).expanduser().resolve()
    key = str(path)
    with _lock:
        if key in _loaded_extra:
            return
        entries = _read_dictionary(path)
        _add_words(entries)
        _loaded_extra.add(key)
    logger.info("loaded %d words from user dictionary %s", len(entries), path)


def _is_ideograph(ch: str) -> bool:
    """True for one CJK ideograph: URO, extension A, compatibility, planes 2-3, 〇 and 々."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x3FFFF
        or o in (0x3005, 0x3007)
    )


_RE_BLOCK = jieba.re_han_default
_RE_SPACE = jieba.re_skip_default


def _jieba_words(text: str) -> Iterator[str]:
    """``jieba.dt.cut(text, HMM=True)``, each distinct block cut once per process (:class:`_BlockMemo`).

    The same words in the same order as jieba's own ``cut``, which this follows block by
    block, each block cut by :func:`indexer.segmentation.cut_block` (``tests/unit/test_analysis.py``
    compares the two).
    """
    limit = BLOCK_MEMO_SIZE
    memo = _block_memo.check().words if limit > 0 else None
    match = _RE_BLOCK.match
    for blk in _RE_BLOCK.split(text):
        if not blk:
            continue
        if match(blk):
            if memo is None:
                yield from cut_block(blk)
                continue
            words = memo.get(blk)
            if words is None:
                words = tuple(cut_block(blk))
                if len(memo) >= limit:
                    memo.clear()
                memo[blk] = words
            yield from words
        else:
            # outside blocks jieba yields line breaks and spaces whole, anything else by character
            for piece in _RE_SPACE.split(blk):
                if _RE_SPACE.match(piece):
                    yield piece
                else:
                    yield from piece


def _iter_tokens(text: str, subwords: bool) -> Iterator[tuple[str, int, int, bool]]:
    """Yield ``(token, startchar, endchar, is_main)`` for width-folded ``text``.

    One jieba pass (accurate mode, HMM; blocks seen before come from :class:`_BlockMemo`).
    Sub-words follow their main token, ordered by start offset.
    """
    _ensure_jieba()
    freq = jieba.dt.FREQ
    # with the block memo off (BLOCK_MEMO_SIZE 0), sub-words are found afresh each time too
    memo_limit = BLOCK_MEMO_SIZE
    subword_memo = _block_memo.check().subwords
    piece_finditer = _WORD_PIECE.finditer
    end = 0
    # jieba only groups [a-zA-Z0-9] and yields any other letter alone (São ->
    # S, ã, o; Москва -> six tokens), so adjacent non-ideographic alphanumeric
    # tokens are merged back into one word. The pending run is [run_start, run_end).
    run_start = run_end = -1
    for word in _jieba_words(text):
        start = end
        n = len(word)
        end = start + n
        if word.isalnum():
            if word.isascii() or (n == 1 and not _is_ideograph(word)):
                if start != run_end:
                    if run_end >= 0:
                        yield text[run_start:run_end].lower(), run_start, run_end, True
                    run_start = start
                run_end = end
                continue
            if run_end >= 0:
                yield text[run_start:run_end].lower(), run_start, run_end, True
                run_end = -1
            yield word.lower(), start, end, True
            if subwords and 2 < n <= _MAX_SUBWORD_SOURCE:
                found = subword_memo.get(word) if memo_limit > 0 else None
                if found is None:
                    found = _dictionary_subwords(word, freq)
                    if memo_limit > 0:
                        if len(subword_memo) >= memo_limit:
                            subword_memo.clear()
                        subword_memo[word] = found
                for gram, i, j in found:
                    yield gram, start + i, start + j, False
            continue
        if run_end >= 0:
            yield text[run_start:run_end].lower(), run_start, run_end, True
            run_end = -1
        if n > 1:
            # Mixed tokens ("3.5%", "C++") keep their word pieces; single
            # non-alphanumeric characters are punctuation or space and are dropped.
            for m in piece_finditer(word):
                yield m.group().lower(), start + m.start(), start + m.end(), True
    if run_end >= 0:
        yield text[run_start:run_end].lower(), run_start, run_end, True


class JiebaTokenizer(Tokenizer):
    """Whoosh tokenizer on jieba with word positions and exact character offsets.

    Honours Whoosh's call contract (``positions``, ``chars``, ``start_pos``,
    ``start_char``, ``keeporiginal``, ``removestops``, ``tokenize``, ``mode``).
    Tokens are lowercased and width-folded; ``original`` (with ``keeporiginal``)
    is the untouched slice of the input.

    :param subwords: add dictionary sub-words of long tokens at their main token's
        position, except when called with ``mode="query"``. A call may force it
        either way with the keyword ``subwords=True/False``.
    :param stoplist: words to stop. Empty by default (see the module docstring).
    """

    def __init__(self, subwords: bool = True, stoplist: frozenset[str] | set[str] | tuple[str, ...] = frozenset()) -> None:
        self.subwords = bool(subwords)
        self.stoplist = frozenset(stoplist)

    def __eq__(self, other: object) -> bool:
        # Whoosh compares schemas (and so analyzers) field by field.
        return (
            type(other) is type(self)
            and self.subwords == other.subwords  # type: ignore[attr-defined]
            and self.stoplist == other.stoplist  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self), self.subwords, self.stoplist))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(subwords={self.subwords!r}, stoplist={sorted(self.stoplist)!r})"

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Tokenize ``value``; yields one reused :class:`whoosh.analysis.Token`.

        :param value: the text.
        :param positions: set ``pos`` (main tokens numbered from ``start_pos``).
        :param chars: set ``startchar``/``endchar`` (offset by ``start_char``).
        :param keeporiginal: set ``original`` to the input slice.
        :param removestops: drop stopped words (their positions stay used).
        :param start_pos: position of the first main token.
        :param start_char: offset added to every character offset.
        :param tokenize: ``False`` yields the whole value as one token.
        :param mode: ``"index"``, ``"query"`` or ``""``; ``"query"`` suppresses sub-words.
        """
        if not isinstance(value, str):
            raise TypeError(f"{value!r} is not a str")
        subwords = kwargs.pop("subwords", None)
        if subwords is None:
            subwords = self.subwords and mode != "query"
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = value
            t.text = normalize_width(value).lower()
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return

        stoplist = self.stoplist
        pos = start_pos - 1
        stopped = False
        folded = normalize_width(value)
        if isinstance(value, PreTokenized) and value.subwords == subwords:
            stream: Iterator[tuple[str, int, int, bool]] = _replay(folded, value.spans)
        else:
            stream = _iter_tokens(folded, subwords)
        for text, start, end, main in stream:
            if main:
                pos += 1
                stopped = bool(stoplist) and text in stoplist
            if stopped:
                # Sub-words of a stopped word go with it.
                if removestops:
                    continue
            t.text = text
            t.boost = 1.0
            t.stopped = stopped
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


def pretokenize(text: str, *, subwords: bool = True) -> array:
    """The index-time token stream of ``text`` as compact spans, to be replayed by :class:`PreTokenized`.

    Meant for worker processes: the jieba pass happens where this is called, and the
    result pickles as a small int array (``start, end * 2 + is_main`` per token). Every
    token's text is ``normalize_width(text)[start:end].lower()``, so the texts need not travel.

    :param text: the field value.
    :param subwords: include dictionary sub-words (what :func:`index_analyzer` indexes).
    :returns: the spans, in stream order.
    """
    spans = array("i")
    append = spans.append
    for _, start, end, main in _iter_tokens(normalize_width(text), subwords):
        append(start)
        append(end * 2 + main)
    return spans


def term_positions(text: str, *, subwords: bool = True) -> dict[str, list[int]]:
    """Each token text of ``text`` with its word positions, in order of first occurrence.

    The same tokens and positions as :class:`JiebaTokenizer` yields with ``positions=True``
    (no stoplist, ``start_pos=0``), without a :class:`whoosh.analysis.Token` per token: what
    Whoosh's ``Positions.word_values`` gathers from that stream, for
    :func:`indexer.writing.prepare_postings` (Whoosh's tokens and generators cost about a
    fifth as much again as jieba itself).

    :param text: the field value.
    :param subwords: include dictionary sub-words (what :func:`index_analyzer` indexes).
    :returns: ``{token text: [position, ...]}``.
    """
    poses: dict[str, list[int]] = {}
    get = poses.get
    pos = -1
    for tok, _, _, main in _iter_tokens(normalize_width(text), subwords):
        if main:
            pos += 1
        found = get(tok)
        if found is None:
            poses[tok] = [pos]
        else:
            found.append(pos)
    return poses


def _replay(folded: str, spans: array) -> Iterator[tuple[str, int, int, bool]]:
    for i in range(0, len(spans), 2):
        start = spans[i]
        end, main = divmod(spans[i + 1], 2)
        yield folded[start:end].lower(), start, end, bool(main)


class PreTokenized(str):
    """A field value that carries its own token spans (from :func:`pretokenize`).

    :class:`JiebaTokenizer` replays the spans instead of running jieba again when the
    sub-word setting matches, so documents tokenised in extraction workers are indexed
    by the writing process without a second jieba pass. Anywhere else it is the plain
    string. Pass the plain string as the stored value (Whoosh's ``_stored_<field>``),
    or the spans are stored too.

    :param value: the field text.
    :param spans: ``pretokenize(value, subwords=subwords)``.
    :param subwords: the sub-word setting the spans were made with.
    """

    def __new__(cls, value: str, spans: array, subwords: bool = True) -> "PreTokenized":
        self = super().__new__(cls, value)
        self.spans = spans
        self.subwords = subwords
        return self


def index_analyzer() -> Analyzer:
    """Analyzer for TEXT fields: main tokens plus sub-words at index time.

    With ``mode="query"`` (as Whoosh's query parser calls it) it yields main tokens
    only, so the same analyzer can serve a schema field for indexing, plain-word
    queries and quoted phrases.
    """
    return CompositeAnalyzer(JiebaTokenizer(subwords=True))


def query_analyzer() -> Analyzer:
    """Analyzer for query text: the same main tokens as :func:`index_analyzer`, never sub-words.

    Safe for phrases in any mode, since positions are one per word.
    """
    return CompositeAnalyzer(JiebaTokenizer(subwords=False))


def tokenize(text: str, *, search_mode: bool = False) -> list[str]:
    """Token texts of ``text``, lowercased and width-folded, punctuation dropped.

    :param text: any text.
    :param search_mode: also return dictionary sub-words of long tokens, each right
        after the token containing it (what the index holds).
    :returns: the tokens in text order.
    """
    return [tok for tok, _, _, _ in _iter_tokens(normalize_width(text), search_mode)]
