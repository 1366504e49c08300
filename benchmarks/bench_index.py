"""Indexing benchmark: full indexing against the all-core jieba bound, memory, size, incremental 1 %.

Prints, for one corpus from ``make_big_corpus`` (``--docs N``):

* the **tokenisation bound**: jieba alone (our index analyzer's stream, sub-words included, with
  jieba's own ``cut`` on every block: no block memo) over every document's text on all cores, measured in this run (the machine is shared and noisy,
  so the bound is re-measured next to what it bounds: before and after the full run, and the
  CPU ratio is printed against both);
* **full indexing** with ``sync_paths(rebuild=True)`` (extraction workers + writer), docs/s and
  MB/s, its ratio to the bound, wall and CPU seconds (this process + children), peak RSS;
  with ``--compare``, also the older ways (``sync.WORKER_ANALYSIS``: ``none`` = jieba in the
  writer; ``spans`` = workers tokenise, the writer replays tokens and encodes postings;
  ``postings`` = workers prepare postings, the one writer pools them and writes the segments);
* **index size** against the raw text size;
* an **incremental** run after rewriting 1 % of the generated files, as a share of the full run
  (``--incremental-runs N``: N in a row, a different 1 % each, so segment merges are counted);
* with ``--baselines``, the stock Whoosh + ChineseAnalyzer setup (``procs=2``) and tantivy over
  pre-tokenised text, on the same cleaned documents, as ratios.

Usage::

    .venv/bin/python benchmarks/bench_index.py --docs 2000 [--compare] [--baselines] [--keep DIR]

``--keep DIR`` leaves the index in DIR (``bench_query.py`` and ``load_test.py`` reuse it).
Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import make_big_corpus  # noqa: E402

from indexer import analysis, segmentation, sync  # noqa: E402
from indexer.analysis import load_user_dictionary, pretokenize  # noqa: E402
from indexer.config import Config  # noqa: E402
from indexer.engine import SearchEngine  # noqa: E402
from indexer.ingest import ingest_file  # noqa: E402

logger = logging.getLogger(__name__)


def cpu_seconds() -> tuple[float, float]:
    """(CPU seconds of this process, of its waited-for children): user + system."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, ch.ru_utime + ch.ru_stime


def peak_rss_mb() -> tuple[float, float]:
    """(peak RSS of this process, of the largest child) in MB."""
    return (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )


def _tokenise_count(text: str) -> int:
    return len(pretokenize(text)) // 2


def tokenisation_bound(texts: list[str], workers: int, cut: str = "jieba") -> dict[str, float]:
    """The analyzer's stream alone over ``texts`` on ``workers`` processes: docs/s, MB/s, wall and CPU seconds.

    :param cut: how blocks are cut (``segmentation.IMPLEMENTATIONS``); the bound of the issue's
        target is ``"jieba"``, jieba's own cut.
    """
    load_user_dictionary()
    # every block cut afresh: the pipeline remembers blocks, sub-words and HMM buffers it has
    # cut (analysis.BLOCK_MEMO_SIZE, segmentation.HMM_MEMO_SIZE), the bound does not
    memo_size, analysis.BLOCK_MEMO_SIZE = analysis.BLOCK_MEMO_SIZE, 0
    hmm_memo_size, segmentation.HMM_MEMO_SIZE = segmentation.HMM_MEMO_SIZE, 0
    pipeline_cut = segmentation.implementation()
    segmentation.set_implementation(cut)
    before = cpu_seconds()
    started = time.perf_counter()
    try:
        with get_context("fork").Pool(workers) as pool:
            tokens = sum(pool.imap_unordered(_tokenise_count, texts, chunksize=8))
    finally:
        analysis.BLOCK_MEMO_SIZE = memo_size
        segmentation.HMM_MEMO_SIZE = hmm_memo_size
        segmentation.set_implementation(pipeline_cut)
    wall = time.perf_counter() - started
    after = cpu_seconds()
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    return {"docs_per_s": len(texts) / wall, "mb_per_s": mb / wall, "wall_s": wall,
            "cpu_s": (after[0] - before[0]) + (after[1] - before[1]), "tokens": tokens}


