"""Crash harness: SIGKILL ``govsearch index`` at random points and check nothing is lost.

Each run changes a generated corpus (edits, additions, deletions), starts
``python -m indexer.cli index`` on it and kills it with SIGKILL at a point chosen by
one of three strategies, in turn:

* ``extraction``: once the extraction worker processes exist, after a random delay;
* ``commit``: as soon as the first new file appears in the index directory (Whoosh is
  writing segments or the TOC), after 0-30 ms;
* ``random``: a uniform random delay over the length of an unkilled run.

Every fourth run is a ``--rebuild``. After each kill the harness checks that

1. no process of the killed run survives (extraction workers exit with their parent);
2. the index opens and holds exactly the last committed state (the state before the run,
   or the run's complete result if the kill came after the commit), and search agrees;
3. the next run, without ``--wait``, is not blocked by a stale lock, completes, and the
   index converges to the files on disk (same paths, same content hashes).

Usage::

    .venv/bin/python benchmarks/crash_harness.py [--runs 24] [--docs 120] [--seed 7]

Exit status 1 if any check failed. The fast subset runs in
``tests/reliability/test_crash_safety.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indexer.config import Config  # noqa: E402
from indexer.engine import SearchEngine  # noqa: E402
from indexer.models import SearchRequest  # noqa: E402

STRATEGIES = ("extraction", "commit", "random")
#: Files Whoosh or govsearch create without writing documents.
_QUIET_FILES = {"WRITELOCK", "MAIN_WRITELOCK", "SCHEMA_VERSION", "_MAIN_0.toc", "CURRENT"}
_WORDS = (
    "住房公积金 提取 政策 营商环境 优化 社会保险 补贴 失业保险 稳岗返还 实施办法 管理 规定 公共服务 "
    "数字政府 一网通办 审批 备案 监督检查 安全生产 应急管理 生态环境 污染防治 乡村振兴 医疗保障 养老服务 "
    "教育 就业创业 财政资金 专项 绩效 考核 标准 程序 申请 材料 办理 时限 责任 单位 部门"
).split()


def official_doc(number: int, version: int, rng: random.Random, paragraphs: int = 6) -> str:
    """A plain-text official document with a unique marker ``标记{number}版{version}``."""
    body = "\n\n".join("".join(rng.choice(_WORDS) for _ in range(60)) + "。" for _ in range(paragraphs))
    return (
        f"示例市人民政府文件\n\n示政发〔2024〕{number}号\n\n示例市人民政府关于第{number}项工作的通知\n\n"
        f"各区人民政府，市政府各部门：\n\n标记{number}版{version}。{body}\n\n示例市人民政府\n2024年3月15日\n"
    )


def write_corpus(folder: Path, count: int, rng: random.Random) -> None:
    """``count`` documents ``doc00000.txt``… in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"doc{n:05d}.txt").write_text(official_doc(n, 0, rng), encoding="utf-8")


