"""Search-quality evaluation on the real question set ncp_policy_qa, with the whole shared corpus as distractors.

Builds (once, into a cache directory outside the repository) an index of the 599
ncp_policy_qa policies together with every other document of ../shared/corpus, through
the real pipeline (sync for files, record import for JSONL/CSV), plus a *baseline*
index of the same documents with jieba's stock ``ChineseAnalyzer`` over title+body.
Then runs the 658 questions through :meth:`SearchEngine.search` and through the
baseline (Whoosh's default parser in OR mode) and prints MRR@10, Recall@10 and
nDCG@10 for the train and dev splits.

Usage (from the project root)::

    .venv/bin/python benchmarks/eval_ncp.py --cache /tmp/govsearch-eval          # build if absent, evaluate
    .venv/bin/python benchmarks/eval_ncp.py --cache /tmp/govsearch-eval --rebuild
    .venv/bin/python benchmarks/eval_ncp.py --cache /tmp/govsearch-eval --build-only
    .venv/bin/python benchmarks/eval_ncp.py --cache /tmp/govsearch-eval --split dev --limit 30
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.config import Config  # noqa: E402
from indexer.engine import SearchEngine  # noqa: E402
from indexer.ingest import document_id, ingest_record  # noqa: E402
from indexer.models import SearchRequest  # noqa: E402
from indexer.query import Ranking  # noqa: E402

logger = logging.getLogger("eval_ncp")

CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()
NCP = CORPUS / "ncp_policy_qa" / "beir_style"
#: Folders indexed as files (sync), relative to the corpus.
FILE_SOURCES = ("lawrefbook", "cn_realestate_policy/data/raw", "civilized_behavior_regs")
#: Record exports imported (JSONL/CSV).
RECORD_SOURCES = (
    "cn_realestate_policy/records_govcn.jsonl",
    "gov_work_reports/government_work_reports.jsonl",
    "gccmpd_gov_prc/GOV_PRC.csv",
    "govcn_zhengceku_sample/policy_documents_sample.csv",
)
NCP_PREFIX = "import:ncp#"
K = 10


# ----------------------------------------------------------------------------- building
def build(cache: Path, workers: int) -> None:
    """Index the whole shared corpus plus the ncp policies into ``cache/index``, then the baseline."""
    from indexer.sync import import_records, sync_paths

    engine = SearchEngine(Config.from_env({}, index_dir=cache / "index", workers=workers))
    started = time.perf_counter()
    ncp = [json.loads(line) for line in open(NCP / "corpus.jsonl", encoding="utf-8") if line.strip()]
    # the path becomes "import:ncp#<_id>": the benchmark's own id, so qrels map onto hits.
    _import(engine, ncp_records(ncp), "ncp policies")
    summary = import_records(engine, [CORPUS / source for source in RECORD_SOURCES])
    logger.info(
        "records indexed: %d added, %d failed (%.1f s)", len(summary.added), len(summary.failed), time.perf_counter() - started
    )
    for report in summary.failed[:20]:
        logger.warning("record not indexed: %s: %s", report.path, report.reason)
    summary = sync_paths(engine, [CORPUS / p for p in FILE_SOURCES])
    logger.info(
        "files indexed: %d added, %d failed, %d skipped (%.1f s)",
        len(summary.added), len(summary.failed), len(summary.skipped), summary.seconds,
    )
    for report in summary.failed[:20]:
        logger.warning("file not indexed: %s: %s", report.path, report.reason)
    logger.info("index holds %d documents, %d of the %d ncp policies", engine.count(), count_ncp(engine), len(ncp))
    engine.close()
    build_baseline(cache)


def ncp_records(ncp: list[dict]) -> Iterable[tuple[Path, dict]]:
    """The ncp policies as CMS records, like the web pages they were taken from.

    Each text is "<headline> <body>": the headline (before the first space, when it is
    headline-sized) becomes the title, as a page's title would; the body keeps it too. The
    policies come as one line each; a line per sentence is closer to a real page.
    """
    for r in ncp:
        head = r["text"].split(" ", 1)[0].strip()
        title = r.get("title") or (head if 4 <= len(head) <= 80 and head != r["text"].strip() else "")
        yield Path("ncp"), {"id": r["_id"], "text": r["text"].replace("。", "。\n"), "title": title}


def reimport_ncp(cache: Path) -> None:
    """Re-import the ncp policies into an existing evaluation index (same ids: replaced), then the baseline."""
    engine = SearchEngine(Config.from_env({}, index_dir=cache / "index"))
    ncp = [json.loads(line) for line in open(NCP / "corpus.jsonl", encoding="utf-8") if line.strip()]
    _import(engine, ncp_records(ncp), "ncp policies")
    engine.save_lexicon()
    logger.info("index holds %d documents, %d of the %d ncp policies", engine.count(), count_ncp(engine), len(ncp))
    engine.close()
    import shutil

    shutil.rmtree(cache / "baseline", ignore_errors=True)
    build_baseline(cache)


def count_ncp(engine: SearchEngine) -> int:
    """How many ncp_policy_qa policies the index holds."""
    return sum(1 for stored in engine.all_stored() if str(stored.get("path", "")).startswith(NCP_PREFIX))


def _import(engine: SearchEngine, records: Iterable[tuple[Path, dict]], label: str) -> None:
    """Records through the real ingest stage; a record that breaks a stage is counted and named, not fatal."""
    added = failed = 0
    with engine.writer() as session:
        for number, (source, record) in enumerate(records, 1):
            try:
                doc = ingest_record(record, source, number)
            except Exception as exc:  # noqa: BLE001 - a stage bug must not stop the benchmark; it is reported
                failed += 1
                logger.warning("%s #%d not indexed: %r", label, number, exc)
                continue
            session.add(doc)
            added += 1
    logger.info("%s: %d added, %d failed", label, added, failed)


def build_baseline(cache: Path) -> None:
    """The stock setup: jieba's ChineseAnalyzer over title+body, same documents as the main index."""
    from whoosh import fields, index

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from jieba.analyse import ChineseAnalyzer

    engine = SearchEngine(Config.from_env({}, index_dir=cache / "index"))
    target = cache / "baseline"
    target.mkdir(parents=True, exist_ok=True)
    analyzer = ChineseAnalyzer()
    schema = fields.Schema(path=fields.ID(stored=True), title=fields.TEXT(analyzer=analyzer), body=fields.TEXT(analyzer=analyzer))
    ix = index.create_in(str(target), schema)
    with ix.writer(limitmb=256) as w:
        for stored in engine.all_stored():
            w.add_document(path=stored["path"], title=stored.get("title", "") or "", body=stored.get("body", "") or "")
    engine.close()


