"""Query-string parameters -> a validated :class:`SearchRequest`, for the site and the API alike.

The API reports a present-but-empty parameter as a mistake; the site's GET form sends empty
fields (an unused date box), so :func:`search_request_from_form` drops those first and then
applies the same rules.
"""

from __future__ import annotations

import re
from datetime import date

from werkzeug.datastructures import MultiDict

from indexer.config import Config
from indexer.engine import MAX_RESULTS, SCOPES, SORTS
from indexer.errors import InvalidParameter
from indexer.models import FACET_FIELDS, VALIDITY_VALUES, SearchRequest
from indexer.query import parse_date

_DATE = re.compile(r"[1-9]\d{3}|\d{4}-\d{2}-\d{2}", re.ASCII)


def max_page(config: Config) -> int:
    """The largest ``page`` accepted: every page size up to ``max_page_size`` stays within 10000 results."""
    return max(1, MAX_RESULTS // config.max_page_size)


def _raw(args: MultiDict[str, str], name: str) -> str | None:
    # absent means the default; present but empty is a mistake worth reporting
    if name not in args:
        return None
    raw = args.get(name, "").strip()
    if not raw:
        raise InvalidParameter(name, "must not be empty")
    return raw


def int_param(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _raw(args, name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,9}", raw, re.ASCII):
        raise InvalidParameter(name, f"must be a whole number between {low} and {high}")
    value = int(raw)
    if not low <= value <= high:
        raise InvalidParameter(name, f"must be between {low} and {high}")
    return value


def _bool(args: MultiDict[str, str], name: str, default: bool) -> bool:
    raw = _raw(args, name)
    if raw is None:
        return default
    if raw.lower() not in ("true", "false"):
        raise InvalidParameter(name, "must be true or false")
    return raw.lower() == "true"


def _choice(args: MultiDict[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = _raw(args, name)
    if raw is None:
        return default
    if raw not in choices:
        raise InvalidParameter(name, f"must be one of {', '.join(choices)}")
    return raw


def _date(args: MultiDict[str, str], name: str) -> date | None:
    raw = _raw(args, name)
    if raw is None:
        return None
    # stricter than date.fromisoformat (which takes 20240101 and week dates on 3.11+)
    if not _DATE.fullmatch(raw):
        raise InvalidParameter(name, f"not a date (YYYY-MM-DD or YYYY): {raw!r}")
    return parse_date(raw, name)


def search_request_from_args(args: MultiDict[str, str], config: Config) -> SearchRequest:
    """Turn query-string arguments into a :class:`SearchRequest`, validating each.

    :param args: e.g. ``request.args``; facet fields (``issuer``, ``doc_type``, ``topic``,
        ``year``, ``region``, ``validity``) may repeat; ``from``/``to`` are dates.
    :param config: for the default and largest page size.
    :raises InvalidParameter: naming the first bad parameter.
    """
    filters: dict[str, list[str]] = {}
    for name in FACET_FIELDS:
        if name == "validity":
            for value in args.getlist(name):
                if value.strip() not in VALIDITY_VALUES:
                    raise InvalidParameter(name, f"must be one of {', '.join(VALIDITY_VALUES)}")
        values = [v.strip() for v in args.getlist(name) if v.strip()]
        if values:
            filters[name] = list(dict.fromkeys(values))
    date_from = _date(args, "from")
    date_to = _date(args, "to")
    return SearchRequest(
        q=args.get("q", ""),
        filters=filters,
        date_from=date_from,
        date_to=date_to,
        scope=_choice(args, "scope", "all", SCOPES),
        sort=_choice(args, "sort", "relevance", SORTS),
        page=int_param(args, "page", 1, 1, max_page(config)),
        page_size=int_param(args, "page_size", config.page_size, 1, config.max_page_size),
        highlight=_bool(args, "highlight", True),
        facets=_bool(args, "facets", True),
        collapse=_bool(args, "collapse", True),
    )


def search_request_from_form(args: MultiDict[str, str], config: Config) -> SearchRequest:
    """:func:`search_request_from_args` for the site's form: empty fields count as absent."""
    filled: MultiDict[str, str] = MultiDict([(k, v) for k, v in args.items(multi=True) if v.strip()])
    return search_request_from_args(filled, config)
