"""Hostile files: generate a batch of broken, hostile and odd inputs, index it, print how each was reported.

The set (built in a temporary directory, never committed) holds truncated, corrupt,
encrypted and text-less PDFs, a DOCX zip bomb, a DOCX with a huge XML part, non-DOCX
files named ``.docx``, random bytes, an empty file, a FIFO, a file far over the size
limit, GBK and UTF-16 text, symlink loops, an unreadable file and odd file names, plus
good documents that must still be indexed. ``govsearch index`` runs on it as a
subprocess with small limits; the table shows each input, its outcome and the reason,
and the run's peak RSS (largest of the process and its extraction workers).

Usage::

    .venv/bin/python benchmarks/hostile_files.py [--keep DIR]

Exit status 1 if an input is reported differently from what it should be. The same set
is checked by ``tests/reliability/test_hostile_files.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fixtures.builders import (  # noqa: E402
    build_docx,
    build_pdf,
    build_plain_zip,
    build_scanned_pdf,
    build_zip_bomb_docx,
)

#: Limits the hostile batch is indexed with (GOVSEARCH_* values).
LIMITS = {"max_file_bytes": 2 * 1024 * 1024, "max_chars": 200_000, "file_timeout": 30.0}


@dataclass
class HostileCase:
    """One generated input and how it must be reported.

    :param outcome: ``added`` (indexed), ``warning`` (indexed with a warning), ``failed``,
        ``skipped`` or ``absent`` (never listed, e.g. a directory loop walked once).
    :param reason: regular expression the reported reason must match (warning text for ``warning``).
    """

    label: str
    path: Path
    outcome: str
    reason: str = ""


def official(title: str, number: int) -> str:
    """A small official document whose title is ``title``."""
    return (
        f"示例市人民政府文件\n\n示政发〔2024〕{number}号\n\n{title}\n\n各区人民政府，市政府各部门：\n\n"
        "为进一步做好住房公积金提取工作，优化营商环境，现就有关事项通知如下。\n\n"
        f"示例市人民政府\n2024年3月15日\n"
    )


def build_hostile_set(folder: Path, *, as_root: bool | None = None) -> list[HostileCase]:
    """Write the hostile batch into ``folder`` (created) and say how each input must be reported.

    :param as_root: whether permissions are bypassed (default: ``os.geteuid() == 0``); root
        reads a chmod 000 file, so a dangling symlink stands in for the unreadable file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(9)
    as_root = os.geteuid() == 0 if as_root is None else as_root
    cases: list[HostileCase] = []

    def add(label: str, name: str, outcome: str, reason: str = "") -> Path:
        path = folder / name
        cases.append(HostileCase(label, path, outcome, reason))
        return path

    # good documents, which must be indexed whatever their neighbours do
    for n, name in enumerate(("good-1.txt", "good-2.txt")):
        add("good text", name, "added").write_text(official(f"示例市关于良好文件{n}的通知", n + 1), encoding="utf-8")
    build_pdf(add("good PDF", "good.pdf", "added"), [["示例市人民政府关于良好文件的通知", "住房公积金提取工作。"]])
    build_docx(add("good DOCX", "good.docx", "added"), ["示例市人民政府关于良好文件的通知", "住房公积金提取工作。"])

    pdf = build_pdf(folder / "whole.tmp", [["示例市人民政府关于截断文件的通知", "正文内容。" * 20]] * 3)
    data = pdf.read_bytes()
    pdf.unlink()
    add("truncated PDF (first 40%)", "truncated.pdf", "failed", r"corrupt|truncated|no pages").write_bytes(data[: len(data) * 2 // 5])
    add("corrupt PDF (header, then noise)", "corrupt.pdf", "failed", r"corrupt|truncated").write_bytes(
        b"%PDF-1.7\n" + bytes(rng.getrandbits(8) for _ in range(20_000))
    )
    build_pdf(add("encrypted PDF (user password)", "encrypted.pdf", "failed", r"encrypted PDF"),
              [["机密文件"]], user_password="secret")
    build_scanned_pdf(add("PDF without a text layer", "scanned.pdf", "warning", r"no text layer"))
    build_zip_bomb_docx(add("DOCX zip bomb (20 MB of zeros)", "bomb.docx", "failed", r"zip bomb"))
    _huge_xml_docx(add("DOCX with a 6 MB XML part", "huge-xml.docx", "warning", r"text cut at \d+ characters"))
    add("non-ZIP named .docx", "not-zip.docx", "failed", r"damaged ZIP|binary data").write_bytes(
        b"PK\x03\x04" + bytes(rng.getrandbits(8) for _ in range(4096))
    )
    build_plain_zip(add("ZIP that is not a DOCX", "plain-zip.docx", "failed", r"not a DOCX"))
    add("random bytes", "random.bin", "failed", r"binary data of an unknown format").write_bytes(
        bytes(rng.getrandbits(8) for _ in range(65_536))
    )
    add("empty file", "empty.txt", "failed", r"empty file").write_bytes(b"")
    os.mkfifo(add("FIFO named .txt (must not hang)", "pipe.txt", "failed", r"empty file|not a regular file"))
    with open(add("file far over the size limit (50 MB, sparse)", "huge.txt", "skipped", r"over the limit"), "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    add("GBK text", "gbk.txt", "added").write_bytes(official("示例市关于国标编码文件的通知", 11).encode("gbk"))
    add("UTF-16 text with BOM", "utf16.txt", "added").write_bytes(official("示例市关于双字节编码文件的通知", 12).encode("utf-16"))
    loop_dir = folder / "loop"
    loop_dir.mkdir()
    (loop_dir / "inner.txt").write_text(official("示例市关于循环目录中文件的通知", 13), encoding="utf-8")
    cases.append(HostileCase("file inside a directory with a symlink loop", loop_dir / "inner.txt", "added"))
    (loop_dir / "again").symlink_to(loop_dir, target_is_directory=True)
    cases.append(HostileCase("directory symlink loop (walked once)", loop_dir / "again" / "inner.txt", "absent"))
    self_loop = add("symlink pointing at itself", "self-loop.txt", "failed", r"cannot read file.*(symbolic links|loop)")
    self_loop.symlink_to(self_loop.name)
    if as_root:
        gone = folder / "deleted-target.txt"
        gone.write_text("x", encoding="utf-8")
        add("unreadable file (root ignores chmod 000: dangling symlink)", "unreadable.txt", "failed",
            r"cannot read file").symlink_to(gone.name)
        gone.unlink()
    else:
        locked = add("unreadable file (chmod 000)", "unreadable.txt", "failed", r"cannot read file|Permission denied")
        locked.write_text(official("不可读", 14), encoding="utf-8")
        locked.chmod(0)
    odd = {
        "name with spaces.txt": "示例市关于文件名含空格的通知",
        "中文文件名：关于印发《办法》的通知.txt": "示例市关于中文文件名的通知",
        ("很长的文件名" * 13) + ".txt": "示例市关于超长文件名的通知",
        "new\nline.txt": "示例市关于文件名含换行的通知",
        "-leading-dash.txt": "示例市关于文件名以短横线开头的通知",
        "quote'and\"<b>.txt": "示例市关于文件名含引号的通知",
    }
    for n, (name, title) in enumerate(odd.items()):
        add(f"odd name {name!r}"[:60], name, "added").write_text(official(title, 20 + n), encoding="utf-8")
    return cases


def _huge_xml_docx(path: Path, megabytes: int = 6) -> Path:
    """A valid DOCX whose word/document.xml is ``megabytes`` MB of varied paragraphs (not a bomb)."""
    rng = random.Random(3)
    words = "住房公积金 提取 政策 营商环境 优化 社会保险 补贴 失业保险 稳岗返还 实施办法 管理 规定".split()
    paragraph_count = megabytes * 1024 * 1024 // 600
    body = "".join(
        "<w:p><w:r><w:t>" + "".join(rng.choice(words) for _ in range(40)) + "</w:t></w:r></w:p>" for _ in range(paragraph_count)
    )
    template = path.with_suffix(".template.docx")
    build_docx(template, ["模板"])
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                start = text.index("<w:body>") + len("<w:body>")
                data = (text[:start] + body + text[start:]).encode("utf-8")
            dst.writestr(item, data)
    template.unlink()
    return path


def outcome_of(case: HostileCase, summary: dict) -> tuple[str, str]:
    """(outcome, reason) of ``case`` in an ``index --json`` summary (or a SyncSummary.to_dict())."""
    key = str(case.path.absolute())
    for kind in ("failed", "skipped"):
        for report in summary[kind]:
            if report["path"] == key:
                return kind, report["reason"]
    warnings = [r["reason"] for r in summary["warnings"] if r["path"] == key]
    if key in summary.get("added_paths", ()):
        return ("warning", "; ".join(warnings)) if warnings else ("added", "")
    return "absent", ""


def check(case: HostileCase, outcome: str, reason: str) -> bool:
    """Whether ``case`` was reported as it must be."""
    return outcome == case.outcome and (not case.reason or re.search(case.reason, reason) is not None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, default=None, help="build the set here and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="govsearch-hostile-") as tmp:
        work = args.keep or Path(tmp)
        folder = work / "batch"
        cases = build_hostile_set(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GOVSEARCH_")}
        env.update({f"GOVSEARCH_{k.upper()}": str(v) for k, v in LIMITS.items()})
        env.update(GOVSEARCH_WORKERS="2", PYTHONPATH=str(ROOT))
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "indexer.cli", "index", str(folder), "--index", str(work / "index"), "--json"],
            env=env, capture_output=True, text=True, timeout=600,
        )
        seconds = time.monotonic() - started
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if proc.returncode != 0:
            print(proc.stderr)
            return 1
        summary = json.loads(proc.stdout)
        # --json gives counts of added files; the index lists which
        from indexer.config import Config
        from indexer.engine import SearchEngine

        with SearchEngine(Config.from_env({}, index_dir=work / "index")) as engine:
            summary["added_paths"] = set(engine.file_states())
        wrong = 0
        print(f"{'input':62s} {'outcome':8s} {'ok':3s} reason")
        for case in cases:
            outcome, reason = outcome_of(case, summary)
            ok = check(case, outcome, reason)
            wrong += not ok
            print(f"{case.label[:62]:62s} {outcome:8s} {'yes' if ok else 'NO':3s} {reason[:110]}")
        print()
        print(f"inputs: {len(cases)}, reported as expected: {len(cases) - wrong}, wrong: {wrong}")
        print(f"summary: added {summary['added']}, failed {len(summary['failed'])}, skipped {len(summary['skipped'])}, "
              f"warnings {len(summary['warnings'])}, files seen {summary['files_seen']}")
        print(f"limits: {LIMITS}; run took {seconds:.1f} s; peak RSS {peak_kb / 1024:.0f} MB")
    return 0 if wrong == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