# ----------------------------------------------------------------------------- scoring
def metrics(ranked: list[list[str]], relevant: set[str], k: int = K) -> tuple[float, float, float]:
    """(reciprocal rank, recall, nDCG) at ``k`` for one query with binary relevance.

    :param ranked: per rank, the document shown there and the copies of it listed under it
        (``Hit.duplicates``); a rank is relevant when one of them is.
    """
    top = ranked[:k]
    rr = next((1.0 / (i + 1) for i, group in enumerate(top) if relevant.intersection(group)), 0.0)
    found = set().union(*top) & relevant if top else set()
    recall = len(found) / len(relevant) if relevant else 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, group in enumerate(top) if relevant.intersection(group))
    # relevant documents shown together as one hit could not have had ranks of their own
    folded = sum(max(0, len(relevant.intersection(group)) - 1) for group in top)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant) - folded)))
    return rr, recall, (dcg / ideal if ideal else 0.0)


def evaluate(search: Callable[[str], list[list[str]]], queries: list[dict], qrels: dict[str, set[str]]) -> dict[str, dict[str, float]]:
    """Mean metrics per split for ``search(text) -> ranked keys``."""
    sums: dict[str, list[float]] = {}
    for item in queries:
        ranked = search(item["text"])
        rr, recall, ndcg = metrics(ranked, qrels.get(item["_id"], set()))
        acc = sums.setdefault(item["split"], [0.0, 0.0, 0.0, 0])
        acc[0] += rr
        acc[1] += recall
        acc[2] += ndcg
        acc[3] += 1
    return {split: {"MRR@10": a[0] / a[3], "Recall@10": a[1] / a[3], "nDCG@10": a[2] / a[3], "n": a[3]} for split, a in sums.items()}


