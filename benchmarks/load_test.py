"""Load test (issue 7): gunicorn on loopback, a realistic request mix, then the same during a reindex.

Starts ``python -m indexer.cli serve --workers 2`` on 127.0.0.1 over an index of the
``make_big_corpus`` corpus (built with ``bench_index.py --keep DIR``, or here), then sends a
bounded number of requests (``--requests``, stopped early at ``--seconds``) from a small
pool of client threads (``--clients``):

* 60 % result pages: half the HTML page ``/?q=…``, half ``/api/v1/search?q=…`` (facets and
  snippets on), with the query mix of ``bench_query.py`` (keywords, phrases, real citizens'
  questions, document numbers, facet/date filters, sorts);
* 30 % ``/api/v1/suggest?q=…`` prefixes; 10 % document pages ``/doc/<id>``.

Phase 1 is the steady state; phase 2 repeats it while an incremental reindex (1 % of the
generated files rewritten, then ``sync_paths``) commits into the live index in a background
process, and goes on until that reindex has finished (at most ``--seconds``), so requests
are served across the commit and the searchers' refresh. Every response must be 200: anything else (or a connection error) counts as an
error and is printed. The API's per-client rate limit is turned off for the server under
test with ``GOVSEARCH_RATE_LIMIT=0/minute`` (all clients share 127.0.0.1; an empty value is
ignored by ``Config.from_env``, so it does not disable the limit; the limit itself is tested in
tests/unit/test_ratelimit.py).

Usage::

    .venv/bin/python benchmarks/load_test.py --docs 2000 [--index DIR] [--requests 600] [--seconds 120] [--clients 4]

Exit status 1 when any request failed. Loopback only; nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import bench_query  # noqa: E402

from indexer.config import Config  # noqa: E402
from indexer.engine import SearchEngine  # noqa: E402


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request_paths(index_dir: Path, seed: int = 5) -> list[str]:
    """A shuffled list of URL paths in the realistic mix (see the module docstring)."""
    with SearchEngine(Config.from_env({}, index_dir=index_dir)) as engine:
        mix = bench_query.query_mix(engine)
        ids = [s["id"] for s in engine.all_stored()]
    rng = random.Random(seed)
    paths: list[str] = []
    for _, req in mix:
        params: list[tuple[str, str]] = [("q", req.q)]
        for k, values in req.filters.items():
            params += [(k, v) for v in values]
        if req.date_from:
            params.append(("date_from", req.date_from.isoformat()))
        if req.date_to:
            params.append(("date_to", req.date_to.isoformat()))
        if req.sort != "relevance":
            params.append(("sort", req.sort))
        if req.page > 1:
            params.append(("page", str(req.page)))
        qs = urllib.parse.urlencode(params)
        paths += [f"/?{qs}", f"/api/v1/search?{qs}"]
    searches = paths
    suggests = [f"/api/v1/suggest?{urllib.parse.urlencode({'q': p})}" for p in bench_query.SUGGEST_PREFIXES]
    docs = [f"/doc/{urllib.parse.quote(i)}" for i in rng.sample(ids, min(20, len(ids)))]
    out = []
    for _ in range(2000):
        r = rng.random()
        out.append(rng.choice(searches) if r < 0.6 else rng.choice(suggests) if r < 0.9 else rng.choice(docs))
    return out


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    """Until /healthz answers 200 (or the server died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError("server did not become ready")


def run_phase(
    base: str, paths: list[str], n_requests: int, seconds: float, clients: int, busy: Callable[[], bool] | None = None
) -> dict[str, object]:
    """Send ``n_requests`` from ``clients`` threads, and more while ``busy()`` is true (at most
    10 times as many), never past ``seconds``; latencies and errors."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    kinds: Counter[str] = Counter()
    counter = iter(range(n_requests * (10 if busy else 1)))
    deadline = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None or (i >= n_requests and busy is not None and not busy()):
                return
            path = paths[i % len(paths)]
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=60) as r:
                    r.read()
                    status = r.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (urllib.error.URLError, OSError) as exc:
                status = 0
                with lock:
                    errors.append(f"{path}: {exc}")
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                kinds["api search" if "/api/v1/search" in path else "suggest" if "suggest" in path else "doc" if path.startswith("/doc/") else "html search"] += 1
                if status != 200 and status != 0:
                    errors.append(f"{path}: HTTP {status}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": wall, "rps": len(latencies) / wall, "errors": errors,
            "latency_ms": bench_query.percentiles(latencies), "kinds": dict(kinds)}


def reindex_in_background(index_dir: Path, docs: int, mean_chars: int = 0) -> subprocess.Popen:
    """Rewrite 1 % of the generated files and run an incremental ``sync_paths`` in a child process."""
    code = (
        "import sys; sys.path[:0] = [{root!r}, {bench!r}]\n"
        "import time, make_big_corpus\n"
        "from indexer.config import Config\nfrom indexer.engine import SearchEngine\nfrom indexer.sync import sync_paths\n"
        "paths = make_big_corpus.build({docs}, mean_chars={mean}); folder = make_big_corpus.corpus_folder({docs}, mean_chars={mean})\n"
        "make_big_corpus.mutate(paths, 0.01, version=int(time.time()) % 100000, mean_chars={mean})\n"
        "t = time.perf_counter()\n"
        "s = sync_paths(SearchEngine(Config.from_env({{}}, index_dir={index!r})), make_big_corpus.roots(paths, folder), lock_timeout=600)\n"
        "print(f'reindex: updated {{len(s.updated)}} in {{time.perf_counter() - t:.1f}} s', flush=True)\n"
    ).format(root=str(ROOT), bench=str(ROOT / "benchmarks"), docs=docs, index=str(index_dir), mean=mean_chars)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def report(label: str, r: dict[str, object]) -> None:
    lat = r["latency_ms"]
    print(f"{label}: {r['requests']} requests in {r['seconds']:.1f} s = {r['rps']:.1f} req/s; "
          f"p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms, p99 {lat['p99']:.0f} ms; errors {len(r['errors'])}; mix {r['kinds']}")  # type: ignore[index]
    for e in r["errors"][:10]:  # type: ignore[index]
        print("   error:", e)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--index", type=Path, help="an index of the --docs corpus built by bench_index.py --keep")
    ap.add_argument("--requests", type=int, default=600)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--mean-chars", type=int, default=0, help="the corpus's --mean-chars (make_big_corpus)")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="govsearch-load-"))
    index_dir = args.index
    if index_dir is None:
        import bench_index

        index_dir = work / "index"
        bench_index.main(["--docs", str(args.docs), "--keep", str(index_dir), "--mean-chars", str(args.mean_chars)])
    paths = request_paths(index_dir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, GOVSEARCH_RATE_LIMIT="0/minute", GOVSEARCH_INDEX=str(index_dir))
    log = (work / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    failed = False
    figures: dict[str, object] = {}
    try:
        wait_ready(base, server)
        with SearchEngine(Config.from_env({}, index_dir=index_dir)) as engine:
            n_docs = engine.count()
        print(f"gunicorn --workers {args.workers} on {base}, index of {n_docs} documents; {args.clients} clients; "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        run_phase(base, paths, 2 * args.clients, 60, args.clients)  # warm the workers' searchers and lexicons
        steady = run_phase(base, paths, args.requests, args.seconds, args.clients)
        report("steady", steady)
        reindex = reindex_in_background(index_dir, args.docs, args.mean_chars)
        # the phase lasts at least until the reindex has committed (bounded by --seconds)
        during = run_phase(base, paths[::-1], args.requests, args.seconds, args.clients, busy=lambda: reindex.poll() is None)
        still_running = reindex.poll() is None
        out, _ = reindex.communicate(timeout=900)
        report("during reindex" + (" (reindex still running at the end)" if still_running else " (reindex finished during the phase)"), during)
        print(out.strip(), f"(exit {reindex.returncode})")
        figures = {"docs": n_docs, "steady": steady, "during_reindex": during, "reindex_output": out.strip()}
        failed = bool(steady["errors"] or during["errors"]) or reindex.returncode != 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print("errors: none" if not failed else "FAILED: see errors above")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
