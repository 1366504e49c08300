"""jieba's accurate-mode cut of one block, the same words in less time.

``jieba.cut(text, HMM=True)`` splits text into blocks (runs of ideographs, letters and
digits) and cuts each block with ``Tokenizer.__cut_DAG``: every dictionary word starting at
each character (``get_DAG``), the most probable route through them from right to left
(``calc``), then the runs of one-character steps that are not themselves a word through the
HMM (``finalseg.cut``). That is more than half of what indexing costs, and it is all
interpreter overhead: tuples, generators and a dict of lists per block.

:func:`cut_block` does the same walk without them, in C where the optional extension
``indexer/_segmentation.c`` was built (``pip install`` builds it when a C compiler is found)
and in Python otherwise. The C walk reads a snapshot of jieba's ``FREQ`` kept as a trie in
one hash table (one probe per character, no string made per prefix), rebuilt whenever
:func:`dictionary_version` changes, so words added at run time count at once. Both return
exactly jieba's words: the same dictionary, the same scores from the same float operations
in the same order, ties broken towards the longer word as Python's ``max`` over
``(score, end)`` tuples breaks them, and jieba's own HMM (each distinct buffer cut once per
process). ``tests/unit/test_segmentation.py`` compares all three on the demo corpus and on
generated text, and ``benchmarks/check_segmentation.py`` on the whole shared corpus: on its
3.2 M blocks (29.6 M characters) every word is jieba's, and cutting every block once took
jieba 57.4 s of CPU, the Python walk 33.8 s (1.7 x as fast) and the C walk 11.1 s (5.2 x).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from math import log

with warnings.catch_warnings():
    # jieba 0.42.1 imports pkg_resources (deprecated) for its resource files.
    warnings.simplefilter("ignore", UserWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    import jieba
    from jieba import finalseg

try:
    from ._segmentation import Dictionary as _CDictionary
    from ._segmentation import cut_block as _c_cut_block
    from ._segmentation import dictionary_stamp as _dictionary_stamp
except ImportError:  # built without a C compiler: the Python walk cuts the same words
    _CDictionary = None
    _c_cut_block = None
    _dictionary_stamp = None

__all__ = ["IMPLEMENTATIONS", "clear_hmm_memo", "cut_block", "dictionary_version", "implementation", "set_implementation"]

#: The ways to cut a block: ``"c"`` (the extension), ``"python"`` (the same walk in
#: Python) and ``"jieba"`` (jieba's own ``__cut_DAG``: the reference the others must equal).
IMPLEMENTATIONS: tuple[str, ...] = ("c", "python", "jieba")

_implementation = "c" if _c_cut_block is not None else "python"


def implementation() -> str:
    """The way blocks are cut in this process (one of :data:`IMPLEMENTATIONS`)."""
    return _implementation


def set_implementation(name: str) -> None:
    """Cut blocks another way in this process (benchmarks and tests compare them).

    :raises ValueError: ``name`` is not one of :data:`IMPLEMENTATIONS`, or is ``"c"`` and
        the extension was not built.
    """
    global _implementation
    if name not in IMPLEMENTATIONS:
        raise ValueError(f"segmentation implementation must be one of {IMPLEMENTATIONS}, got {name!r}")
    if name == "c" and _c_cut_block is None:
        raise ValueError("the C segmentation extension (indexer._segmentation) is not built")
    _implementation = name


#: Distinct HMM buffers whose words are remembered per process (0: none).
HMM_MEMO_SIZE = 1 << 16

_hmm_memo: dict[str, tuple[str, ...]] = {}
_hmm_memo_forced = -1  # len(finalseg.Force_Split_Words) when the memo was filled


def _hmm_cut(buffer: str) -> tuple[str, ...]:
    """``finalseg.cut(buffer)``, each distinct buffer cut once per process.

    The HMM's words depend on the buffer and on ``finalseg.Force_Split_Words`` only (words
    deleted from the dictionary, which jieba adds there). Unknown names and terms recur across
    blocks that differ: about three calls in four are for a buffer already seen.
    """
    global _hmm_memo_forced
    if HMM_MEMO_SIZE <= 0:
        return tuple(finalseg.cut(buffer))
    forced = len(finalseg.Force_Split_Words)
    if forced != _hmm_memo_forced:
        _hmm_memo.clear()
        _hmm_memo_forced = forced
    words = _hmm_memo.get(buffer)
    if words is None:
        words = tuple(finalseg.cut(buffer))
        if len(_hmm_memo) >= HMM_MEMO_SIZE:
            _hmm_memo.clear()
        _hmm_memo[buffer] = words
    return words


def clear_hmm_memo() -> None:
    """Forget every remembered HMM buffer (benchmarks start each run cold)."""
    _hmm_memo.clear()


def dictionary_version() -> tuple[int, int, int, int]:
    """A value that changes whenever jieba's dictionary (``jieba.dt``) or its HMM's forced splits change.

    What a remembered cut is valid for: :func:`cut_block`'s snapshot of the dictionary and
    the block memo of :mod:`indexer.analysis`. With the C extension the dictionary's part is
    CPython's own record of changes to ``FREQ``; without it, ``FREQ``'s length (with jieba's
    total, that misses only deleting a word that was deleted and added again before).
    """
    dt = jieba.dt
    freq = dt.FREQ
    stamp = _dictionary_stamp(freq) if _dictionary_stamp is not None else len(freq)
    # Force_Split_Words only grows (del_word adds to it), so its length is exact
    return (id(freq), stamp, dt.total, len(finalseg.Force_Split_Words))


_c_dictionary: object | None = None
_c_dictionary_version: tuple[int, int, int, int] | None = None


def _current_c_dictionary(dt: jieba.Tokenizer) -> object:
    """The C snapshot of ``dt.FREQ``, rebuilt when jieba's dictionary changed (0.13 s)."""
    global _c_dictionary, _c_dictionary_version
    version = dictionary_version()  # read before the snapshot is made: a change during it shows next time
    if version != _c_dictionary_version:
        _c_dictionary = _CDictionary(dt.FREQ)  # type: ignore[misc]
        _c_dictionary_version = version
    return _c_dictionary


