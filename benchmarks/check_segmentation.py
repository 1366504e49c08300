"""Check that our block cut (indexer.segmentation) gives jieba's words on the whole shared corpus.

Reads every file of ``../shared/corpus`` in place: documents (Markdown, HTML, PDF, DOCX, DOC)
through the ingestion pipeline, and every string of the structured files (JSON, JSONL, CSV,
TSV, SQLite). Each text is width-folded as the analyzer folds it, split into jieba's blocks,
and every block is cut by each implementation (``c`` where built, ``python``) and by jieba's
own ``__cut_DAG``; any difference is printed with its file. Also prints what each way of
cutting cost on this corpus, in CPU seconds of the worker processes (every block cut once,
no memo). Exits 1 on any difference.

Usage::

    .venv/bin/python benchmarks/check_segmentation.py [--shared ../shared/corpus] [--workers 2]

Not collected by pytest (``tests/unit/test_segmentation.py`` runs the same comparison on the
demo corpus and on generated text).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import jieba  # noqa: E402

from indexer import segmentation  # noqa: E402
from indexer.analysis import _RE_BLOCK, load_user_dictionary, normalize_width  # noqa: E402
from indexer.config import Config  # noqa: E402
from indexer.errors import GovSearchError  # noqa: E402
from indexer.ingest import ingest_file  # noqa: E402

DOCUMENT_SUFFIXES = {".md", ".html", ".htm", ".pdf", ".docx", ".doc", ".txt"}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def file_texts(path: Path, config: Config) -> list[str]:
    """The texts of one file of the shared corpus (empty if it holds none we can read)."""
    suffix = path.suffix.lower()
    if suffix in DOCUMENT_SUFFIXES:
        doc = ingest_file(path, config)
        return [doc.meta.title, doc.text]
    if suffix in (".json", ".jsonl"):
        raw = path.read_text(encoding="utf-8", errors="replace")
        if suffix == ".json":
            try:
                return list(_strings(json.loads(raw)))
            except json.JSONDecodeError:
                pass  # some ".json" files hold one object per line
        texts = []
        for line in raw.splitlines():
            if not line.strip():
                continue
            try:
                texts.extend(_strings(json.loads(line)))
            except json.JSONDecodeError:
                texts.append(line)  # a broken escape: the line as it stands is still text
        return texts
    if suffix in (".csv", ".tsv"):
        dialect = "excel-tab" if suffix == ".tsv" else "excel"
        rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8", errors="replace")), dialect)
        return [cell for row in rows for cell in row]
    if suffix in (".sqlite3", ".sqlite", ".db"):
        texts = []
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                for row in db.execute(f'SELECT * FROM "{table}"'):
                    texts.extend(v for v in row if isinstance(v, str))
        return texts
    return []


def _check_file(path_str: str) -> dict[str, Any]:
    path = Path(path_str)
    config = Config.from_env({})
    try:
        texts = file_texts(path, config)
    except (GovSearchError, OSError, ValueError, sqlite3.Error) as exc:
        return {"path": path_str, "error": f"{type(exc).__name__}: {exc}"}
    blocks = [b for t in texts for b in _RE_BLOCK.split(normalize_width(t)) if b and _RE_BLOCK.match(b)]
    dt = jieba.dt
    reference = [list(dt._Tokenizer__cut_DAG(b)) for b in blocks]
    seconds: dict[str, float] = {}
    mismatches: list[tuple[str, str, list[str], list[str]]] = []
    for name in segmentation.IMPLEMENTATIONS:
        try:
            segmentation.set_implementation(name)
        except ValueError:
            continue  # "c" without the extension
        segmentation.clear_hmm_memo()  # each way starts cold on the file: no HMM buffer of another's
        started = time.process_time()
        words = [segmentation.cut_block(b) for b in blocks]
        seconds[name] = time.process_time() - started
        for block, ours, theirs in zip(blocks, words, reference):
            if ours != theirs and len(mismatches) < 5:
                mismatches.append((name, block, ours, theirs))
    return {"path": path_str, "blocks": len(blocks), "chars": sum(map(len, blocks)),
            "words": sum(map(len, reference)), "seconds": seconds, "mismatches": mismatches}


def _init_worker() -> None:
    logging.disable(logging.WARNING)
    load_user_dictionary()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT / ".." / "shared" / "corpus")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    if not args.shared.is_dir():
        print(f"no shared corpus at {args.shared}", file=sys.stderr)
        return 2
    files = sorted(str(p) for p in args.shared.rglob("*") if p.is_file() and not p.name.startswith("."))
    print(f"{len(files)} files under {args.shared.resolve()}; implementations: "
          f"{', '.join(n for n in segmentation.IMPLEMENTATIONS if n != 'c' or segmentation.implementation() == 'c')}")
    totals = {"files": 0, "blocks": 0, "chars": 0, "words": 0}
    seconds: dict[str, float] = {}
    unread: list[tuple[str, str]] = []
    mismatched: list[dict[str, Any]] = []
    started = time.perf_counter()
    with get_context("fork").Pool(args.workers, initializer=_init_worker) as pool:
        for result in pool.imap_unordered(_check_file, files, chunksize=4):
            if "error" in result:
                unread.append((result["path"], result["error"]))
                continue
            totals["files"] += 1
            for key in ("blocks", "chars", "words"):
                totals[key] += result[key]
            for name, s in result["seconds"].items():
                seconds[name] = seconds.get(name, 0.0) + s
            if result["mismatches"]:
                mismatched.append(result)
    print(f"read {totals['files']} files ({len(unread)} unreadable) in {time.perf_counter() - started:.0f} s: "
          f"{totals['blocks']:,} blocks, {totals['chars']:,} characters, {totals['words']:,} words")
    for path, error in unread[:10]:
        print(f"  unreadable: {path}: {error}")
    jieba_s = seconds.get("jieba", 0.0)
    for name, s in seconds.items():
        print(f"  {name:>6}: {s:7.1f} s CPU to cut every block once" + (f" = {jieba_s / s:.2f} x jieba's speed" if s else ""))
    if mismatched:
        print(f"DIFFERENT from jieba in {len(mismatched)} files:")
        for result in mismatched[:20]:
            for name, block, ours, theirs in result["mismatches"]:
                print(f"  {result['path']} [{name}] {block[:60]!r}: {ours[:12]} != {theirs[:12]}")
        return 1
    print("every block: the same words as jieba's own cut")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
