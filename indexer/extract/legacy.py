"""Legacy binary Word (.doc) and WPS (.wps) files, converted by LibreOffice.

``soffice --headless --convert-to docx`` writes into a temporary directory with its
own user profile (so parallel workers do not fight over the default profile's lock);
the DOCX reader then reads the result.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from indexer.config import Config
from indexer.errors import ExtractionError, SkippedFile
from indexer.extract import RawText

logger = logging.getLogger(__name__)

NO_SOFFICE_REASON = "legacy Word format: LibreOffice (soffice) not installed"


def find_soffice(config: Config) -> str | None:
    """Path of the LibreOffice executable named by ``config.soffice``, or ``None``.

    :param config: supplies ``soffice`` (a name on PATH or a path).
    """
    return shutil.which(config.soffice)


def extract_legacy(path: Path, config: Config, fmt: str = "doc") -> RawText:
    """Convert a binary .doc/.wps file to DOCX with LibreOffice and read that.

    :param path: the file (bytes sniffed as OLE compound file).
    :param config: ``soffice`` executable and ``file_timeout`` seconds.
    :param fmt: ``"doc"`` or ``"wps"``, reported as the format.
    :raises SkippedFile: LibreOffice is not installed.
    :raises ExtractionError: conversion failed or timed out.
    """
    soffice = find_soffice(config)
    if soffice is None:
        raise SkippedFile(str(path), NO_SOFFICE_REASON)
    from indexer.extract.docx import extract_docx

    with tempfile.TemporaryDirectory(prefix="govsearch-soffice-") as tmp:
        tmpdir = Path(tmp)
        # A plain ASCII name: soffice mangles some non-ASCII names and needs a known output name.
        source = tmpdir / f"input.{fmt}"
        shutil.copyfile(path, source)
        cmd = [
            soffice,
            f"-env:UserInstallation={(tmpdir / 'profile').as_uri()}",
            "--headless", "--norestore", "--nologo", "--nolockcheck",
            # Force the Word 97 filter for .doc: autodetection would "convert" any junk as plain text.
            *(["--infilter=MS Word 97"] if fmt == "doc" else []),
            "--convert-to", "docx:MS Word 2007 XML",
            "--outdir", str(tmpdir / "out"),
            str(source),
        ]
        try:
            # Own session: soffice is a script that starts soffice.bin, and a timeout must end both.
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            raise ExtractionError(str(path), f"cannot run LibreOffice ({exc})") from None
        try:
            stdout, stderr = proc.communicate(timeout=config.file_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ExtractionError(str(path), f"LibreOffice conversion timed out after {config.file_timeout:g} s") from None
        out = tmpdir / "out" / "input.docx"
        if proc.returncode != 0 or not out.exists():
            detail = (stderr or stdout).decode("utf-8", "replace").strip().splitlines()
            raise ExtractionError(
                str(path), f"LibreOffice could not convert the file (exit {proc.returncode}: {detail[-1] if detail else 'no output'})"
            )
        raw = extract_docx(out, config)
    raw.format = fmt
    raw.warnings = [w for w in raw.warnings if w != "read without python-docx"]
    return raw
