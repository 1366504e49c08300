"""Extraction and cleanup over the real documents in ../shared/corpus (read in place, never copied).

Binary .doc files go through LibreOffice when it is installed (several seconds each),
hence the ``slow`` marker on the full sweep.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.cleanup import clean_text
from indexer.config import Config
from indexer.errors import ExtractionError
from indexer.extract import GLYPH_GARBAGE, NO_TEXT_LAYER, extract, sniff_format

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
DOCUMENTS = CORPUS / "cn_realestate_policy" / "data" / "raw" / "documents"
CIVILIZED = CORPUS / "civilized_behavior_regs"

pytestmark = pytest.mark.realdata

_SPURIOUS = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def _by_suffix(name_end: str) -> Path:
    matches = [p for p in _files(DOCUMENTS) if p.name.endswith(name_end)]
    if not matches:
        pytest.skip(f"{name_end} not in this copy of the corpus")
    return matches[0]


@pytest.mark.slow
@pytest.mark.exhaustive  # ~20 min (118 LibreOffice conversions): `make test-exhaustive`, not CI
@pytest.mark.parametrize("root", [DOCUMENTS, CIVILIZED], ids=["realestate_documents", "civilized_behavior_regs"])
def test_every_real_file_gives_text_or_a_reason(root: Path) -> None:
    files = _files(root)
    assert files, f"no files under {root}"
    config = Config()
    silent = []
    for path in files:
        try:
            raw = extract(path, config)
        except ExtractionError as exc:  # SkippedFile / UnsupportedFormat included; nothing else may escape
            assert exc.reason and exc.path == str(path)
            continue
        text = clean_text(raw.text, source_format=raw.format)
        if not text.strip() and not raw.warnings:
            silent.append(path.name)
    assert silent == []


@pytest.mark.parametrize(
    ("name_end", "expected"),
    [
        ("af96c06e790adfbc.pdf", ["明政规〔2022〕6号", "关于印发明溪县促进房地产市场平稳健康发展若干措施(修订)的通知", "2022年11月26日"]),
        ("89273e38f1187e72.pdf", ["长金管委〔2022〕3号", "关于优化住房公积金业务政策和流程的通知"]),
        ("8c61cc61e43fed09.pdf", ["南京市住房保障和房产局文件", "宁房市字〔2017〕108号"]),
    ],
)
def test_spaced_out_pdfs_come_out_without_spurious_spaces(name_end: str, expected: list[str]) -> None:
    raw = extract(_by_suffix(name_end), Config())
    lines = clean_text(raw.text, source_format="pdf").split("\n")
    for line in expected:
        assert line in lines
    spaced = [line for line in lines if _SPURIOUS.search(line)]
    assert spaced == []


@pytest.mark.parametrize("name_end", ["17e1e6a6879987c2.pdf", "1f917b9374e9a284.pdf"])
def test_running_headers_and_page_numbers_are_gone(name_end: str) -> None:
    raw = extract(_by_suffix(name_end), Config())
    assert raw.text.count("\f") >= 2
    text = clean_text(raw.text, source_format="pdf")
    assert not re.search(r"^- ?\d+ ?-$", text, re.M)
    assert "人民政府规章" not in text.split("\n")[0] and "行政规范性文件" not in text.split("\n")[0]
    assert "人民政府发布" not in text


@pytest.mark.parametrize(
    ("name_end", "warning"),
    [("b8ace3db6dabc572.pdf", GLYPH_GARBAGE), ("684ff8df64b16ca3.pdf", GLYPH_GARBAGE),
     ("b93d75adb1c4777a.pdf", NO_TEXT_LAYER), ("f7bbef842e377ab3.pdf", NO_TEXT_LAYER)],
)
def test_glyph_garbage_and_scanned_pdfs_are_caught(name_end: str, warning: str) -> None:
    raw = extract(_by_suffix(name_end), Config())
    assert (raw.text, raw.warnings) == ("", [warning])


def test_wrong_extensions_are_sniffed() -> None:
    sniffed = {(p.suffix.lower(), sniff_format(p)) for p in _files(CIVILIZED)}
    # Real cases: DOCX saved as .doc, binary Word saved as .docx, Word XML saved as .doc.
    assert {(".doc", "docx"), (".docx", "doc"), (".doc", "word2003xml")} <= sniffed