def load_questions() -> tuple[list[dict], dict[str, set[str]]]:
    queries = [json.loads(line) for line in open(NCP / "queries.jsonl", encoding="utf-8") if line.strip()]
    qrels: dict[str, set[str]] = {}
    with open(NCP / "qrels.tsv", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            qid, cid, score = line.rstrip("\n").split("\t")
            if int(score) > 0:
                qrels.setdefault(qid, set()).add(document_id(NCP_PREFIX + cid))
    return queries, qrels


def engine_search(engine: SearchEngine, *, collapse: bool = True) -> Callable[[str], list[list[str]]]:
    """The engine's search: per rank the hit's id and the ids of the copies folded into it.

    :param collapse: fold near-identical copies into one hit, as users see them (False:
        every copy has its own rank, and only the labelled one counts).
    """

    def run(text: str) -> list[list[str]]:
        results = engine.search(SearchRequest(q=text, page_size=K, facets=False, highlight=False, collapse=collapse))
        return [[h.id] + [c.id for c in h.duplicates] for h in results.hits]

    return run


def folded(search: Callable[[str], list[list[str]]], engine: SearchEngine) -> Callable[[str], list[list[str]]]:
    """``search`` with its copies folded as the engine folds them (its fingerprints, its rule).

    For the baseline: the same credit for copies as govsearch gets, so the two compare.
    ``search`` should return more than :data:`K` ranks, since folding removes some.
    """

    def run(text: str) -> list[list[str]]:
        ranked = search(text)
        with engine.searcher() as s:
            # the baseline's index holds the same documents: ids are shared, document numbers not
            docnums = [s.document_number(id=group[0]) for group in ranked]
            positions = engine._arrays(s).fold(docnums)
        return [ranked[i] + [key for j in copies for key in ranked[j]] for i, copies in positions][:K]

    return run


def baseline_search(cache: Path, limit: int = K) -> tuple[Callable[[str], list[list[str]]], Callable[[], None]]:
    from whoosh import index
    from whoosh.qparser import MultifieldParser, OrGroup

    ix = index.open_dir(str(cache / "baseline"))
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)

    def run(text: str) -> list[list[str]]:
        return [[document_id(hit["path"])] for hit in searcher.search(parser.parse(text), limit=limit)]

    return run, searcher.close


def ranking_search(engine: SearchEngine, ranking: Ranking) -> Callable[[str], list[str]]:
    """The engine's whole search with the given weights (the pipeline users get, top 10).

    The ranking in use is swapped and the searcher reopened, so its weighting reads the new
    values; the lexicon and the segment arrays and postings stay cached between trials.
    """
    from indexer import query as query_module

    query_module.RANKING = ranking
    engine.close()
    return engine_search(engine)


#: Values tried for each Ranking field by --tune (coordinate search, on train only).
TUNE_GRID: dict[str, list[float]] = {
    "bm25_k1": [0.8, 1.6, 2.4, 3.0, 4.0, 5.0],
    "bm25_b": [0.5, 0.9, 1.0],
    "question_title_weight": [0.0, 0.25, 0.5, 1.0, 2.0],
    "synonym_weight": [0.0, 0.5, 0.8],
    "proximity_weight": [0.0, 0.5],
    "question_proximity_weight": [0.0, 0.5, 1.0, 2.0],
    "strict_max_terms": [2, 4, 8],
    "coverage_weight": [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0],
    "overlap_weight": [0.0, 0.25, 0.35, 0.5, 0.65, 0.8, 1.2],
    "overlap_long_weight": [0.0, 0.25, 0.35, 0.5, 0.65, 0.8, 1.0, 1.2],
    "overlap_depth": [10, 15, 20, 30, 50],
    "title_b": [0.3, 0.5, 0.75, 0.9, 1.0],
    "not_in_force_factor": [0.4, 0.55, 0.7, 0.85, 1.0],
    "age_penalty": [0.0, 0.05, 0.1, 0.2, 0.3],
    "age_penalty_years": [5.0, 10.0, 20.0, 40.0],
    "proximity_slop": [1, 2, 3, 5],
    "question_issuer_weight": [0.0, 0.1, 0.25],
}


def tune(engine: SearchEngine, queries: list[dict], qrels: dict[str, set[str]], rounds: int = 1, only: list[str] | None = None) -> Ranking:
    """Coordinate search over :data:`TUNE_GRID` (or its fields ``only``) on ``queries`` (train):
    MRR@10 + Recall@10, ties keep the current value."""
    from dataclasses import replace

    from indexer.query import RANKING

    def score(rk: Ranking) -> float:
        r = evaluate(ranking_search(engine, rk), queries, qrels)["train"]
        return r["MRR@10"] + r["Recall@10"]

    best = replace(RANKING)
    best_score = score(best)
    print(f"start {best_score:.4f} {best}", flush=True)
    for round_no in range(rounds):
        changed = False
        for name, values in TUNE_GRID.items():
            if only and name not in only:
                continue
            for value in values:
                current = getattr(best, name)
                if value == current:
                    continue
                trial = replace(best, **{name: type(current)(value)})
                got = score(trial)
                print(f"round {round_no + 1} {name}={value}: {got:.4f} (best {best_score:.4f})", flush=True)
                if got > best_score + 1e-4:
                    best, best_score, changed = trial, got, True
        if not changed:
            break
    print(f"chosen {best_score:.4f} {best}", flush=True)
    return best