def cut_block(block: str) -> list[str]:
    """jieba's accurate-mode words (HMM on) of one block, as ``jieba.dt`` cuts it.

    :param block: one block of ``jieba.re_han_default`` (ideographs, letters, digits and
        the few joiners jieba keeps inside a block); jieba must be initialised.
    :returns: the words in order; they concatenate to ``block``.
    """
    dt = jieba.dt
    if _implementation == "c":
        return _c_cut_block(block, _current_c_dictionary(dt), log(dt.total), _hmm_cut)  # type: ignore[misc]
    if _implementation == "python":
        return _python_cut_block(block, dt.FREQ, log(dt.total), _hmm_cut)
    return list(dt._Tokenizer__cut_DAG(block))


def _python_cut_block(
    sentence: str, freq: dict[str, int], logtotal: float, hmm_cut: Callable[[str], object]
) -> list[str]:
    """The C extension's walk in Python (see the module docstring for why it equals jieba's)."""
    n = len(sentence)
    get = freq.get
    scores = [0.0] * (n + 1)
    ends = [0] * n
    for k in range(n - 1, -1, -1):
        best = None
        best_end = k
        i = k
        count = get(sentence[k])
        while count is not None:  # None: not even a prefix of a word
            if count:  # 0: a prefix of longer words only
                # jieba: log(FREQ.get(frag) or 1) - logtotal + route[x + 1][0], left to right
                score = log(count) - logtotal + scores[i + 1]
                if best is None or score >= best:  # ties go to the longer word
                    best = score
                    best_end = i
            i += 1
            if i >= n:
                break
            count = get(sentence[k : i + 1])
        if best is None:
            best = 0.0 - logtotal + scores[k + 1]  # no word starts here: log(1)
        scores[k] = best
        ends[k] = best_end

    words: list[str] = []
    x = 0
    buffer_start = -1  # a run of one-character steps, as jieba's buf
    while x < n:
        y = ends[x] + 1
        if y - x == 1:
            if buffer_start < 0:
                buffer_start = x
        else:
            if buffer_start >= 0:
                _flush(sentence[buffer_start:x], get, hmm_cut, words)
                buffer_start = -1
            words.append(sentence[x:y])
        x = y
    if buffer_start >= 0:
        _flush(sentence[buffer_start:], get, hmm_cut, words)
    return words


def _flush(buffer: str, get: Callable[[str], int | None], hmm_cut: Callable[[str], object], words: list[str]) -> None:
    # one character alone; a dictionary word character by character (jieba's own quirk);
    # anything else through the HMM
    if len(buffer) == 1:
        words.append(buffer)
    elif not get(buffer):
        words.extend(hmm_cut(buffer))  # type: ignore[call-overload]
    else:
        words.extend(buffer)
