"""One file (or one imported record) -> a :class:`Document` ready to index.

Extraction, cleanup, metadata and sidecar overrides run here in that order; nothing
here touches the index, so this runs in worker processes.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import json
import logging
import os
import unicodedata
from collections.abc import Container, Iterator
from pathlib import Path
from typing import Any

from indexer.cleanup import clean_text
from indexer.config import Config
from indexer.duplicates import text_fingerprint
from indexer.errors import ExtractionError, InvalidParameter, UnsupportedFormat
from indexer.extract import extract
from indexer.links import is_interpretation
from indexer.metadata import extract_metadata
from indexer.models import DocMeta, Document
from indexer.sidecar import apply_overrides, load_sidecar

logger = logging.getLogger(__name__)

#: Files that describe other files; never indexed themselves.
SIDECAR_NAMES = frozenset({"manifest.csv"})


def document_id(source: str) -> str:
    """Stable id of a document: derived from its absolute path (or an imported record's key)."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def is_sidecar(path: Path) -> bool:
    """Whether ``path`` is metadata about another file (``x.pdf.json``, ``manifest.csv``)."""
    if path.name in SIDECAR_NAMES:
        return True
    if path.suffix.lower() == ".json":
        stem = path.name[: -len(".json")]
        return (path.parent / stem).exists() or any(
            (path.parent / (stem + ext)).exists() for ext in (".pdf", ".docx", ".doc", ".wps", ".html", ".htm", ".txt", ".md")
        )
    return False


def sidecar_stamp(path: Path, names: Container[str] | None = None) -> str:
    """A string that changes when the file's sidecar metadata may have changed.

    :param names: the names in the file's folder, when the caller listed it: a sidecar not
        among them is not looked for (a sync of 10^5 files saves 3 x 10^5 failing ``stat`` calls).
    """
    parts = []
    folder = path.parent
    for candidate in (path.name + ".json", path.with_suffix(".json").name, "manifest.csv"):
        if names is not None and candidate not in names and _folded(candidate) not in names:
            continue
        try:
            st = os.stat(folder / candidate)
        except OSError:
            continue
        parts.append(f"{candidate}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def folder_names(folder: Path) -> frozenset[str] | None:
    """The names in ``folder`` for :func:`sidecar_stamp`, or None when it cannot be listed.

    Each name also in case-folded NFC form: on a file system that ignores case or
    normalisation (SMB, exFAT, APFS) ``stat("a.pdf.json")`` finds ``A.PDF.json``, so the
    listing must not rule it out.
    """
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    return frozenset(names) | {_folded(name) for name in names}


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def hash_file(path: Path) -> str:
    """sha1 of the file's bytes."""
    digest = hashlib.sha1()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest_file(path: Path, config: Config) -> Document:
    """Read one file into a Document.

    :param path: an absolute path to a regular file.
    :raises ExtractionError: (or a subclass) naming the file and the reason.
    """
    try:
        st = path.stat()
    except OSError as exc:
        raise ExtractionError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    raw = extract(path, config)
    text = clean_text(raw.text, source_format=raw.format)
    meta = extract_metadata(text, filename=path.name, hints=raw.hints)
    warnings = list(raw.warnings)
    overrides: dict[str, Any] = {}
    try:
        overrides = load_sidecar(path) or {}
        if overrides:
            meta = apply_overrides(meta, overrides)
    except InvalidParameter as exc:
        warnings.append(f"sidecar ignored: {exc}")
    except ExtractionError as exc:
        warnings.append(f"sidecar ignored: {exc.reason}")
    _mark_interpretation(meta, text, overrides)
    return Document(
        id=document_id(str(path)),
        path=str(path),
        text=text,
        meta=meta,
        format=raw.format,
        content_hash=hash_file(path),
        size=st.st_size,
        mtime=st.st_mtime,
        warnings=warnings,
        fingerprint=text_fingerprint(text),
    )


#: Record keys that are not metadata fields.
_RECORD_TEXT_KEYS = ("text", "content", "full_text", "body", "extracted_text", "Policy_Content")
_RECORD_TITLE_KEYS = ("title", "Policy", "name")
_RECORD_URL_KEYS = ("url", "URL", "link")


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | ExtractionError]]:
    """(record number, record) from a JSONL or CSV export of a portal's CMS.

    A line that cannot be read is yielded as an ExtractionError naming ``path:line``
    instead of a record, so one bad line does not lose the rest of the file.

    :raises UnsupportedFormat: for another file type.
    """
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        with open(path, encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, ExtractionError(f"{path}:{number}", f"not a JSON line: {exc.msg}")
                    continue
                if isinstance(record, dict):
                    yield number, _without_lone_surrogates(record)
                else:
                    yield number, ExtractionError(f"{path}:{number}", "not a JSON object")
    elif suffix in (".csv", ".tsv"):
        csv.field_size_limit(1 << 30)
        with open(path, encoding="utf-8-sig", newline="") as fh:
            # line numbers count the header as line 1
            for number, row in enumerate(csv.DictReader(fh, delimiter="\t" if suffix == ".tsv" else ","), 2):
                yield number, row
    else:
        raise UnsupportedFormat(str(path), "import takes .jsonl or .csv records")


def _without_lone_surrogates(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with lone UTF-16 surrogates (JSON allows ``"\\ud800"``) in its strings
    replaced by U+FFFD: they cannot be encoded as UTF-8, so hashing or indexing would raise."""
    for key, value in record.items():
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                record[key] = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return record


def ingest_record(record: dict[str, Any], source: Path, number: int) -> Document:
    """One CMS record (title, text, metadata, url) through the same cleanup and metadata stages.

    :raises ExtractionError: when the record has neither title nor text.
    """
    text_raw = next((str(record[k]) for k in _RECORD_TEXT_KEYS if record.get(k)), "")
    title = next((str(record[k]) for k in _RECORD_TITLE_KEYS if record.get(k)), "")
    url = next((str(record[k]) for k in _RECORD_URL_KEYS if record.get(k)), "")
    if not text_raw and not title:
        raise ExtractionError(f"{source}:{number}", "record has neither title nor text")
    key = url or str(record.get("id") or record.get("doc_id") or number)
    text = clean_text(text_raw, source_format="text")
    meta = extract_metadata(text, filename="", hints={"title": title, "url": url})
    overrides = {k: v for k, v in record.items() if k in DocMeta.__dataclass_fields__ and v not in (None, "")}
    if title:
        overrides["title"] = title
    warnings: list[str] = []
    try:
        meta = apply_overrides(meta, overrides)
    except InvalidParameter as exc:
        warnings.append(f"record field ignored: {exc}")
    _mark_interpretation(meta, text, overrides)
    ident = f"import:{source.name}#{key}"
    return Document(
        id=document_id(ident),
        path=ident,
        text=text,
        meta=meta,
        format="record",
        content_hash=hashlib.sha1((title + "\n" + text_raw).encode("utf-8")).hexdigest(),
        warnings=warnings,
        fingerprint=text_fingerprint(text),
    )


def _mark_interpretation(meta: DocMeta, text: str, overrides: dict[str, Any]) -> None:
    """Set ``meta.is_interpretation`` from cues (indexer.links) unless the sidecar/record said it."""
    if "is_interpretation" in overrides or "doc_type" in overrides:
        return  # the publisher's word wins over cues
    meta.is_interpretation = bool(meta.interprets) or is_interpretation(meta, text, meta.url)


#: A file of glob patterns (one per line, ``#`` comments) naming what a folder tree should not index.
IGNORE_FILE = ".govsearchignore"


def _read_ignore(folder: Path) -> list[str]:
    try:
        lines = (folder / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _ignored(path: Path, rules: list[tuple[Path, str]], is_dir: bool) -> bool:
    for base, pattern in rules:
        rel = path.relative_to(base).as_posix()
        if pattern.endswith("/"):
            if is_dir and (fnmatch.fnmatch(rel, pattern.rstrip("/")) or fnmatch.fnmatch(path.name, pattern.rstrip("/"))):
                return True
        elif fnmatch.fnmatch(rel, pattern) or ("/" not in pattern and fnmatch.fnmatch(path.name, pattern)):
            return True
    return False


def iter_files(paths: list[Path]) -> Iterator[Path]:
    """Every regular file below ``paths`` (absolute, sorted).

    Skips sidecars, hidden files, Office lock files (``~$…``), link loops, and what a
    ``.govsearchignore`` file in a folder names for that folder's tree (glob patterns
    relative to the folder; a trailing ``/`` matches folders).
    """
    for root in paths:
        root = root.absolute()
        if root.is_file():
            yield root
            continue
        seen_dirs: set[tuple[int, int]] = set()
        rules_of: dict[str, list[tuple[Path, str]]] = {}
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            try:
                st = os.stat(dirpath)
            except OSError:
                dirnames[:] = []
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen_dirs:  # a symlink loop: walked already
                dirnames[:] = []
                continue
            seen_dirs.add(key)
            folder = Path(dirpath)
            rules = rules_of.pop(dirpath, []) + [(folder, pattern) for pattern in _read_ignore(folder)]
            dirnames[:] = sorted(
                d for d in dirnames if not d.startswith(".") and not _ignored(folder / d, rules, is_dir=True)
            )
            for d in dirnames:
                rules_of[os.path.join(dirpath, d)] = rules
            for name in sorted(filenames):
                if name.startswith(".") or name.startswith("~$"):
                    continue
                path = folder / name
                if is_sidecar(path) or (rules and _ignored(path, rules, is_dir=False)):
                    continue
                yield path
