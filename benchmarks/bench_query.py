"""Query benchmark: latency of the whole results page and of suggest, with the references as ratios.

Over an index built by ``bench_index.py --keep DIR`` (or built here when ``--index`` is absent),
runs a fixed query mix through ``SearchEngine.search`` with facets and highlighted snippets on
(the page the site renders, ranking + facet counts + snippets + interpretation links):

* short keywords (住房公积金, 营商环境 …), quoted phrases, long questions (real citizens'
  questions from ``../shared/corpus/ncp_policy_qa``, read in place), document numbers taken from
  the index, and filtered queries (a facet value, a date range, newest-first);

and ``SearchEngine.suggest`` for typed prefixes (Chinese and pinyin). Each request is timed in
wall and CPU time (``time.thread_time``: the machine is shared, so wall time includes waiting
for a core; CPU time does not). With ``--baselines`` the same mix runs on the stock Whoosh +
ChineseAnalyzer setup and on tantivy over pre-tokenised text, built from the same documents.

Usage::

    .venv/bin/python benchmarks/bench_query.py --docs 2000 [--index DIR] [--rounds 3] [--baselines]

Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from indexer.config import Config  # noqa: E402
from indexer.engine import SearchEngine  # noqa: E402
from indexer.models import SearchRequest  # noqa: E402

SHARED = ROOT / ".." / "shared" / "corpus"

KEYWORDS = ["住房公积金", "营商环境", "养老服务", "医疗保障", "安全生产", "乡村振兴", "社会保险", "城市更新", "义务教育", "生态环境"]
PHRASES = ['"优化营商环境"', '"住房公积金贷款"', '"社会保险"', '"人民代表大会常务委员会"', '"不得"']
FALLBACK_QUESTIONS = [
    "北京市对于因疫情影响暂停举办的展会项目有何支持政策？",
    "如何申请住房公积金贷款提取？",
    "小微企业可以享受哪些社会保险费减免政策？",
]
SUGGEST_PREFIXES = ["住房", "住房公积", "营商", "国务院关于", "社会保", "zhufang", "yshj", "养老", "安全生", "关于进一步"]


def questions(n: int, rng: random.Random) -> list[str]:
    """``n`` real citizens' questions (ncp_policy_qa), or built-in ones when the corpus is absent."""
    path = SHARED / "ncp_policy_qa" / "beir_style" / "queries.jsonl"
    if not path.is_file():
        return FALLBACK_QUESTIONS[:n]
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rng.sample(texts, min(n, len(texts)))


