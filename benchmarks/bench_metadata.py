"""Metadata extraction on real files: per-field precision and recall against hand labels.

Runs the real pipeline (indexer.extract.extract -> indexer.cleanup.clean_text ->
indexer.metadata.extract_metadata) over the files listed in benchmarks/metadata_labels.json
(paths relative to ../shared/corpus) and prints, per field,

* precision = correct / predicted non-empty
* recall    = correct / labelled non-empty

then every miss. Usage::

    .venv/bin/python benchmarks/bench_metadata.py [--corpus DIR] [--quiet]

.doc files need LibreOffice (``soffice``) on PATH.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.cleanup import clean_text  # noqa: E402
from indexer.config import Config  # noqa: E402
from indexer.errors import ExtractionError  # noqa: E402
from indexer.extract import extract  # noqa: E402
from indexer.metadata import extract_metadata  # noqa: E402

FIELDS = ("doc_number", "written_date", "title", "issuer", "doc_type")
TARGETS = {"doc_number": 0.9, "written_date": 0.9, "title": 0.9}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s\u3000]+", "", text)


def _title_key(text: str) -> str:
    # "XX局关于…的通知" and "关于…的通知" are the same title: the issuer before 关于 is optional.
    t = _norm(text)
    return t[t.index("关于") :] if "关于" in t else t


def _value(meta: object, name: str) -> object:
    value = getattr(meta, name)
    if name == "written_date":
        return value.isoformat() if value else ""
    if name == "issuer":
        return sorted(_norm(v) for v in value)
    return value or ""


def _same(name: str, predicted: object, label: object) -> bool:
    if name == "title":
        return _title_key(str(predicted)) == _title_key(str(label))
    if name == "issuer":
        return predicted == sorted(_norm(v) for v in label)  # type: ignore[union-attr]
    return _norm(str(predicted)) == _norm(str(label))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / ".." / "shared" / "corpus")
    parser.add_argument("--labels", type=Path, default=ROOT / "benchmarks" / "metadata_labels.json")
    parser.add_argument("--quiet", action="store_true", help="only the summary")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}")
        return 2
    labels = json.loads(args.labels.read_text(encoding="utf-8"))["files"]
    config = Config()
    counts = {f: {"correct": 0, "predicted": 0, "labelled": 0} for f in FIELDS}
    misses: list[str] = []
    failed: list[str] = []
    started = time.perf_counter()
    for row in labels:
        path = args.corpus / row["path"]
        try:
            raw = extract(path, config)
        except ExtractionError as exc:
            failed.append(f"{row['path']}: {exc.reason}")
            meta = None
        else:
            text = clean_text(raw.text, source_format=raw.format)
            meta = extract_metadata(text, filename=path.name, hints=raw.hints)
        for name in FIELDS:
            label = row[name]
            predicted = _value(meta, name) if meta is not None else ([] if name == "issuer" else "")
            c = counts[name]
            c["labelled"] += bool(label)
            c["predicted"] += bool(predicted)
            ok = bool(predicted) and _same(name, predicted, label)
            c["correct"] += ok and bool(label)
            if not _same(name, predicted, label) and (predicted or label):
                misses.append(f"  {name:12} {Path(row['path']).name[:40]:40} got {predicted!r:.80} want {label!r:.80}")
    elapsed = time.perf_counter() - started

    print(f"metadata on {len(labels)} labelled real files ({elapsed:.1f}s; {len(failed)} failed to extract)")
    print(f"{'field':12} {'precision':>9} {'recall':>7}  correct/predicted/labelled  target")
    worst = True
    for name in FIELDS:
        c = counts[name]
        p = c["correct"] / c["predicted"] if c["predicted"] else 0.0
        r = c["correct"] / c["labelled"] if c["labelled"] else 0.0
        target = TARGETS.get(name)
        mark = ""
        if target is not None:
            met = p >= target and r >= target
            worst = worst and met
            mark = f"≥{target} {'ok' if met else 'MISSED'}"
        print(f"{name:12} {p:9.3f} {r:7.3f}  {c['correct']:>3}/{c['predicted']:>3}/{c['labelled']:>3}  {mark}")
    if failed:
        print("extraction failures:")
        for line in failed:
            print("  " + line)
    if misses and not args.quiet:
        print("misses:")
        for line in misses:
            print(line)
    return 0 if worst else 1


if __name__ == "__main__":
    raise SystemExit(main())
