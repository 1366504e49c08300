"""The ``govsearch`` command: index, import, search, show, stats, serve, demo.

Each command turns options into a Config and calls the core; errors from the core
become click errors naming the file or parameter. Only this module prints.
"""

from __future__ import annotations

import html
import json
import logging
import re
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import click

from indexer.config import Config
from indexer.engine import SearchEngine
from indexer.errors import ExtractionError, GovSearchError, IndexLocked, IndexUnavailable, InvalidParameter
from indexer.models import FACET_FIELDS, SearchRequest
from indexer.query import parse_date
from indexer.sync import SyncSummary, import_records, sync_paths

#: The demo corpus shipped in the repository.
DEMO_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
DEMO_INDEX = Path("var/demo-index")
#: Without a terminal, one progress line per this many files read.
PLAIN_PROGRESS_EVERY = 100

index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index directory (default: $GOVSEARCH_INDEX, else var/index).",
)


def _config(**overrides: Any) -> Config:
    try:
        return Config.from_env(**overrides)
    except (TypeError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None


def _engine(index_dir: Path | None) -> SearchEngine:
    return SearchEngine(_config(index_dir=index_dir))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="govsearch")
def main(verbose: int) -> None:
    """Full-text search over Chinese government documents (政务公开)."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@main.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@index_option
@click.option("--dry-run", is_flag=True, help="Show what would be added, updated and removed; change nothing.")
@click.option("--rebuild", is_flag=True, help="Re-read everything into a new index and swap it in when done.")
@click.option("--watch", is_flag=True, help="Keep running and index files as they arrive or change.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between checks with --watch.")
@click.option("--strict", is_flag=True, help="Any file that cannot be indexed aborts the run (index unchanged).")
@click.option("--workers", type=int, default=None, help="Extraction processes (default: one per core).")
@click.option("--wait", "lock_timeout", default=0.0, show_default=True, help="Seconds to wait if another run is writing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def index_command(
    paths: tuple[Path, ...],
    index_dir: Path | None,
    dry_run: bool,
    rebuild: bool,
    watch: bool,
    interval: float,
    strict: bool,
    workers: int | None,
    lock_timeout: float,
    as_json: bool,
) -> None:
    """Create or update the index from files and folders.

    Example: govsearch index corpus/ --index var/index
    """
    engine = SearchEngine(_config(index_dir=index_dir, workers=workers))
    while True:
        summary = _run_sync(engine, paths, dry_run=dry_run, rebuild=rebuild, strict=strict, lock_timeout=lock_timeout, quiet=as_json)
        if as_json:
            click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
        else:
            _print_summary(summary)
        if not watch:
            return
        rebuild = False
        time.sleep(interval)


def _run_sync(engine: SearchEngine, paths: tuple[Path, ...], *, quiet: bool, **kwargs: Any) -> SyncSummary:
    bar: Any = None
    last_line = [0]  # files read at the last plain progress line

    def progress(done: int, total: int, path: str) -> None:
        # a progress bar on a terminal; plain lines otherwise (logs, cron, CI)
        nonlocal bar
        if sys.stderr.isatty():
            if bar is None:
                from tqdm import tqdm

                bar = tqdm(total=total, unit="file", file=sys.stderr)
            if done > bar.n:
                bar.update(done - bar.n)
        elif done > last_line[0] and (done == total or done // PLAIN_PROGRESS_EVERY > last_line[0] // PLAIN_PROGRESS_EVERY):
            last_line[0] = done
            click.echo(f"read {done}/{total} files", err=True)

    try:
        return sync_paths(engine, list(paths), progress=None if quiet else progress, **kwargs)
    except IndexLocked as exc:
        raise click.ClickException(f"{exc} (use --wait SECONDS to queue behind it)") from None
    except IndexUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    except ExtractionError as exc:  # only with --strict
        click.echo(f"error: {exc.path}: {exc.reason} (--strict: nothing was changed)", err=True)
        sys.exit(2)
    finally:
        if bar is not None:
            bar.close()


def _print_summary(summary: SyncSummary) -> None:
    prefix = "would be " if summary.dry_run else ""
    for report in summary.failed:
        click.echo(f"failed   {report.path}: {report.reason}")
    for report in summary.skipped:
        click.echo(f"skipped  {report.path}: {report.reason}")
    for report in summary.warnings:
        click.echo(f"warning  {report.path}: {report.reason}")
    click.echo(
        f"{summary.files_seen} files in {summary.seconds:.1f} s: {prefix}added {len(summary.added)}, "
        f"{prefix}updated {len(summary.updated)}, {prefix}removed {len(summary.removed)}, unchanged {summary.unchanged}, "
        f"failed {len(summary.failed)}, skipped {len(summary.skipped)} (read {summary.files_read})"
    )


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_command(files: tuple[Path, ...], index_dir: Path | None, as_json: bool) -> None:
    """Import CMS records (JSONL or CSV: title, text, metadata, url).

    Example: govsearch import export.jsonl
    """
    try:
        summary = import_records(_engine(index_dir), list(files))
    except IndexUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    else:
        _print_summary(summary)


def _parse_filters(filters: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in filters:
        name, sep, value = item.partition("=")
        if not sep or name not in FACET_FIELDS:
            raise click.BadParameter(f"{item!r}: use FIELD=VALUE with FIELD one of {', '.join(FACET_FIELDS)}", param_hint="--filter")
        out.setdefault(name, []).append(value)
    return out


def _plain(markup: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", markup))


def _terminal(markup: str) -> str:
    parts = re.split(r"(<mark>.*?</mark>)", markup)
    return "".join(
        click.style(_plain(p), bold=True, fg="red") if p.startswith("<mark>") else html.unescape(p) for p in parts
    )


@main.command("search")
@click.argument("query", required=False, default="")
@index_option
@click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE", help="Facet filter, repeatable.")
@click.option("--limit", default=10, show_default=True, help="Results to show.")
@click.option("--page", default=1, show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--scope", type=click.Choice(["all", "title", "body", "doc_number"]), default="all", show_default=True)
@click.option("--from", "date_from", default=None, help="Written on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", default=None, help="Written on or before (YYYY-MM-DD).")
@click.option("--all-copies", is_flag=True, help="List every copy of a republished text as its own result (default: copies fold into one).")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
def search_command(
    query: str,
    index_dir: Path | None,
    filters: tuple[str, ...],
    limit: int,
    page: int,
    sort: str,
    scope: str,
    date_from: str | None,
    date_to: str | None,
    all_copies: bool,
    as_json: bool,
) -> None:
    """Search the index.

    Example: govsearch search "住房公积金 提取" --filter doc_type=通知
    """
    engine = _engine(index_dir)
    try:
        request = SearchRequest(
            q=query,
            filters=_parse_filters(filters),
            date_from=parse_date(date_from, "--from"),
            date_to=parse_date(date_to, "--to"),
            scope=scope,
            sort=sort,
            page=page,
            page_size=limit,
            facets=not as_json,
            collapse=not all_copies,
        )
        results = engine.search(request)
    except InvalidParameter as exc:
        raise click.BadParameter(exc.message, param_hint=exc.name) from None
    except GovSearchError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        payload = {
            "total": results.total,
            "hits": [
                {
                    "id": h.id,
                    "path": h.path,
                    "title": _plain(h.title),
                    "doc_number": h.doc_number,
                    "issuer": h.issuer,
                    "written_date": h.written_date.isoformat() if h.written_date else None,
                    "doc_type": h.doc_type,
                    "score": round(h.score, 4),
                    "snippet": h.snippet,
                    "interpretations": [link.__dict__ for link in h.interpretations],
                    "interprets": h.interprets.__dict__ if h.interprets else None,
                    "duplicates": [link.__dict__ for link in h.duplicates],
                }
                for h in results.hits
            ],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=1))
        return
    for note in results.notes:
        click.echo(note)
    relaxed = "（未找到包含全部词语的文件，以下为部分匹配）" if results.relaxed else ""
    click.echo(f"共 {results.total} 条结果（{results.took_ms:.0f} ms）{relaxed}")
    for n, h in enumerate(results.hits, start=(page - 1) * limit + 1):
        meta = " · ".join(x for x in (h.doc_number, "、".join(h.issuer), _iso(h.written_date), h.doc_type, h.validity) if x)
        click.echo(f"\n{n}. {_terminal(h.title)}  [{h.id}]")
        if meta:
            click.echo(f"   {meta}")
        click.echo(f"   {_terminal(h.snippet)}")
        for link in h.interpretations:
            click.echo(f"   解读：{link.title} [{link.id}]")
        if h.interprets:
            click.echo(f"   解读的政策：{h.interprets.title} [{h.interprets.id}]")
        for link in h.duplicates:
            click.echo(f"   内容相同：{link.title} [{link.id}]")


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


@main.command("show")
@click.argument("doc_id")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--full", is_flag=True, help="Print the whole text (default: the first 800 characters).")
def show_command(doc_id: str, index_dir: Path | None, as_json: bool, full: bool) -> None:
    """Show one document: metadata, links and text.

    Example: govsearch show 3f2a9c0d1e4b5a6f
    """
    engine = _engine(index_dir)
    try:
        doc = engine.get(doc_id)
        if doc is None:
            raise click.ClickException(f"no document with id {doc_id!r}")
        interprets, interpretations = engine.links(doc_id)
    except GovSearchError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        payload = {
            "id": doc.id,
            "path": doc.path,
            "format": doc.format,
            **doc.meta.to_dict(),
            "warnings": doc.warnings,
            "interprets_policy": interprets.__dict__ if interprets else None,
            "interpretations": [link.__dict__ for link in interpretations],
            "text": doc.text,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=1))
        return
    meta = doc.meta
    rows = meta.labelled_rows(_iso) + [("文件", doc.path)]
    for label, value in rows:
        if value:
            click.echo(f"{label}：{value}")
    if interprets:
        click.echo(f"解读的政策：{interprets.title} [{interprets.id}]")
    for link in interpretations:
        click.echo(f"政策解读：{link.title} [{link.id}]")
    for warning in doc.warnings:
        click.echo(f"注意：{warning}")
    click.echo("")
    click.echo(doc.text if full or len(doc.text) <= 800 else doc.text[:800] + "…")


@main.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True)
def stats_command(index_dir: Path | None, as_json: bool) -> None:
    """Counts of documents, formats and links in the index."""
    try:
        stats = _engine(index_dir).stats()
    except GovSearchError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=1))
        return
    for key, value in stats.items():
        click.echo(f"{key}: {value}")


def _serve(config: Config, host: str, port: int, workers: int, dev: bool) -> None:
    from search_web import create_app

    if not config.index_dir.exists() and not (config.index_dir / "CURRENT").exists():
        click.echo(f"note: no index at {config.index_dir} yet; run `govsearch index PATH` first", err=True)
    if dev:
        create_app(config).run(host=host, port=port, debug=False, threaded=True)
        return
    from search_web.serving import run_gunicorn

    click.echo(f"serving {config.index_dir} on http://{host}:{port}/ with {workers} gunicorn workers", err=True)
    run_gunicorn(config, host=host, port=port, workers=workers)


serve_options = [
    click.option("--host", default="127.0.0.1", show_default=True),
    click.option("--port", default=8000, show_default=True, type=int),
    click.option("--workers", "http_workers", default=2, show_default=True, help="gunicorn worker processes."),
    click.option("--dev", is_flag=True, help="Flask's development server instead of gunicorn."),
]


def _with_serve_options(fn: Any) -> Any:
    for option in reversed(serve_options):
        fn = option(fn)
    return fn


@main.command("serve")
@index_option
@_with_serve_options
def serve_command(index_dir: Path | None, host: str, port: int, http_workers: int, dev: bool) -> None:
    """Serve the search site and the JSON API.

    Example: govsearch serve --index var/index --port 8000
    """
    _serve(_config(index_dir=index_dir), host, port, http_workers, dev)


@main.command("demo")
@index_option
@_with_serve_options
def demo_command(index_dir: Path | None, host: str, port: int, http_workers: int, dev: bool) -> None:
    """Index the demo corpus shipped with govsearch, then serve it."""
    if not DEMO_CORPUS.is_dir():
        raise click.ClickException(f"demo corpus not found at {DEMO_CORPUS}")
    config = _config(index_dir=index_dir or DEMO_INDEX)
    engine = SearchEngine(config)
    summary = _run_sync(engine, (DEMO_CORPUS,), quiet=False, lock_timeout=30.0)
    _print_summary(summary)
    engine.close()
    _serve(config, host, port, http_workers, dev)


if __name__ == "__main__":  # pragma: no cover
    main()
