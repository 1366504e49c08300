"""Sidecar overrides: <file>.json, <stem>.json and manifest.csv rows, with validation."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from indexer.errors import ExtractionError, InvalidParameter
from indexer.models import DocMeta
from indexer.sidecar import apply_overrides, load_sidecar


@pytest.fixture()
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    return path


def test_no_sidecar(doc: Path) -> None:
    assert load_sidecar(doc) == {}


def test_json_beside_file(doc: Path) -> None:
    (doc.parent / "a.pdf.json").write_text(json.dumps({"index_no": "000014349/2024-00012", "topic": "城乡建设"}), encoding="utf-8")
    assert load_sidecar(doc) == {"index_no": "000014349/2024-00012", "topic": "城乡建设"}


def test_stem_json_accepted(doc: Path) -> None:
    (doc.parent / "a.json").write_text('{"region": "福建省"}', encoding="utf-8")
    assert load_sidecar(doc) == {"region": "福建省"}


def test_manifest_row_and_json_wins(doc: Path) -> None:
    (doc.parent / "manifest.csv").write_text(
        "filename,topic,published_date,issuer\nother.pdf,别的,2020-01-01,\na.pdf,住房保障,2024-05-01,财政部、国家税务总局\n",
        encoding="utf-8",
    )
    assert load_sidecar(doc) == {"topic": "住房保障", "published_date": "2024-05-01", "issuer": "财政部、国家税务总局"}
    (doc.parent / "a.pdf.json").write_text('{"topic": "财政"}', encoding="utf-8")
    assert load_sidecar(doc)["topic"] == "财政"


def test_manifest_file_column_with_subpath(doc: Path) -> None:
    (doc.parent / "manifest.csv").write_text("file,validity\nsub/a.pdf,现行有效\n", encoding="utf-8-sig")
    assert load_sidecar(doc) == {"validity": "现行有效"}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("a.pdf.json", "{not json", "invalid JSON"),
        ("a.pdf.json", "[1, 2]", "JSON object"),
        ("manifest.csv", "name,topic\na.pdf,x\n", "'file' or 'filename' column"),
    ],
)
def test_bad_sidecars_raise(doc: Path, name: str, content: str, reason: str) -> None:
    sidecar = doc.parent / name
    sidecar.write_text(content, encoding="utf-8")
    with pytest.raises(ExtractionError) as info:
        load_sidecar(doc)
    assert info.value.path == str(sidecar)
    assert reason in info.value.reason


def test_non_utf8_sidecar(doc: Path) -> None:
    (doc.parent / "a.pdf.json").write_bytes('{"topic": "城乡建设"}'.encode("gbk"))
    with pytest.raises(ExtractionError, match="UTF-8"):
        load_sidecar(doc)


def test_apply_overrides_converts_and_validates() -> None:
    meta = DocMeta(title="原标题", issuer=["甲局"], doc_type="通知")
    out = apply_overrides(
        meta,
        {
            "title": "新标题",
            "doc_number": "国办发[2024]12号",
            "issuer": "财政部、国家税务总局",
            "written_date": "二〇二四年三月一日",
            "published_date": "2024-03-05",
            "validity": "现行有效",
            "url": "https://www.gov.cn/zhengce/a.htm",
            "interprets": "国办发〔2024〕12号",
            "region": "全国",
            "index_no": "000014349/2024-00012",
            "topic": "财政",
        },
    )
    assert out.title == "新标题" and out.doc_number == "国办发〔2024〕12号"
    assert out.issuer == ["财政部", "国家税务总局"]
    assert out.written_date == date(2024, 3, 1) and out.published_date == date(2024, 3, 5)
    assert out.validity == "现行有效" and out.interprets == "国办发〔2024〕12号"
    assert meta.title == "原标题" and meta.issuer == ["甲局"]  # the input is not changed
    assert out.issuer is not meta.issuer


def test_issuer_list_and_doc_type_interpretation() -> None:
    out = apply_overrides(DocMeta(), {"issuer": ["国务院", " 国务院办公厅 "], "doc_type": "解读"})
    assert out.issuer == ["国务院", "国务院办公厅"]
    assert out.is_interpretation


@pytest.mark.parametrize(
    ("overrides", "name"),
    [
        ({"written_date": "去年"}, "written_date"),
        ({"published_date": "2024-13-40"}, "published_date"),
        ({"validity": "有效"}, "validity"),
        ({"publicity": "公开"}, "publicity"),
        ({"issuer": 5}, "issuer"),
        ({"title": ["a"]}, "title"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"colour": "red"}, "colour"),
        ({"is_interpretation": "maybe"}, "is_interpretation"),
    ],
)
def test_bad_values_raise_invalid_parameter(overrides: dict, name: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        apply_overrides(DocMeta(), overrides)
    assert info.value.name == name


def test_sidecar_stamp_from_a_folder_listing_is_the_stamp_from_stat(tmp_path: Path) -> None:
    from indexer.ingest import folder_names, sidecar_stamp

    for name in ("a.pdf", "b.docx", "noext", "c.tar.gz"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "a.pdf.json").write_text("{}")
    (tmp_path / "b.json").write_text("{}")
    (tmp_path / "noext.json").write_text("{}")
    (tmp_path / "manifest.csv").write_text("path,title\n")
    names = folder_names(tmp_path)
    assert names is not None
    for name in ("a.pdf", "b.docx", "noext", "c.tar.gz"):
        path = tmp_path / name
        assert sidecar_stamp(path, names) == sidecar_stamp(path)
    assert sidecar_stamp(tmp_path / "a.pdf").startswith("a.pdf.json:")
    assert "b.json:" in sidecar_stamp(tmp_path / "b.docx")
    assert sidecar_stamp(tmp_path / "c.tar.gz", frozenset()) == ""  # nothing listed, nothing looked for
    assert folder_names(tmp_path / "missing") is None


def test_a_listing_does_not_rule_out_a_sidecar_that_differs_in_case(tmp_path: Path) -> None:
    from indexer.ingest import folder_names, sidecar_stamp

    (tmp_path / "a.pdf").write_bytes(b"x")
    (tmp_path / "A.PDF.JSON").write_text("{}")
    (tmp_path / "Manifest.csv").write_text("path\n")
    names = folder_names(tmp_path)
    assert names is not None and "a.pdf.json" in names and "manifest.csv" in names
    # a case-sensitive file system finds neither by stat; one that ignores case finds both:
    # either way the listing gives what stat alone gives
    assert sidecar_stamp(tmp_path / "a.pdf", names) == sidecar_stamp(tmp_path / "a.pdf")
