"""Near-duplicate documents: a 64-bit SimHash of each text, and grouping of ranked hits by it.

Portals republish: a State Council notice reappears on a province's site, a bureau's page
copies its city's circular, a news item quotes a policy whole. Listing every copy pushes
other answers off the first page and leaves citizens to guess which copy to read. The
engine shows one result per group of near-identical texts and names the others under it
(``Hit.duplicates``), as web search engines do.

The fingerprint is Charikar's SimHash over the text's 4-character shingles (ideographs,
letters and digits, width- and case-folded, so spacing, punctuation and page furniture do
not count; only shingles holding an ideograph): texts sharing nearly all shingles differ in
few of the 64 bits. It is computed once per document at ingest time (vectorised with
numpy) and kept in a column of the index; :func:`group_indices` folds ranked hits by it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Texts with fewer shingles than this (holding an ideograph) get no fingerprint (0): a
#: title-only record or a two-line notice is too short to call a copy of another.
MIN_SHINGLES = 60
#: Fingerprints at most this many bits apart are near-duplicates. Measured over all pairs
#: of the 6,883-document evaluation index (docs/search.md): pairs within 3 bits are copies
#: (shingle Jaccard >= 0.86, or a notice wrapped in a news lead); from 7-8 bits, different
#: laws written on one template appear.
MAX_DISTANCE = 3

_SHINGLE = 4
# splitmix64's constants: a cheap, well-mixed 64-bit hash of each shingle, the same on
# every machine and in every process (Python's str hash is salted per process)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_LANE = [np.uint64(m) for m in (0x100000001B3, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5)]
_CHUNK = 1 << 16  # shingles per step of the bit count (bounds memory on long texts)


def text_fingerprint(text: str) -> int:
    """The 64-bit SimHash of ``text`` (0 for texts too short to fingerprint).

    :param text: a document's cleaned text.
    :returns: an unsigned 64-bit integer; equal texts, up to spacing, punctuation and
        letter width/case, give equal fingerprints.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    codes = codes[_keep(codes)]
    n = len(codes) - _SHINGLE + 1
    if n < MIN_SHINGLES:
        return 0
    # only shingles holding an ideograph: digits have 10^4 four-character shingles in all,
    # so two long numeric tables (a budget annex) would cover the same ones and fold
    ideograph = codes >= 0x3400
    worded = ideograph[:n].copy()
    for i in range(1, _SHINGLE):
        worded |= ideograph[i : i + n]
    if np.count_nonzero(worded) < MIN_SHINGLES:
        return 0
    with np.errstate(over="ignore"):
        h = codes[:n] * _LANE[0]
        for i in range(1, _SHINGLE):
            h ^= codes[i : i + n] * _LANE[i]
        h = h[worded]
        h += _GOLDEN
        h = (h ^ (h >> np.uint64(30))) * _MIX1
        h = (h ^ (h >> np.uint64(27))) * _MIX2
        h ^= h >> np.uint64(31)
    # a set: counted per occurrence, the phrases a template repeats (第…条, 地方性法规)
    # outvote the rest, and different laws on one template come out 1-2 bits apart
    h.sort()
    shingles = h[np.concatenate(([True], h[1:] != h[:-1]))]  # np.unique, without its slow path
    counts = np.zeros(64, dtype=np.int64)
    for start in range(0, len(shingles), _CHUNK):
        part = shingles[start : start + _CHUNK].astype("<u8").view(np.uint8).reshape(-1, 8)
        counts += np.unpackbits(part, axis=1, bitorder="little").sum(axis=0, dtype=np.int64)
    bits = counts * 2 > len(shingles)
    return int(np.packbits(bits, bitorder="little").view("<u8")[0])


def _keep(codes: np.ndarray) -> np.ndarray:
    """Mask of the characters that count (ideographs, letters, digits), folding case and width in place.

    Over code points rather than through :func:`indexer.analysis.normalize_width` and a
    regex: those took 0.27 ms on a 3,800-character text, more than the whole fingerprint.
    """
    fullwidth = (codes >= 0xFF01) & (codes <= 0xFF5E)
    codes[fullwidth] -= np.uint64(0xFEE0)
    upper = (codes >= 0x41) & (codes <= 0x5A)
    codes[upper] += np.uint64(0x20)
    return (
        ((codes >= 0x30) & (codes <= 0x39))
        | ((codes >= 0x61) & (codes <= 0x7A))
        | ((codes >= 0x4E00) & (codes <= 0x9FFF))
        | ((codes >= 0x3400) & (codes <= 0x4DBF))
        | ((codes >= 0xF900) & (codes <= 0xFAFF))
    )


def distance(a: int, b: int) -> int:
    """Bits in which two fingerprints differ."""
    return (a ^ b).bit_count()


_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def distances(fingerprints: np.ndarray, fp: int) -> np.ndarray:
    """Bits in which each of ``fingerprints`` (uint64) differs from ``fp``."""
    x = (fingerprints.astype(np.uint64) ^ np.uint64(fp)).astype("<u8")
    return _POPCOUNT[x.view(np.uint8)].reshape(-1, 8).sum(axis=1, dtype=np.int64)


def are_near_duplicates(a: int, b: int, max_distance: int = MAX_DISTANCE) -> bool:
    """Whether two fingerprints mark near-identical texts (0 is no fingerprint: never)."""
    return a != 0 and b != 0 and distance(a, b) <= max_distance


def group_indices(
    fps: Sequence[int], kinds: Sequence[object] | None = None, max_distance: int = MAX_DISTANCE
) -> list[tuple[int, list[int]]]:
    """Ranked items in order, each item that nearly duplicates an earlier one of the same
    kind moved under it: ``(kept index, [indices folded under it])``.

    Linear in the number of items: fingerprints at most ``max_distance`` bits apart agree
    on at least one of ``max_distance + 1`` bands of their bits (pigeonhole), so only items
    sharing a band are compared.

    :param fps: the items' fingerprints in rank order (0: none, never grouped).
    :param kinds: the items' kinds (None: all one kind); an item folds only into an earlier
        one of its kind (an interpretation never folds into the policy it quotes).
    """
    bands = _bands(max_distance)
    groups: list[tuple[int, list[int]]] = []
    home_of: dict[int, int] = {}  # item index -> its group's position in groups
    by_band: list[dict[int, list[int]]] = [{} for _ in bands]
    for index, fp in enumerate(fps):
        if not fp:
            groups.append((index, []))
            continue
        keys = [(fp >> shift) & mask for shift, mask in bands]
        item_kind = kinds[index] if kinds is not None else None
        home = -1
        for table, key in zip(by_band, keys):
            for kept in table.get(key, ()):
                if (home < 0 or kept < home) and are_near_duplicates(fp, fps[kept], max_distance) and (
                    kinds is None or kinds[kept] == item_kind
                ):
                    home = kept
        if home >= 0:
            groups[home_of[home]][1].append(index)
            continue
        home_of[index] = len(groups)
        groups.append((index, []))
        for table, key in zip(by_band, keys):
            table.setdefault(key, []).append(index)
    return groups


def _bands(max_distance: int) -> list[tuple[int, int]]:
    """(shift, mask) of ``max_distance + 1`` bands covering the 64 bits."""
    count = max_distance + 1
    width, extra = divmod(64, count)
    out, shift = [], 0
    for i in range(count):
        size = width + (1 if i < extra else 0)
        out.append((shift, (1 << size) - 1))
        shift += size
    return out
