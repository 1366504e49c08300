"""The committed demo corpus (corpus/): files open, carry their titles, match expected.json and sources."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from datetime import date
from pathlib import Path
from types import ModuleType

import docx
import pytest
from pypdf import PdfReader

from indexer.models import VALIDITY_VALUES, DocMeta

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
DOC_SUFFIXES = {".pdf", ".docx"}
SIDECAR_KEYS = {"index_no", "topic", "published_date", "region", "validity", "url", "interprets"}
EXPECTED_KEYS = {"title", "doc_number", "issuer", "written_date", "doc_type", "is_interpretation", "interprets"}


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _document_files() -> list[str]:
    return sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.suffix in DOC_SUFFIXES)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(path: Path) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _docx_parts(path: Path) -> tuple[str, str]:
    """Body text (paragraphs and table cells) and header text of a DOCX."""
    document = docx.Document(str(path))
    body = [p.text for p in document.paragraphs]
    for table in document.tables:
        body.extend(cell.text for row in table.rows for cell in row.cells)
    header = [p.text for s in document.sections for p in s.header.paragraphs]
    return "\n".join(body), "\n".join(header)


def test_expected_covers_every_file_and_nothing_else() -> None:
    files = _document_files()
    assert len(files) >= 32
    assert sorted(EXPECTED) == files


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_file_opens_and_contains_title_and_number(rel: str) -> None:
    entry = EXPECTED[rel]
    path = CORPUS / rel
    if path.suffix == ".pdf":
        text = _pdf_text(path)
        header = ""
    else:
        text, header = _docx_parts(path)
    assert _flat(entry["title"]) in _flat(text)
    number = entry["doc_number"]
    if number:
        # a decree shows only 第N号 under 示例市人民政府令
        shown = number.replace("示例市人民政府令", "")
        assert _flat(shown) in _flat(text + header)
    assert entry["issuer"][0] in text


def test_expected_entries_are_well_formed() -> None:
    meta_fields = set(DocMeta.__dataclass_fields__)
    for rel, entry in EXPECTED.items():
        assert EXPECTED_KEYS <= set(entry), rel
        assert {"title", "doc_number", "issuer", "written_date", "doc_type"} <= meta_fields
        date.fromisoformat(entry["written_date"])
        assert 2021 <= int(entry["written_date"][:4]) <= 2026, rel
        assert entry["validity"] in VALIDITY_VALUES, rel
        assert isinstance(entry["issuer"], list) and entry["issuer"], rel
        if entry["interprets"] is not None:
            assert entry["is_interpretation"], rel
            target = EXPECTED[entry["interprets"]]
            assert not target["is_interpretation"], rel
        if entry["is_interpretation"]:
            assert entry["doc_type"] == "解读" and entry["doc_number"] == "", rel


def test_corpus_mix() -> None:
    """The brief's minimums: pairs, outside-corpus interpretations, formats, types, validity."""
    values = list(EXPECTED.values())
    pairs = [e for e in values if e["interprets"]]
    outside = [e for e in values if e["is_interpretation"] and not e["interprets"]]
    assert len(pairs) >= 6 and len(outside) >= 2
    pdf = sum(e["format"] == "pdf" for e in values)
    assert abs(pdf - (len(values) - pdf)) <= 4
    doc_types = {e["doc_type"] for e in values}
    assert {"通知", "意见", "办法", "实施细则", "方案", "决定", "通告", "公告", "报告", "批复", "函", "规划"} <= doc_types
    assert {"已废止", "已修改"} <= {e["validity"] for e in values}
    by_title: dict[str, list[str]] = {}
    for e in values:
        by_title.setdefault(e["title"], []).append(e["doc_number"])
    assert any(len(set(numbers)) > 1 for numbers in by_title.values()), "no superseded version with the same title"


@pytest.mark.parametrize("sidecar", sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.json") if p.name != "expected.json"))
def test_sidecar_is_valid(sidecar: str) -> None:
    data = json.loads((CORPUS / sidecar).read_text(encoding="utf-8"))
    document = sidecar[: -len(".json")]
    assert document in EXPECTED
    assert data and set(data) <= SIDECAR_KEYS
    assert set(data) <= set(DocMeta.__dataclass_fields__)
    if "published_date" in data:
        date.fromisoformat(data["published_date"])
    if "validity" in data:
        assert data["validity"] == EXPECTED[document]["validity"]


def test_sidecars_cover_about_a_third_and_one_names_its_policy() -> None:
    sidecars = [p for p in CORPUS.rglob("*.json") if p.name != "expected.json"]
    assert len(EXPECTED) / 5 <= len(sidecars) <= len(EXPECTED) / 2
    explicit = [json.loads(p.read_text(encoding="utf-8")) for p in sidecars]
    numbers = {e["doc_number"] for e in EXPECTED.values()}
    assert any(d.get("interprets") in numbers for d in explicit)


def test_manifest() -> None:
    manifests = list(CORPUS.rglob("manifest.csv"))
    assert len(manifests) == 1
    with manifests[0].open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["file", "index_no", "topic", "published_date", "validity", "url", "interprets"]
        rows = list(reader)
    folder = manifests[0].parent
    listed = {r["file"] for r in rows}
    assert listed == {p.name for p in folder.iterdir() if p.suffix in DOC_SUFFIXES}
    for row in rows:
        rel = (folder / row["file"]).relative_to(CORPUS).as_posix()
        assert not (CORPUS / (rel + ".json")).exists(), "manifest folder must not have sidecars"
        if row["published_date"]:
            date.fromisoformat(row["published_date"])
        if row["validity"]:
            assert row["validity"] == EXPECTED[rel]["validity"]
        if row["interprets"]:
            policy = EXPECTED[rel]["interprets"]
            assert EXPECTED[policy]["doc_number"] == row["interprets"]


def test_header_only_doc_numbers() -> None:
    """Two DOCX files carry the 发文字号 only in the page header (for header extraction)."""
    header_only = []
    for rel, entry in EXPECTED.items():
        if entry["format"] != "docx" or not entry["doc_number"]:
            continue
        body, header = _docx_parts(CORPUS / rel)
        if entry["doc_number"] in header and entry["doc_number"] not in body:
            header_only.append(rel)
    assert len(header_only) >= 2


def test_messy_pdfs_have_page_furniture() -> None:
    messy = 0
    for rel, entry in EXPECTED.items():
        if entry["format"] != "pdf":
            continue
        pages = [p.extract_text() or "" for p in PdfReader(CORPUS / rel).pages]
        if len(pages) > 1 and all(f"- {i} -" in t for i, t in enumerate(pages, 1)):
            messy += 1
    assert messy >= 2


@pytest.mark.slow
def test_generator_reproduces_committed_corpus(tmp_path: Path) -> None:
    """Regenerating gives the committed bytes: the sources, not the outputs, are the truth."""
    generator = _load_generator()
    generator.write_corpus(tmp_path)
    produced = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix != ".py" and "source" not in p.relative_to(CORPUS).parts and "__pycache__" not in p.parts
    )
    assert produced == committed
    for rel in produced:
        new, old = (tmp_path / rel).read_bytes(), (CORPUS / rel).read_bytes()
        if rel.endswith(".pdf") and new != old:
            # another reportlab version may lay bytes out differently; the text must still agree
            assert _pdf_text(tmp_path / rel) == _pdf_text(CORPUS / rel), rel
        else:
            assert new == old, rel
