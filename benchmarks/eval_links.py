#!/usr/bin/env python
"""Score policy <-> interpretation links against benchmarks/interpretation_pairs.json.

Builds a temporary index through the real pipeline (``sync_paths`` for files, ``ingest_record``
for CMS records, then ``refresh_links``) holding every web page and record of
``../shared/corpus/cn_realestate_policy``, the ``govcn_zhengceku_sample`` rows, the demo corpus
and the labelled set's context documents, then prints precision and recall of the links.

Shared files are read in place: web pages are reached through symlinks in a temporary folder
whose only additions are ``<page>.json`` sidecars carrying the crawler's url.

Run from the project root::

    .venv/bin/python benchmarks/eval_links.py [-v]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.config import Config  # noqa: E402
from indexer.engine import SearchEngine  # noqa: E402
from indexer.ingest import ingest_record  # noqa: E402
from indexer.links import refresh_links  # noqa: E402
from indexer.sync import sync_paths  # noqa: E402

SHARED = (ROOT / ".." / "shared" / "corpus").resolve()
REALESTATE = SHARED / "cn_realestate_policy"
ZHENGCEKU = SHARED / "govcn_zhengceku_sample" / "policy_documents_sample.csv"
LAWREF = SHARED / "lawrefbook"
DEMO = ROOT / "corpus"
LABELS = ROOT / "benchmarks" / "interpretation_pairs.json"


def build(engine: SearchEngine, labels: dict, work: Path) -> dict[str, str]:
    """Index everything; return reference -> document id."""
    refs: dict[str, str] = {}
    wanted_law = {r.split(":", 1)[1] for r in _all_refs(labels) if r.startswith("lawrefbook:")}
    # web pages: symlink + url sidecar (the crawler's metadata is not our sidecar format)
    webdir = work / "web"
    link_of: dict[Path, str] = {}
    for meta_path in sorted((REALESTATE / "data" / "raw" / "webpages").glob("**/*.html.metadata.json")):
        page = meta_path.with_name(meta_path.name[: -len(".metadata.json")])
        rel = page.relative_to(SHARED).as_posix()
        link = webdir / rel.replace("/", "__")
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(page)
        crawl = json.loads(meta_path.read_text(encoding="utf-8"))
        url = crawl.get("final_url") or crawl.get("requested_url") or ""
        if url.startswith(("http://", "https://")):
            link.with_name(link.name + ".json").write_text(json.dumps({"url": url}), encoding="utf-8")
        link_of[link] = "web:" + rel
    law_paths = [LAWREF / rel for rel in sorted(wanted_law)]
    demo_paths = [DEMO / rel for rel in json.loads((DEMO / "expected.json").read_text(encoding="utf-8"))]
    summary = sync_paths(engine, [webdir, *law_paths, *demo_paths])
    for failure in summary.failed:
        logging.info("not indexed: %s (%s)", failure.path, failure.reason)
    with engine.searcher() as s:
        for stored in s.all_stored_fields():
            path = Path(stored["path"])
            if path in link_of:
                refs[link_of[path]] = stored["id"]
            elif path.is_relative_to(DEMO):
                refs["demo:" + path.relative_to(DEMO).as_posix()] = stored["id"]
            elif path.is_relative_to(LAWREF):
                refs["lawrefbook:" + path.relative_to(LAWREF).as_posix()] = stored["id"]
    # CMS records and the State Council library rows, through the record pipeline
    with engine.writer() as session:
        source = REALESTATE / "records_govcn.jsonl"
        with open(source, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                record = json.loads(line)
                adapted = {
                    "title": record.get("title") or "",
                    "text": record.get("full_text") or "",
                    "url": record.get("primary_source_url") or "",
                    "published_date": record.get("publication_date") or record.get("record_date"),
                    "written_date": record.get("issuance_date"),
                }
                doc = ingest_record({k: v for k, v in adapted.items() if v}, source, number)
                session.add(doc)
                refs["records:" + record["record_id"]] = doc.id
        with open(ZHENGCEKU, encoding="utf-8-sig", newline="") as fh:
            for number, row in enumerate(csv.DictReader(fh), 1):
                adapted = {
                    "title": row["title"],
                    "text": row["summary"],
                    "url": row["url"],
                    "published_date": row["pub_date"],
                    "issuer": row["puborg"],
                    "doc_number": row["pcode"],
                    # the library's own category is publisher metadata, like a sidecar's doc_type
                    "doc_type": "解读" if row["category"] == "政策解读" else "",
                }
                doc = ingest_record({k: v for k, v in adapted.items() if v}, ZHENGCEKU, number)
                session.add(doc)
                refs["zhengceku:" + row["url"]] = doc.id
    refresh_links(engine)
    return refs


def _all_refs(labels: dict) -> list[str]:
    out = list(labels.get("context", []))
    for item in labels["items"]:
        out.append(item["interpretation"])
        out.extend(item["policy"])
    return out


def score(engine: SearchEngine, labels: dict, refs: dict[str, str], verbose: bool) -> dict[str, float]:
    """Compare interprets_id with the labels; print each miss and each wrong link."""
    by_id = {v: k for k, v in refs.items()}
    tp = fp = fn = 0
    positives = 0
    detected = detect_total = 0
    labelled_ids = set()
    for item in labels["items"]:
        ref = item["interpretation"]
        doc_id = refs.get(ref)
        if doc_id is None:
            print(f"MISSING  {ref}: not in the index")
            if item["policy"]:
                positives += 1
                fn += 1
            continue
        labelled_ids.add(doc_id)
        stored = engine.stored(doc_id) or {}
        got = stored.get("interprets_id") or None
        gold = {refs.get(p) for p in item["policy"]} - {None}
        if item["kind"] != "not_interpretation":
            detect_total += 1
            detected += bool(stored.get("is_interpretation"))
        if item["policy"]:
            positives += 1
        if got is not None and got in gold:
            tp += 1
            if verbose:
                print(f"ok       {ref}")
        elif got is not None:
            fp += 1
            print(f"WRONG    {ref} -> {by_id.get(got, got)} ({(engine.stored(got) or {}).get('title', '')[:40]})")
            if gold:
                fn += 1
        elif gold:
            fn += 1
            print(f"MISSED   {ref} ({stored.get('title', '')[:50]}) [{item['note']}]")
    unlabelled = [
        s for s in engine.all_stored() if s.get("interprets_id") and s["id"] not in labelled_ids
    ]
    for s in unlabelled:
        target = engine.stored(s["interprets_id"]) or {}
        print(f"UNLABELLED {by_id.get(s['id'], s['id'])}: {s.get('title', '')[:40]} -> {target.get('title', '')[:40]}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / positives if positives else 1.0
    return {
        "pairs": positives,
        "negatives": len(labels["items"]) - positives,
        "true_links": tp,
        "wrong_links": fp,
        "missed": fn,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "interpretations_detected": f"{detected}/{detect_total}",
        "unlabelled_links": len(unlabelled),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="also list correct links")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if not SHARED.is_dir():
        print(f"shared corpus absent: {SHARED}", file=sys.stderr)
        return 2
    if not (DEMO / "expected.json").is_file():
        print("demo corpus not built: run corpus/make_corpus.py", file=sys.stderr)
        return 2
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="govsearch-links-") as tmp:
        config = Config.from_env({}, index_dir=Path(tmp) / "index")
        with SearchEngine(config) as engine:
            refs = build(engine, labels, Path(tmp))
            figures = score(engine, labels, refs, args.verbose)
            figures["documents"] = engine.count()
    figures["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
