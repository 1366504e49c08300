"""Metadata overrides kept beside a document: ``<file>.json`` or a row of ``manifest.csv``.

A publisher often knows what the text cannot say (索引号, 主题分类, 发布日期, the portal url,
which policy an interpretation explains). Those facts live next to the file:

* ``a.pdf.json`` (or ``a.json``): a JSON object whose keys are :class:`DocMeta` field names;
* ``manifest.csv`` in the same folder: one row per file, the column ``file`` (or ``filename``)
  names the file, the other columns are field names; empty cells are ignored.

When both exist, the JSON file wins over the manifest row, key by key.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

from indexer.docnumber import normalize_doc_number
from indexer.errors import ExtractionError, InvalidParameter
from indexer.metadata import DOC_TYPES, parse_chinese_date
from indexer.models import VALIDITY_VALUES, DocMeta

logger = logging.getLogger(__name__)

__all__ = ["MANIFEST_NAME", "load_sidecar", "apply_overrides"]

MANIFEST_NAME = "manifest.csv"
_FILE_COLUMNS = ("file", "filename")
_FIELDS = {f.name: f for f in dataclasses.fields(DocMeta)}
_DATE_FIELDS = ("written_date", "published_date")
_LIST_FIELDS = ("issuer", "attachments")
_PUBLICITY_VALUES = ("主动公开", "依申请公开", "不予公开")
_TRUE = {"1", "true", "yes", "on", "是", "y"}
_FALSE = {"0", "false", "no", "off", "否", "n", ""}


def _json_sidecar(path: Path) -> Path | None:
    for candidate in (path.with_name(path.name + ".json"), path.with_suffix(".json")):
        if candidate != path and candidate.is_file():
            return candidate
    return None


def _read_json(sidecar: Path) -> dict[str, Any]:
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ExtractionError(str(sidecar), f"cannot read sidecar: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ExtractionError(str(sidecar), "sidecar is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise ExtractionError(str(sidecar), f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise ExtractionError(str(sidecar), f"sidecar must hold a JSON object, not {type(data).__name__}")
    return data


def _read_manifest_row(manifest: Path, name: str) -> dict[str, Any]:
    try:
        with manifest.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = [c.strip() for c in (reader.fieldnames or [])]
            key = next((c for c in _FILE_COLUMNS if c in columns), None)
            if key is None:
                raise ExtractionError(str(manifest), "manifest.csv needs a 'file' or 'filename' column")
            for row in reader:
                row = {(k or "").strip(): v for k, v in row.items()}
                listed = (row.get(key) or "").strip().replace("\\", "/")
                if listed and (listed == name or listed.rsplit("/", 1)[-1] == name):
                    return {k: v.strip() for k, v in row.items() if k and k != key and isinstance(v, str) and v.strip()}
    except OSError as exc:
        raise ExtractionError(str(manifest), f"cannot read manifest: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ExtractionError(str(manifest), "manifest.csv is not UTF-8 text") from exc
    except csv.Error as exc:
        raise ExtractionError(str(manifest), f"invalid CSV: {exc}") from exc
    return {}


def load_sidecar(path: Path) -> dict[str, Any]:
    """Overrides recorded beside ``path``: its JSON sidecar over its ``manifest.csv`` row.

    :param path: the document file.
    :returns: field name -> raw value (not yet validated; see :func:`apply_overrides`);
        ``{}`` when there is no sidecar.
    :raises ExtractionError: (sidecar path, reason) when a sidecar exists but cannot be read
        or is not a JSON object / a CSV with a file column.
    """
    path = Path(path)
    overrides: dict[str, Any] = {}
    manifest = path.parent / MANIFEST_NAME
    if manifest.is_file() and path.name != MANIFEST_NAME:
        overrides.update(_read_manifest_row(manifest, path.name))
    sidecar = _json_sidecar(path)
    if sidecar is not None:
        overrides.update(_read_json(sidecar))
    return overrides


def _as_text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    raise InvalidParameter(name, f"expected text, got {type(value).__name__}")


def _as_list(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.replace("；", ";").replace("、", ";").replace("，", ";").replace(",", ";").split(";")
        return [p.strip() for p in parts if p.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise InvalidParameter(name, "expected a string or a list of strings")


def _as_date(name: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    text = _as_text(name, value)
    parsed = parse_chinese_date(text)
    if parsed is None:
        raise InvalidParameter(name, f"not a date: {text!r} (use 2024-05-01 or 2024年5月1日)")
    return parsed


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _as_text(name, value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidParameter(name, f"expected true or false, got {text!r}")


def apply_overrides(meta: DocMeta, overrides: dict[str, Any]) -> DocMeta:
    """A copy of ``meta`` with sidecar values put over what extraction found.

    :param meta: metadata extracted from the text.
    :param overrides: field name -> value, as :func:`load_sidecar` returns them. Dates may be
        ISO or Chinese; ``issuer`` a string (separated by 、 , ;) or a list; ``doc_number`` is
        normalised when it parses; setting ``doc_type`` to 解读 marks an interpretation.
    :returns: a new :class:`DocMeta`; ``meta`` is not changed.
    :raises InvalidParameter: (field, message) for an unknown field or a bad value
        (a date that does not parse, a validity not in :data:`VALIDITY_VALUES`…).
    """
    changes: dict[str, Any] = {}
    for name, value in overrides.items():
        if name in ("year",):  # derived from the dates; ignore rather than fail on exported JSON
            continue
        if name not in _FIELDS:
            raise InvalidParameter(name, f"unknown metadata field; known fields: {', '.join(_FIELDS)}")
        if name in _DATE_FIELDS:
            changes[name] = _as_date(name, value)
        elif name in _LIST_FIELDS:
            changes[name] = _as_list(name, value)
        elif name == "is_interpretation":
            changes[name] = _as_bool(name, value)
        else:
            text = _as_text(name, value)
            if name == "validity" and text and text not in VALIDITY_VALUES:
                raise InvalidParameter(name, f"{text!r} is not one of {', '.join(VALIDITY_VALUES)}")
            if name == "publicity" and text and text not in _PUBLICITY_VALUES:
                raise InvalidParameter(name, f"{text!r} is not one of {', '.join(_PUBLICITY_VALUES)}")
            if name == "doc_type" and text and text not in DOC_TYPES:
                logger.info("doc_type %r from a sidecar is not a known 文种; kept as given", text)
            if name == "doc_number" and text:
                text = normalize_doc_number(text) or text
            if name == "url" and text and not text.startswith(("http://", "https://", "/")):
                raise InvalidParameter(name, f"not an http(s) url: {text!r}")
            changes[name] = text
    for name in _LIST_FIELDS:  # never share a list with the caller's meta
        changes.setdefault(name, list(getattr(meta, name)))
    result = dataclasses.replace(meta, **changes)
    if "doc_type" in changes and "is_interpretation" not in changes:
        result.is_interpretation = result.doc_type == "解读"
    return result
