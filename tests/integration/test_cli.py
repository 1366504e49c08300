"""The govsearch command through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from indexer.cli import main

from .docs_factory import small_corpus


def _index(runner: CliRunner, tmp_path: Path, *extra: str) -> object:
    small_corpus(tmp_path / "docs")
    return runner.invoke(main, ["index", str(tmp_path / "docs"), "--index", str(tmp_path / "ix"), "--workers", "1", *extra])


def test_index_prints_a_summary_and_rerun_is_unchanged(runner: CliRunner, tmp_path: Path) -> None:
    first = _index(runner, tmp_path)
    assert first.exit_code == 0, first.output
    assert "added 4" in first.output and "failed 0" in first.output
    second = runner.invoke(main, ["index", str(tmp_path / "docs"), "--index", str(tmp_path / "ix"), "--json"])
    summary = json.loads(second.output)
    assert summary["unchanged"] == 4 and summary["files_read"] == 0


def test_failed_files_are_listed_with_reason_and_exit_zero(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "bad.pdf").write_bytes(b"%PDF-1.7 nothing")
    result = _index(runner, tmp_path)
    assert result.exit_code == 0
    assert f"failed   {tmp_path / 'docs' / 'bad.pdf'}:" in result.output


def test_strict_exits_nonzero_naming_the_file(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "bad.pdf").write_bytes(b"%PDF-1.7 nothing")
    result = _index(runner, tmp_path, "--strict")
    assert result.exit_code == 2
    assert "bad.pdf" in result.output


def test_search_json_shape(runner: CliRunner, tmp_path: Path) -> None:
    _index(runner, tmp_path)
    result = runner.invoke(main, ["search", "公积金 房租", "--index", str(tmp_path / "ix"), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["total"] == 1
    hit = payload["hits"][0]
    assert {"id", "path", "title", "doc_number", "issuer", "written_date", "doc_type", "score", "snippet"} <= set(hit)
    assert hit["path"] == str(tmp_path / "docs" / "fund.txt")
    assert hit["doc_number"] == "示公积金发〔2023〕5号"


def test_search_filter_and_env_index(runner: CliRunner, tmp_path: Path) -> None:
    _index(runner, tmp_path)
    env = {"GOVSEARCH_INDEX": str(tmp_path / "ix")}
    result = runner.invoke(main, ["search", "", "--filter", "year=2019", "--json"], env=env)
    assert [h["doc_number"] for h in json.loads(result.output)["hits"]] == ["示人社规〔2019〕7号"]
    bad = runner.invoke(main, ["search", "x", "--filter", "colour=red"], env=env)
    assert bad.exit_code == 2 and "--filter" in bad.output


def test_show_and_stats(runner: CliRunner, tmp_path: Path) -> None:
    _index(runner, tmp_path)
    hit = json.loads(runner.invoke(main, ["search", "房租", "--index", str(tmp_path / "ix"), "--json"]).output)["hits"][0]
    shown = runner.invoke(main, ["show", hit["id"], "--index", str(tmp_path / "ix")])
    assert shown.exit_code == 0 and "发文字号：示公积金发〔2023〕5号" in shown.output
    missing = runner.invoke(main, ["show", "0000", "--index", str(tmp_path / "ix")])
    assert missing.exit_code == 1 and "no document with id" in missing.output
    stats = json.loads(runner.invoke(main, ["stats", "--index", str(tmp_path / "ix"), "--json"]).output)
    assert stats["documents"] == 4


def test_search_without_index_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["search", "x", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no index here yet" in result.output


def test_import_records(runner: CliRunner, tmp_path: Path) -> None:
    records = tmp_path / "cms.jsonl"
    records.write_text(
        json.dumps({"title": "示例市关于养老服务补贴的通知", "text": "对八十周岁以上老人发放养老服务补贴。", "url": "https://example.gov/1", "topic": "民政"}, ensure_ascii=False)
        + "\nnot json\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["import", str(records), "--index", str(tmp_path / "ix"), "--json"])
    summary = json.loads(result.output)
    assert summary["added"] == 1
    assert summary["failed"][0]["path"].endswith("cms.jsonl:2")
    found = json.loads(runner.invoke(main, ["search", "养老服务补贴", "--index", str(tmp_path / "ix"), "--json"]).output)
    assert found["total"] == 1


def test_import_a_record_with_a_lone_surrogate(runner: CliRunner, tmp_path: Path) -> None:
    # JSON may escape half a UTF-16 pair ("\ud800"); such a string cannot become UTF-8
    records = tmp_path / "cms.jsonl"
    records.write_text('{"title": "示例市关于医疗救助的通知", "text": "困难群众医疗救助\\ud800标准提高。", "url": "https://example.gov/2"}\n',
                       encoding="utf-8")
    result = runner.invoke(main, ["import", str(records), "--index", str(tmp_path / "ix"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["added"] == 1
    found = json.loads(runner.invoke(main, ["search", "医疗救助", "--index", str(tmp_path / "ix"), "--json"]).output)
    assert found["total"] == 1 and "\ufffd" in runner.invoke(main, ["show", found["hits"][0]["id"], "--index", str(tmp_path / "ix"), "--full"]).output