def print_table(rows: Iterable[tuple[str, dict[str, dict[str, float]]]]) -> None:
    print(f"{'system':<24}{'split':<7}{'n':>5}{'MRR@10':>9}{'Recall@10':>11}{'nDCG@10':>9}")
    for name, result in rows:
        for split in ("train", "dev"):
            r = result.get(split)
            if r:
                print(f"{name:<24}{split:<7}{r['n']:>5}{r['MRR@10']:>9.4f}{r['Recall@10']:>11.4f}{r['nDCG@10']:>9.4f}")


def show_failures(engine: SearchEngine, queries: list[dict], qrels: dict[str, set[str]], limit: int) -> None:
    """Questions whose answering policy is not ranked first, with what came first instead."""
    run = engine_search(engine)
    shown = 0
    for item in queries:
        ranked = run(item["text"])
        relevant = qrels.get(item["_id"], set())
        if ranked[:1] and relevant.intersection(ranked[0]):
            continue
        rank = next((i + 1 for i, group in enumerate(ranked) if relevant.intersection(group)), None)
        parsed = engine.parse(item["text"])
        first = None
        answers: list[str] = []
        with engine.searcher() as s:
            if ranked:
                first = s.document(id=ranked[0][0])
            for key in sorted(relevant):
                found = s.document(id=key) or {}
                answers.append(f"{found.get('path', key)} {found.get('title', '?')[:60]}")
        print(f"[{item['split']}] {item['text']}  -> answer at {rank}; words {parsed.terms[:12]}")
        print(f"    first: {(first or {}).get('path', '-')} {(first or {}).get('title', '')[:60]}")
        for answer in answers:
            print(f"    answer: {answer}")
        shown += 1
        if shown >= limit:
            break


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/govsearch-eval"), help="where the big index lives (outside the repo)")
    parser.add_argument("--rebuild", action="store_true", help="build the index again even if it exists")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--split", choices=("train", "dev", "all"), default="all")
    parser.add_argument("--limit", type=int, default=0, help="first N questions of each split only (quick runs)")
    parser.add_argument("--reimport-ncp", action="store_true", help="re-import the ncp policies (and rebuild the baseline)")
    parser.add_argument("--tune", action="store_true", help="coordinate search of the Ranking weights on train, then report")
    parser.add_argument("--tune-limit", type=int, default=0, help="tune on the first N train questions only (time)")
    parser.add_argument("--failures", type=int, default=0, help="print this many questions whose answer is not first")
    parser.add_argument("--tune-only", default="", help="comma-separated Ranking fields to tune (default: the whole grid)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if not NCP.is_dir():
        print(f"corpus absent: {NCP}", file=sys.stderr)
        return 2
    cache: Path = args.cache
    if args.rebuild or not (cache / "index").is_dir():
        if args.rebuild and cache.exists():
            import shutil

            shutil.rmtree(cache)
        build(cache, args.workers)
    elif args.reimport_ncp:
        reimport_ncp(cache)
    elif not args.no_baseline and not (cache / "baseline").is_dir():
        build_baseline(cache)
    if args.build_only:
        return 0
    queries, qrels = load_questions()
    if args.split != "all":
        queries = [x for x in queries if x["split"] == args.split]
    if args.limit:
        per: dict[str, int] = {}
        queries = [x for x in queries if per.setdefault(x["split"], 0) < args.limit and not per.update({x["split"]: per[x["split"]] + 1})]
    engine = SearchEngine(Config.from_env({}, index_dir=cache / "index"))
    engine.lexicon(wait=True)  # saved at index time; not part of the per-query time
    if args.tune:
        from indexer import query as query_module

        train = [x for x in load_questions()[0] if x["split"] == "train"]
        only = [f for f in args.tune_only.split(",") if f]
        query_module.RANKING = tune(engine, train[: args.tune_limit] if args.tune_limit else train, qrels, only=only)
        engine.close()
    rows = []
    started = time.perf_counter()
    rows.append(("govsearch", evaluate(engine_search(engine), queries, qrels)))
    took = time.perf_counter() - started
    # the same ranking with every copy on its own rank: only the labelled copy counts
    rows.append(("govsearch, copies apart", evaluate(engine_search(engine, collapse=False), queries, qrels)))
    if not args.no_baseline:
        # folded over its top 50, as deep as the engine folds a short query (its title re-rank depth)
        run, close = baseline_search(cache, limit=5 * K)
        rows.append(("baseline jieba+OR", evaluate(lambda text: run(text)[:K], queries, qrels)))
        rows.append(("baseline, copies folded", evaluate(folded(run, engine), queries, qrels)))
        close()
    print(f"index: {engine.count()} documents ({cache / 'index'}); {len(queries)} questions, {took / max(1, len(queries)) * 1000:.0f} ms/query")
    print_table(rows)
    if args.failures:
        show_failures(engine, queries, qrels, args.failures)
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