def mutate(folder: Path, rng: random.Random, version: int, changes: int) -> None:
    """Edit, add and delete about ``changes`` files each."""
    files = sorted(folder.glob("doc*.txt"))
    for path in rng.sample(files, min(changes, len(files))):
        path.write_text(official_doc(int(path.stem[3:]), version, rng), encoding="utf-8")
    for path in rng.sample(files, min(changes // 2, len(files) // 4)):
        path.unlink(missing_ok=True)
    top = max((int(p.stem[3:]) for p in files), default=-1)
    for n in range(top + 1, top + 1 + changes):
        (folder / f"doc{n:05d}.txt").write_text(official_doc(n, version, rng), encoding="utf-8")


def disk_state(folder: Path) -> dict[str, str]:
    """path -> sha1 of every document on disk (what a complete run must converge to)."""
    return {str(p.absolute()): hashlib.sha1(p.read_bytes()).hexdigest() for p in sorted(folder.glob("doc*.txt"))}


def index_state(index_dir: Path) -> dict[str, str]:
    """path -> content hash the index holds; checks that search agrees with it.

    :raises AssertionError: when search and the stored documents disagree.
    :raises IndexUnavailable: when the index does not open.
    """
    with SearchEngine(Config.from_env({}, index_dir=index_dir)) as engine:
        state = {path: fs.content_hash for path, fs in engine.file_states().items()}
        listed = engine.search(SearchRequest(q="", page_size=1, facets=False, highlight=False))
        assert listed.total == len(state), f"search lists {listed.total} documents, the index stores {len(state)}"
        if state:
            path = sorted(state)[len(state) // 2]
            stem = Path(path).stem
            found = engine.search(SearchRequest(q=f"第{int(stem[3:])}项工作", scope="title", page_size=5, facets=False))
            assert any(h.path == path for h in found.hits), f"search does not find {path}"
    return state


#: When set (``--segment-batch-min-files``), runs read this many files or more through the
#: workers-write-segments path (``indexer.sync.SEGMENT_BATCH_MIN_FILES``, 5,000 by default,
#: more than the harness's runs read).
SEGMENT_BATCH_MIN_FILES: int | None = None


def index_command(folder: Path, index_dir: Path, *extra: str) -> list[str]:
    """The ``govsearch index`` command line (through the current interpreter)."""
    args = ["index", str(folder), "--index", str(index_dir), "--json", *extra]
    if SEGMENT_BATCH_MIN_FILES is None:
        return [sys.executable, "-m", "indexer.cli", *args]
    launcher = (f"import runpy, indexer.sync; indexer.sync.SEGMENT_BATCH_MIN_FILES = {SEGMENT_BATCH_MIN_FILES}; "
                "runpy.run_module('indexer.cli', run_name='__main__')")
    return [sys.executable, "-c", launcher, *args]


def _env(workers: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVSEARCH_")}
    env["GOVSEARCH_WORKERS"] = str(workers)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (from /proc)."""
    out = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == pid:
            out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def _files(index_dir: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, _dirs, names in os.walk(index_dir):
        for name in names:
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue
            out[os.path.join(dirpath, name)] = (st.st_mtime_ns, st.st_size)
    return out


@dataclass
class KillResult:
    """What happened to one killed run."""

    strategy: str
    phase: str  # startup, writing (writer open, no workers), extraction, commit, finished (exited before the kill)
    delay: float
    orphans: int  # processes of the run still alive 3 s after the kill


#: Seconds after the extraction workers appear within which the "extraction" strategy kills.
EXTRACTION_KILL_WINDOW = 0.3


def run_and_kill(cmd: list[str], index_dir: Path, strategy: str, rng: random.Random, *, full_seconds: float, workers: int) -> KillResult:
    """Start ``cmd``, SIGKILL it at a point chosen by ``strategy``, wait for its workers to exit."""
    before = _files(index_dir)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=_env(workers), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = started + full_seconds * 3 + 10
    target = rng.uniform(0.2, full_seconds) if strategy == "random" else None
    extra_wait = None
    seen_workers: set[int] = set()
    phase = "startup"
    while proc.poll() is None and time.monotonic() < deadline:
        now = time.monotonic()
        kids = children(proc.pid)
        seen_workers.update(kids)
        files = _files(index_dir)
        new = [
            os.path.basename(path)
            for path, stamp in files.items()
            if (path not in before or before[path] != stamp)
            and os.path.basename(path) not in _QUIET_FILES and not os.path.basename(path).startswith(".CURRENT")
        ]
        # a writer opens its segment files at once; a .seg (compound segment) or a new TOC is the commit
        committing = any(name.endswith((".seg", ".toc")) for name in new)
        phase = "commit" if committing else "extraction" if kids else "writing" if new else "startup"
        if strategy == "extraction" and kids and extra_wait is None:
            # soon after the workers appear: a small incremental run's extraction lasts well under a second
            extra_wait = now + rng.uniform(0.0, EXTRACTION_KILL_WINDOW)
        if strategy == "commit" and committing and extra_wait is None:
            extra_wait = now + rng.uniform(0.0, 0.03)
        if (target is not None and now - started >= target) or (extra_wait is not None and now >= extra_wait):
            break
        time.sleep(0.005)
    delay = time.monotonic() - started
    if proc.poll() is not None:
        phase = "finished"
    else:
        seen_workers.update(children(proc.pid))
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    # extraction workers must notice the parent is gone and exit (they share its lock)
    limit = time.monotonic() + 3.0
    while any(_alive(p) for p in seen_workers) and time.monotonic() < limit:
        time.sleep(0.05)
    orphans = [p for p in seen_workers if _alive(p)]
    for pid in orphans:  # do not leave them behind; the failure is counted
        os.kill(pid, signal.SIGKILL)
    return KillResult(strategy=strategy, phase=phase, delay=delay, orphans=len(orphans))


@dataclass
class HarnessReport:
    """Figures of a harness session."""

    runs: int = 0
    survived: int = 0  # index opened and held exactly the last committed state
    converged: int = 0  # the next run completed (no stale lock) and matched the disk
    orphans: int = 0
    by_phase: Counter = field(default_factory=Counter)
    by_strategy: Counter = field(default_factory=Counter)
    committed_before_kill: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and self.orphans == 0 and self.survived == self.converged == self.runs


def run_harness(
    work: Path, *, runs: int, docs: int, seed: int, changes: int = 20, workers: int = 2, log: bool = False
) -> HarnessReport:
    """Build a corpus and index under ``work`` and kill ``runs`` index runs.

    :param work: an empty scratch directory.
    :param runs: killed runs (each followed by a recovery run).
    :param docs: documents in the initial corpus.
    :param changes: files edited/added per run (half as many deleted).
    """
    rng = random.Random(seed)
    folder, index_dir = work / "docs", work / "index"
    report = HarnessReport()
    started = time.monotonic()
    write_corpus(folder, docs, rng)
    t0 = time.monotonic()
    subprocess.run(index_command(folder, index_dir), env=_env(workers), check=True, capture_output=True)
    full = {"incremental": time.monotonic() - t0}
    committed = index_state(index_dir)
    assert committed == disk_state(folder), "the first run did not index the corpus"
    mutate(folder, rng, 1, changes)
    t0 = time.monotonic()
    subprocess.run(index_command(folder, index_dir), env=_env(workers), check=True, capture_output=True)
    full["incremental"] = time.monotonic() - t0
    t0 = time.monotonic()
    subprocess.run(index_command(folder, index_dir, "--rebuild"), env=_env(workers), check=True, capture_output=True)
    full["rebuild"] = time.monotonic() - t0
    committed = index_state(index_dir)
    for run in range(runs):
        version = run + 2
        mode = "rebuild" if run % 4 == 3 else "incremental"
        strategy = STRATEGIES[run % len(STRATEGIES)]
        mutate(folder, rng, version, changes)
        target = disk_state(folder)
        extra = ("--rebuild",) if mode == "rebuild" else ()
        result = run_and_kill(index_command(folder, index_dir, *extra), index_dir, strategy, rng,
                              full_seconds=full[mode], workers=workers)
        report.runs += 1
        report.by_strategy[strategy] += 1
        report.orphans += result.orphans
        label = f"run {run + 1:2d} {mode:11s} kill:{strategy:10s} at {result.delay:5.2f} s"
        try:
            state = index_state(index_dir)
        except Exception as exc:  # noqa: BLE001 - any failure to open is the finding; it is reported
            report.failures.append(f"{label}: index does not open: {type(exc).__name__}: {exc}")
            state = None
        phase = result.phase
        if state is not None:
            if state == committed:
                report.survived += 1
            elif state == target:
                report.survived += 1
                report.committed_before_kill += 1
                phase = "after commit" if phase != "finished" else phase
            else:
                missing = len(set(committed) - set(state))
                report.failures.append(f"{label}: index holds neither the old nor the new state ({missing} old paths missing)")
        report.by_phase[phase] += 1
        recovery = subprocess.run(index_command(folder, index_dir), env=_env(workers), capture_output=True, text=True)
        if recovery.returncode != 0:
            report.failures.append(f"{label}: next run failed ({recovery.returncode}): {recovery.stderr.strip()[-300:]}")
        else:
            try:
                committed = index_state(index_dir)
            except Exception as exc:  # noqa: BLE001 - reported as a failure
                report.failures.append(f"{label}: index does not open after the next run: {exc}")
                committed = {}
            if committed == target:
                report.converged += 1
            else:
                report.failures.append(f"{label}: next run did not converge ({len(set(committed) ^ set(target))} paths differ)")
        if log:
            print(f"{label} phase={phase:14s} orphans={result.orphans} index={'ok' if state is not None else 'BROKEN'}"
                  f" next={'ok' if recovery.returncode == 0 else 'FAILED'}", flush=True)
    report.seconds = time.monotonic() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=24, help="killed runs (at least 20 for the figures)")
    parser.add_argument("--docs", type=int, default=120, help="documents in the initial corpus")
    parser.add_argument("--changes", type=int, default=20, help="files edited and added per run")
    parser.add_argument("--workers", type=int, default=2, help="extraction processes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--segment-batch-min-files", type=int,
                        help="let runs of this many files or more have the workers write segments (default: the engine's 5,000)")
    args = parser.parse_args(argv)
    global SEGMENT_BATCH_MIN_FILES
    SEGMENT_BATCH_MIN_FILES = args.segment_batch_min_files
    with tempfile.TemporaryDirectory(prefix="govsearch-crash-") as tmp:
        report = run_harness(Path(tmp), runs=args.runs, docs=args.docs, seed=args.seed,
                             changes=args.changes, workers=args.workers, log=True)
    print()
    print(f"killed runs:            {report.runs} ({', '.join(f'{k} {v}' for k, v in sorted(report.by_strategy.items()))})")
    print(f"phase at the kill:      {', '.join(f'{k} {v}' for k, v in sorted(report.by_phase.items()))}")
    print(f"index opened, last committed state: {report.survived}/{report.runs}"
          f" ({report.committed_before_kill} had committed before the kill)")
    print(f"next run completed and converged:   {report.converged}/{report.runs}")
    print(f"orphaned worker processes:          {report.orphans}")
    print(f"failures:                           {len(report.failures)}")
    for failure in report.failures:
        print("  " + failure)
    print(f"time: {report.seconds:.0f} s")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