def _scaled(bound: dict[str, float], factor: float) -> dict[str, float]:
    """A bound measured on a sample, its times scaled to the whole corpus (rates unchanged)."""
    bound["wall_s"] *= factor
    bound["cpu_s"] *= factor
    return bound


def full_index(index_dir: Path, roots: list[Path], workers: int, mode: str) -> dict[str, float]:
    """A full ``sync_paths(rebuild=True)`` into a fresh ``index_dir``."""
    shutil.rmtree(index_dir, ignore_errors=True)
    analysis.clear_block_memo()  # workers start with nothing remembered
    default, sync.WORKER_ANALYSIS = sync.WORKER_ANALYSIS, mode
    engine = SearchEngine(Config.from_env({}, index_dir=index_dir, workers=workers))
    before = cpu_seconds()
    started = time.perf_counter()
    summary = sync.sync_paths(engine, roots, rebuild=True)
    wall = time.perf_counter() - started
    after = cpu_seconds()
    engine.close()
    sync.WORKER_ANALYSIS = default
    return {"wall_s": wall, "cpu_main_s": after[0] - before[0], "cpu_children_s": after[1] - before[1],
            "added": len(summary.added), "failed": len(summary.failed) + len(summary.skipped)}


def index_bytes(index_dir: Path) -> int:
    """Bytes of every file below the index directory."""
    return sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--compare", action="store_true", help="also index the older ways (none, spans, postings)")
    ap.add_argument("--also", action="append", default=[], choices=["none", "spans", "postings"],
                    help="also index this older way (sync.WORKER_ANALYSIS), before the default; repeatable")
    ap.add_argument("--baselines", action="store_true", help="also index with stock Whoosh and tantivy")
    ap.add_argument("--keep", type=Path, help="build the index here and keep it")
    ap.add_argument("--json", type=Path, help="write the figures here too")
    ap.add_argument("--mean-chars", type=int, default=0, help="mean body length of generated documents (make_big_corpus)")
    ap.add_argument("--incremental-runs", type=int, default=1,
                    help="incremental 1 %% runs in a row, a different 1 %% each (merges show from about the seventh)")
    ap.add_argument("--bound-sample", type=int, default=0,
                    help="measure the tokenisation bound on this many documents (a rate: docs/s and MB/s); 0: all")
    ap.add_argument("--cut", choices=segmentation.IMPLEMENTATIONS, default=segmentation.implementation(),
                    help="how the pipeline cuts blocks (indexer.segmentation; default: the fastest built)")
    ap.add_argument("--no-block-memo", action="store_true",
                    help="index with jieba's own cut on every block (analysis.BLOCK_MEMO_SIZE = 0), to measure what the memo saves")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.no_block_memo:
        analysis.BLOCK_MEMO_SIZE = 0
    segmentation.set_implementation(args.cut)

    paths = make_big_corpus.build(args.docs, mean_chars=args.mean_chars)
    folder = make_big_corpus.corpus_folder(args.docs, mean_chars=args.mean_chars)
    roots = make_big_corpus.roots(paths, folder)
    raw_bytes = sum(p.stat().st_size for p in paths)
    print(f"corpus: {len(paths)} files, {raw_bytes / 1e6:.1f} MB raw ({folder})")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; workers={args.workers}; "
          f"block memo {'off' if args.no_block_memo else f'{analysis.BLOCK_MEMO_SIZE} blocks'}; "
          f"block cut {segmentation.implementation()!r}")

    work = Path(tempfile.mkdtemp(prefix="govsearch-bench-index-"))
    index_dir = args.keep or work / "index"
    figures: dict[str, object] = {"docs": len(paths), "raw_mb": raw_bytes / 1e6, "cores": os.cpu_count()}
    try:
        # the bound is over the cleaned text the analyzer sees (extraction excluded)
        load_user_dictionary()
        config = Config.from_env({})
        sample = paths
        if args.bound_sample and args.bound_sample < len(paths):
            import random

            sample = random.Random(5).sample(paths, args.bound_sample)
        texts = []
        for p in sample:
            doc = ingest_file(p, config)
            texts.append(doc.meta.title + "\n" + doc.text)
        text_mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        # a rate measured on a random sample; the full run's time at that rate, for the ratios
        factor = len(paths) / len(sample)
        bound = _scaled(tokenisation_bound(texts, args.workers), factor)
        bound1 = tokenisation_bound(texts[: max(50, len(texts) // 5)], 1)
        if len(sample) < len(paths):
            bound["sample"] = len(sample)
            text_mb *= factor
        figures["bound"] = bound
        print(f"\ntokenisation bound (jieba only, {args.workers} procs{f', on a random sample of {len(sample)}' if len(sample) < len(paths) else ''}): "
              f"{bound['docs_per_s']:.0f} docs/s, "
              f"{bound['mb_per_s']:.2f} MB/s of clean text ({text_mb:.1f} MB{' est.' if len(sample) < len(paths) else ''}), "
              f"{bound['wall_s']:.1f} s wall, {bound['cpu_s']:.1f} s CPU{' (scaled to the whole corpus)' if len(sample) < len(paths) else ''}; "
              f"one core: {bound1['docs_per_s']:.0f} docs/s")
        # the same stream with the pipeline's own cut (indexer.segmentation): what tokenising
        # costs the workers, as against jieba's cut in the bound above
        fast = _scaled(tokenisation_bound(texts, args.workers, cut=segmentation.implementation()), factor)
        figures["bound_pipeline_cut"] = fast
        print(f"  the same stream with the pipeline's block cut ({segmentation.implementation()!r}): {fast['cpu_s']:.1f} s CPU "
              f"= {fast['cpu_s'] / bound['cpu_s']:.2f} x jieba's")
        cpu_bound = len(paths) / (bound["cpu_s"] / args.workers)
        print(f"  CPU-time bound (CPU seconds spread over {args.workers} cores, i.e. what an idle machine would do): {cpu_bound:.0f} docs/s")
        figures["cpu_bound_docs_per_s"] = cpu_bound

        runs = [("workers write segments (default)", "segments")]
        older = {"none": "old: jieba in the writer", "spans": "workers tokenise, writer replays",
                 "postings": "workers prepare postings, one writer"}
        wanted = list(older) if args.compare else args.also
        runs[:0] = [(older[mode], mode) for mode in older if mode in wanted]
        for label, pre in runs:
            r = full_index(index_dir, roots, args.workers, pre)
            r["docs_per_s"] = len(paths) / r["wall_s"]
            r["mb_per_s"] = raw_bytes / 1e6 / r["wall_s"]
            r["ratio_to_bound"] = r["docs_per_s"] / bound["docs_per_s"]
            figures["full_" + pre] = r
            print(f"\nfull index, {label}: {r['wall_s']:.1f} s wall, {r['docs_per_s']:.0f} docs/s, {r['mb_per_s']:.2f} MB/s raw, "
                  f"{r['ratio_to_bound']:.2f} x bound; critical-path CPU estimate max(main, total/{args.workers}) = "
                  f"{max(r['cpu_main_s'], (r['cpu_main_s'] + r['cpu_children_s']) / args.workers):.1f} s -> "
                  f"{len(paths) / max(r['cpu_main_s'], (r['cpu_main_s'] + r['cpu_children_s']) / args.workers) / cpu_bound:.2f} x CPU bound; CPU main {r['cpu_main_s']:.1f} s + workers {r['cpu_children_s']:.1f} s; "
                  f"added {r['added']}, failed/skipped {r['failed']}")
        # the bound again, on the same sample: the machine's speed drifts (a shared VM), and a
        # ratio between two phases minutes apart moves with it, so it is bracketed
        after = _scaled(tokenisation_bound(texts, args.workers), factor)
        figures["bound_after"] = after
        r = figures["full_segments"]  # type: ignore[assignment]
        critical = max(r["cpu_main_s"], (r["cpu_main_s"] + r["cpu_children_s"]) / args.workers)
        # the bound's time on idle cores over the run's critical path
        ratios = [(b["cpu_s"] / args.workers) / critical for b in (bound, after)]
        figures["cpu_ratio_bracket"] = ratios
        print(f"\ntokenisation bound again after the full run: {after['cpu_s']:.1f} s CPU (before: {bound['cpu_s']:.1f} s); "
              f"CPU ratio of the full run against the bound before / after: {ratios[0]:.2f} / {ratios[1]:.2f} "
              f"(mean {sum(ratios) / 2:.2f})")
        size = index_bytes(index_dir)
        figures["index_mb"] = size / 1e6
        print(f"index size: {size / 1e6:.1f} MB = {size / raw_bytes:.2f} x raw files, {size / 1e6 / text_mb:.2f} x clean text")

        full_wall = figures["full_segments"]["wall_s"]  # type: ignore[index]
        walls = []
        stamp = int(time.time()) % 100000
        for run in range(args.incremental_runs):
            # a different 1 % each run: the index gains a segment each time and, every tenth
            # run or so, a commit merges a tier (indexer.merge_policy)
            changed = make_big_corpus.mutate(paths, 0.01, seed=2 + run, version=stamp + run, mean_chars=args.mean_chars)
            engine = SearchEngine(Config.from_env({}, index_dir=index_dir, workers=args.workers))
            before = cpu_seconds()
            started = time.perf_counter()
            summary = sync.sync_paths(engine, roots)
            inc = time.perf_counter() - started
            after = cpu_seconds()
            segments = len(engine._index()._segments())
            engine.close()
            walls.append(inc)
            if run == 0:
                figures["incremental"] = {"changed": len(changed), "wall_s": inc, "share_of_full": inc / full_wall,
                                          "cpu_s": (after[0] - before[0]) + (after[1] - before[1])}
            print(f"\nincremental{f' run {run + 1}' if args.incremental_runs > 1 else ''} after rewriting {len(changed)} files (1 %): "
                  f"{inc:.1f} s wall = {inc / full_wall:.1%} of the full run (target <= 5 %); updated {len(summary.updated)}, "
                  f"unchanged {summary.unchanged}; {segments} segments")
        if len(walls) > 1:
            mean = sum(walls) / len(walls)
            figures["incremental_runs"] = {"wall_s": walls, "mean_share_of_full": mean / full_wall}
            print(f"\n{len(walls)} incremental runs: mean {mean:.1f} s = {mean / full_wall:.1%} of the full run, "
                  f"longest {max(walls):.1f} s = {max(walls) / full_wall:.1%}")

        rss = peak_rss_mb()
        figures["peak_rss_mb"] = {"main": rss[0], "largest_child": rss[1]}
        print(f"peak RSS: main {rss[0]:.0f} MB, largest child {rss[1]:.0f} MB")

        if args.baselines:
            import baselines

            with SearchEngine(Config.from_env({}, index_dir=index_dir)) as engine:
                docs = baselines.load_docs(engine)
            stock = baselines.StockWhoosh(work / "stock")
            stock_wall = stock.build(docs, procs=args.workers)
            tv = baselines.Tantivy(work / "tantivy")
            t0 = time.perf_counter()
            toks = [(" ".join(baselines.tokenize(d["title"], search_mode=True)), " ".join(baselines.tokenize(d["body"], search_mode=True))) for d in docs]
            tok_wall = time.perf_counter() - t0
            tv_wall = tv.build(docs, toks)
            ours = figures["full_segments"]["wall_s"]  # type: ignore[index]
            figures["stock"] = {"wall_s": stock_wall, "docs_per_s": len(docs) / stock_wall, "index_mb": stock.size() / 1e6}
            figures["tantivy"] = {"wall_s": tv_wall, "tokenise_s_one_core": tok_wall, "index_mb": tv.size() / 1e6}
            print(f"\nstock Whoosh + ChineseAnalyzer, procs={args.workers} (clean text, no extraction): {stock_wall:.1f} s, "
                  f"{len(docs) / stock_wall:.0f} docs/s = {(len(docs) / stock_wall) / bound['docs_per_s']:.2f} x bound; "
                  f"govsearch/stock time {ours / stock_wall:.2f}; index {stock.size() / 1e6:.1f} MB")
            print(f"tantivy over pre-tokenised text: {tv_wall:.1f} s (+ {tok_wall:.1f} s jieba on one core); "
                  f"govsearch/tantivy time {ours / tv_wall:.1f}; index {tv.size() / 1e6:.1f} MB")
        print(f"\nload average at end {os.getloadavg()[0]:.1f}")
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
