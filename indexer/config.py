"""All settings in one frozen dataclass, read from ``GOVSEARCH_*`` and CLI flags.

Only this module reads ``os.environ``. Each field's ``metadata["help"]`` is its
documentation; ``tests/unit/test_config.py`` checks every field is in docs/configuration.md.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "GOVSEARCH_"


def _setting(default: Any, help: str, **kwargs: Any) -> Any:
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata={"help": help}, **kwargs)
    return field(default=default, metadata={"help": help}, **kwargs)


@dataclass(frozen=True)
class Config:
    """Every tunable of govsearch. Build with :meth:`from_env`."""

    index_dir: Path = _setting(Path("var/index"), "Directory holding the search index (GOVSEARCH_INDEX also accepted).")
    site_title: str = _setting("政务公开文件检索", "Title shown in the site header and the OpenSearch description.")
    download_roots: tuple[str, ...] = _setting((), "Folders whose files may be downloaded; empty means the folders that were indexed.")
    max_file_bytes: int = _setting(100 * 1024 * 1024, "Files larger than this are skipped with a reason.")
    max_chars: int = _setting(2_000_000, "Extracted text beyond this many characters is cut off (and reported).")
    file_timeout: float = _setting(60.0, "Seconds one file may take to extract before it is reported as failed.")
    workers: int = _setting(0, "Extraction processes when indexing; 0 means one per core.")
    writer_memory_mb: int = _setting(512, "Postings (estimated MB) the index writer pools in memory before it finishes a segment and starts another (all are committed together; nothing is merged).")
    page_size: int = _setting(10, "Results per page by default.")
    max_page_size: int = _setting(100, "Largest page size the site or the API accepts.")
    max_query_chars: int = _setting(500, "Longer queries are cut to this length.")
    cors_origins: tuple[str, ...] = _setting((), "Origins allowed to call the JSON API from a browser (CORS); none by default.")
    frame_ancestors: tuple[str, ...] = _setting((), "Origins allowed to frame /embed (CSP frame-ancestors); none by default.")
    rate_limit: str = _setting("120/minute", "Requests per client IP on /api/v1, per server process, as N/second, N/minute, N/hour or N/day; `off` disables.")
    soffice: str = _setting("soffice", "LibreOffice executable used for legacy .doc/.wps files.")
    synonyms_path: str = _setting("", "Extra synonyms file (one group per line) added to the shipped one.")
    userdict_path: str = _setting("", "Extra jieba user dictionary added to the shipped government dictionary.")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> "Config":
        """Settings from ``GOVSEARCH_<NAME>`` variables, then ``overrides`` (CLI flags) over them.

        Overrides whose value is ``None`` are ignored, so CLI options can pass through unset.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        if env.get("GOVSEARCH_INDEX"):
            values["index_dir"] = env["GOVSEARCH_INDEX"]
        for f in dataclasses.fields(cls):
            key = ENV_PREFIX + f.name.upper()
            if key in env and env[key] != "":
                values[f.name] = env[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**{k: _coerce(cls, k, v) for k, v in values.items()})

    def replace(self, **changes: Any) -> "Config":
        """A copy with ``changes`` applied (values coerced like environment values)."""
        return dataclasses.replace(self, **{k: _coerce(type(self), k, v) for k, v in changes.items()})


def _coerce(cls: type, name: str, value: Any) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if name not in fields:
        raise TypeError(f"unknown setting {name!r}")
    default = fields[name].default
    try:
        if isinstance(default, Path):
            return Path(value).expanduser()
        if isinstance(default, bool):
            return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, tuple):
            if isinstance(value, str):
                return tuple(v.strip() for v in value.split(",") if v.strip())
            return tuple(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"setting {name}: cannot use {value!r} ({exc})") from None