def query_mix(engine: SearchEngine, seed: int = 3) -> list[tuple[str, SearchRequest]]:
    """(kind, request) pairs: keywords, phrases, questions, document numbers, filtered queries."""
    rng = random.Random(seed)
    numbers = [s.get("doc_number") for s in engine.all_stored() if s.get("doc_number")]
    mix: list[tuple[str, SearchRequest]] = []
    mix += [("keyword", SearchRequest(q=k)) for k in KEYWORDS]
    mix += [("phrase", SearchRequest(q=p)) for p in PHRASES]
    mix += [("question", SearchRequest(q=t)) for t in questions(8, rng)]
    mix += [("doc_number", SearchRequest(q=n)) for n in rng.sample(numbers, min(6, len(numbers)))]
    mix += [
        ("filtered", SearchRequest(q="住房公积金", filters={"doc_type": ["通知"]})),
        ("filtered", SearchRequest(q="营商环境", date_from=date(2015, 1, 1), date_to=date(2020, 12, 31))),
        ("filtered", SearchRequest(q="养老服务", sort="newest")),
        ("filtered", SearchRequest(q="", filters={"topic": ["医疗保障"]})),
        ("filtered", SearchRequest(q="社会保险 补贴", filters={"year": ["2018"]}, page=2)),
    ]
    return mix


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 and mean, in milliseconds (``values`` in seconds)."""
    if not values:
        return {"n": 0}
    qs = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else [values[0]] * 99
    return {"n": len(values), "p50": qs[49] * 1000, "p95": qs[94] * 1000, "p99": qs[98] * 1000, "mean": statistics.fmean(values) * 1000}


def timed(calls: list[Callable[[], Any]], rounds: int) -> tuple[list[float], list[float]]:
    """Run every call once to warm up, then ``rounds`` times in shuffled order: (wall, cpu) seconds each."""
    for call in calls:
        call()
    wall, cpu = [], []
    rng = random.Random(11)
    for _ in range(rounds):
        order = list(calls)
        rng.shuffle(order)
        for call in order:
            c0, w0 = time.thread_time(), time.perf_counter()
            call()
            wall.append(time.perf_counter() - w0)
            cpu.append(time.thread_time() - c0)
    return wall, cpu


def cold_pass(index_dir: Path, mix: list[tuple[str, SearchRequest]]) -> dict[str, Any]:
    """Every request once on a freshly opened engine (no postings or arrays cached yet).

    The first request also reads the columns (facet values, dates, field lengths) of every
    segment, once per process and index generation: reported on its own.
    """
    engine = SearchEngine(Config.from_env({}, index_dir=index_dir))
    engine.lexicon(wait=True)
    wall, cpu = [], []
    first: tuple[float, float] | None = None
    for _, req in mix:
        c0, w0 = time.thread_time(), time.perf_counter()
        engine.search(req)
        w, c = time.perf_counter() - w0, time.thread_time() - c0
        if first is None:
            first = (w, c)
            continue
        wall.append(w)
        cpu.append(c)
    engine.close()
    assert first is not None
    print(f"\ncold (a fresh engine, each request once): first request {first[0] * 1000:.0f} ms wall "
          f"(reads the columns), then wall {fmt(percentiles(wall))}   cpu p50 {percentiles(cpu)['p50']:6.1f} p95 {percentiles(cpu)['p95']:6.1f}")
    return {"cold_first_ms": first[0] * 1000, "cold": {"wall": percentiles(wall), "cpu": percentiles(cpu)}}


def fmt(p: dict[str, float]) -> str:
    return f"p50 {p['p50']:7.1f}  p95 {p['p95']:7.1f}  p99 {p['p99']:7.1f} ms (n={p['n']})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--index", type=Path, help="an index built by bench_index.py --keep (else one is built)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baselines", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="govsearch-bench-query-"))
    try:
        index_dir = args.index
        if index_dir is None:
            import bench_index

            index_dir = work / "index"
            bench_index.main(["--docs", str(args.docs), "--keep", str(index_dir)])
        engine = SearchEngine(Config.from_env({}, index_dir=index_dir))
        engine.lexicon(wait=True)  # built once before timing, as an index run leaves it
        n_docs = engine.count()
        mix = query_mix(engine)
        print(f"\nindex: {n_docs} documents at {index_dir}; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        figures: dict[str, Any] = {"docs": n_docs}
        figures.update(cold_pass(index_dir, mix))
        print("\ngovsearch results page (facets + snippets + links), wall / CPU, after one warm-up pass of the same mix:")
        by_kind: dict[str, list[Callable[[], Any]]] = {}
        for kind, req in mix:
            by_kind.setdefault(kind, []).append(lambda req=req: engine.search(req))
        all_wall, all_cpu = [], []
        for kind, calls in by_kind.items():
            wall, cpu = timed(calls, args.rounds)
            all_wall += wall
            all_cpu += cpu
            figures[f"search_{kind}"] = {"wall": percentiles(wall), "cpu": percentiles(cpu)}
            print(f"  {kind:10s} wall {fmt(percentiles(wall))}   cpu p50 {percentiles(cpu)['p50']:6.1f} p95 {percentiles(cpu)['p95']:6.1f}")
        figures["search_all"] = {"wall": percentiles(all_wall), "cpu": percentiles(all_cpu)}
        print(f"  {'ALL':10s} wall {fmt(percentiles(all_wall))}   cpu p50 {percentiles(all_cpu)['p50']:6.1f} p95 {percentiles(all_cpu)['p95']:6.1f}")
        sw, sc = timed([lambda p=p: engine.suggest(p) for p in SUGGEST_PREFIXES], args.rounds * 3)
        figures["suggest"] = {"wall": percentiles(sw), "cpu": percentiles(sc)}
        print(f"  {'suggest':10s} wall {fmt(percentiles(sw))}   cpu p50 {percentiles(sc)['p50']:6.1f} p95 {percentiles(sc)['p95']:6.1f}")

        if args.baselines:
            import baselines

            docs = baselines.load_docs(engine)
            plain = [(r.q, {k: v[0] for k, v in r.filters.items() if k in baselines.FACETS}) for _, r in mix]
            refs: list[tuple[str, Any]] = []
            stock = baselines.StockWhoosh(work / "stock")
            stock.build(docs, procs=os.cpu_count() or 1)
            stock.open()
            refs.append(("stock Whoosh + ChineseAnalyzer", stock))
            try:
                tv = baselines.Tantivy(work / "tantivy")
                tv.build(docs)
                tv.open()
                refs.append(("tantivy (pre-tokenised)", tv))
            except ImportError:
                print("tantivy not installed (pip install '.[bench]'): skipped")
            ours_p = figures["search_all"]["wall"]
            ours_s = figures["suggest"]["wall"]
            for label, ref in refs:
                wall, cpu = timed([lambda t=t, f=f, ref=ref: ref.search(t, f) for t, f in plain], args.rounds)
                swl, _ = timed([lambda p=p, ref=ref: ref.suggest(p) for p in SUGGEST_PREFIXES], args.rounds * 3)
                pw, ps = percentiles(wall), percentiles(swl)
                figures[label] = {"search": pw, "suggest": ps, "search_cpu": percentiles(cpu)}
                print(f"\n{label}: results page wall {fmt(pw)}; suggest (prefix terms) {fmt(ps)}")
                print(f"  govsearch / {label}: page p50 {ours_p['p50'] / pw['p50']:.2f}x, p95 {ours_p['p95'] / pw['p95']:.2f}x; "
                      f"suggest p50 {ours_s['p50'] / max(ps['p50'], 1e-6):.2f}x")
        engine.close()
        print(f"\nload average at end {os.getloadavg()[0]:.1f}")
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
