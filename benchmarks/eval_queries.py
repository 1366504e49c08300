"""Search quality on our own labelled queries (benchmarks/eval_queries.json) over the real corpus.

Each query names the documents that should come first, by a stable key: ``path:`` a file
relative to ../shared/corpus, or ``url:`` a record's url. Runs every query through
:meth:`SearchEngine.search` on the evaluation index that ``benchmarks/eval_ncp.py``
builds (the whole shared corpus plus the ncp policies), and prints success@1 and
nDCG@10 per category and overall.

Usage (from the project root)::

    .venv/bin/python benchmarks/eval_queries.py --cache /tmp/govsearch-eval
    .venv/bin/python benchmarks/eval_queries.py --cache /tmp/govsearch-eval --show-failures
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.config import Config  # noqa: E402
from indexer.engine import SearchEngine  # noqa: E402
from indexer.models import Hit, SearchRequest  # noqa: E402

CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()
QUERIES = ROOT / "benchmarks" / "eval_queries.json"
K = 10


def load_queries(path: Path = QUERIES) -> list[dict[str, Any]]:
    """The labelled queries: ``{"category", "q", "expect": [keys]}`` each."""
    return json.loads(path.read_text(encoding="utf-8"))["queries"]


def hit_keys(hit: Hit, corpus: Path = CORPUS) -> set[str]:
    """The stable keys a hit can be named by: ``path:`` relative to the corpus, ``url:``."""
    return _document_keys(hit.path, hit.url, corpus)


def score_query(ranked: list[list[set[str]]], expect: set[str], k: int = K) -> tuple[float, float]:
    """(success@1, nDCG@k) with binary relevance.

    :param ranked: per rank, the keys of each document shown there: the hit, then the copies
        folded into it (``Hit.duplicates``). A rank is relevant when one of them is expected;
        expected documents shown together as one hit count as one in the ideal ranking.
    """
    top = ranked[:k]
    found = [set().union(*docs) & expect for docs in top]  # the expected keys each rank shows
    success = 1.0 if found[:1] and found[0] else 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, keys in enumerate(found) if keys)
    # expected documents that share one rank could not have had ranks of their own
    folded = sum(max(0, len(keys) - 1) for keys in found)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(expect) - folded)))
    return success, (min(1.0, dcg / ideal) if ideal else 0.0)


def shown_keys(engine: SearchEngine, hit: Hit) -> list[set[str]]:
    """The keys of a hit and of each copy folded into it."""
    copies = [engine.get(link.id) for link in hit.duplicates]
    return [hit_keys(hit)] + [_document_keys(doc.path, doc.meta.url) for doc in copies if doc is not None]


def _document_keys(path: str, url: str, corpus: Path = CORPUS) -> set[str]:
    keys = set()
    if path:
        try:
            keys.add("path:" + Path(path).resolve().relative_to(corpus).as_posix())
        except ValueError:
            keys.add("path:" + path)
    if url:
        keys.add("url:" + url)
    return keys


def evaluate(engine: SearchEngine, queries: list[dict[str, Any]], show_failures: bool = False) -> dict[str, dict[str, float]]:
    """Mean success@1 and nDCG@10 per category and ``all``, with the slowest query time."""
    table: dict[str, list[float]] = {}
    for item in queries:
        started = time.perf_counter()
        results = engine.search(SearchRequest(q=item["q"], page_size=K, facets=False, highlight=False))
        took = time.perf_counter() - started
        ranked = [shown_keys(engine, h) for h in results.hits]
        success, ndcg = score_query(ranked, set(item["expect"]))
        for name in (item["category"], "all"):
            acc = table.setdefault(name, [0.0, 0.0, 0, 0.0])
            acc[0] += success
            acc[1] += ndcg
            acc[2] += 1
            acc[3] = max(acc[3], took)
        if show_failures and not success:
            first = results.hits[0] if results.hits else None
            print(f"MISS [{item['category']}] {item['q']!r}: first {sorted(ranked[0][0]) if ranked else '-'} "
                  f"{first.title if first else ''} notes={results.notes} corrected={results.corrected!r}")
    return {name: {"success@1": a[0] / a[2], "nDCG@10": a[1] / a[2], "n": a[2], "max_s": a[3]} for name, a in table.items()}


def print_table(result: dict[str, dict[str, float]]) -> None:
    """One row per category, ``all`` last."""
    print(f"{'category':<14}{'n':>4}{'success@1':>11}{'nDCG@10':>9}{'slowest':>9}")
    for name in sorted(result, key=lambda n: (n == "all", n)):
        r = result[name]
        print(f"{name:<14}{r['n']:>4}{r['success@1']:>11.3f}{r['nDCG@10']:>9.3f}{r['max_s'] * 1000:>7.0f}ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/govsearch-eval"), help="eval_ncp.py's cache directory")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    index_dir = args.cache / "index"
    if not index_dir.is_dir():
        print(f"no evaluation index at {index_dir}: run benchmarks/eval_ncp.py --build-only first", file=sys.stderr)
        return 2
    with SearchEngine(Config.from_env({}, index_dir=index_dir)) as engine:
        engine.lexicon(wait=True)  # saved at index time; loading it is not part of a query's time
        print_table(evaluate(engine, load_queries(), args.show_failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
