"""Format sniffing and every reader, on fixture files built in tmp_path; hostile files too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from indexer.cleanup import clean_text
from indexer.config import Config
from indexer.errors import ExtractionError, SkippedFile, UnsupportedFormat
from indexer.extract import GLYPH_GARBAGE, NO_TEXT, NO_TEXT_LAYER, RawText, extract, glyph_garbage_ratio, sniff_format
from indexer.extract.legacy import NO_SOFFICE_REASON
from indexer.extract.text import rtf_to_text, strip_markdown
from tests.fixtures.builders import (
    build_docx,
    build_html,
    build_pdf,
    build_plain_zip,
    build_rtf,
    build_scanned_pdf,
    build_text,
    build_word2003xml,
    build_zip_bomb_docx,
)

TITLE = "关于印发明溪县促进房地产市场平稳健康发展若干措施的通知"
DOC_NUMBER = "明政规〔2022〕6号"
BODY = "为深入贯彻落实党中央、国务院关于房地产工作的决策部署，结合实际提出如下措施。"


@pytest.fixture
def config() -> Config:
    return Config()


# --- sniffing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.doc", b"%PDF-1.7\n", "pdf"),
        ("a.pdf", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "doc"),
        ("a.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "doc"),
        ("a.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "wps"),
        ("a.doc", b"{\\rtf1\\ansi hello}", "rtf"),
        ("a.doc", b'<?xml version="1.0"?><?mso-application progid="Word.Document"?>'
                  b'<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml">', "word2003xml"),
        ("a.doc", b"<!DOCTYPE html><html><head><title>x</title>", "html"),
        ("a.doc", b"\n\n<html lang='zh'><body>", "html"),
        ("a.txt", b"\xef\xbb\xbf<!-- saved --><HTML><BODY>", "html"),
        ("a.html", b'<SCRIPT LANGUAGE="JavaScript">\n var htm = "./zcfg/";', "html"),
        ("a.txt", "纯文本文件".encode("utf-8"), "text"),
        ("a.txt", "纯文本文件".encode("gbk"), "text"),
        ("a.txt", "\ufeff纯文本".encode("utf-16"), "text"),
        ("a.txt", "plain ascii".encode("utf-16-le"), "text"),
        ("a.md", "# 标题\n\n正文".encode("utf-8"), "markdown"),
        ("a.txt", "---\n前言\n<!-- INFO END -->\n正文".encode("utf-8"), "markdown"),
    ],
)
def test_sniff_format_from_bytes(tmp_path: Path, name: str, head: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(head)
    assert sniff_format(path) == expected
    assert sniff_format(path, head) == expected


def test_sniff_docx_saved_as_doc(tmp_path: Path) -> None:
    assert sniff_format(build_docx(tmp_path / "real.doc", [BODY])) == "docx"


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary data"),
        (b'<?xml version="1.0"?><root/>', "XML"),
    ],
)
def test_sniff_rejects_other_formats(tmp_path: Path, head: bytes, reason: str) -> None:
    path = tmp_path / "x.doc"
    path.write_bytes(head)
    with pytest.raises(UnsupportedFormat, match=reason):
        sniff_format(path)


def test_zip_that_is_not_docx_is_unsupported(tmp_path: Path, config: Config) -> None:
    path = build_plain_zip(tmp_path / "notword.docx")
    with pytest.raises(UnsupportedFormat, match="not a DOCX") as info:
        extract(path, config)
    assert info.value.path == str(path)


@pytest.mark.parametrize("payload", [b"this is plain text, not a zip archive", "中文说明".encode("gbk")])
def test_non_zip_named_docx_is_read_for_what_it_is(tmp_path: Path, config: Config, payload: bytes) -> None:
    # The name lies; the bytes are text, so we read them as text rather than fail on "bad zip".
    path = tmp_path / "fake.docx"
    path.write_bytes(payload)
    raw = extract(path, config)
    assert raw.format == "text"
    assert raw.text == payload.decode("utf-8" if payload.isascii() else "gbk")


def test_truncated_zip_named_docx_gives_clear_reason(tmp_path: Path, config: Config) -> None:
    good = build_docx(tmp_path / "good.docx", [BODY] * 50).read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(ExtractionError, match="ZIP"):
        extract(path, config)


# --- PDF ---------------------------------------------------------------------------------


def test_pdf_cjk_pages_separated_by_form_feed(tmp_path: Path, config: Config) -> None:
    path = build_pdf(tmp_path / "a.pdf", [["- 1 -", DOC_NUMBER, TITLE, BODY], ["- 2 -", "（此件主动公开）"]])
    raw = extract(path, config)
    assert raw.format == "pdf"
    assert raw.pages == 2
    assert raw.warnings == []
    first, second = raw.text.split("\f")
    assert TITLE in first and DOC_NUMBER in first
    assert "（此件主动公开）" in second
    assert clean_text(raw.text, source_format="pdf").split("\n") == [DOC_NUMBER, TITLE, BODY, "（此件主动公开）"]


def test_pdf_spaced_out_text_is_cleaned(tmp_path: Path, config: Config) -> None:
    spaced = ["明 政 规〔2 02 2〕6 号", "关 于印 发明 溪 县 促 进 房 地 产 市 场 的 通 知", "2 02 2 年 1 1 月 2 6 日"]
    raw = extract(build_pdf(tmp_path / "spaced.pdf", [spaced]), config)
    cleaned = clean_text(raw.text, source_format="pdf")
    assert cleaned.split("\n") == ["明政规〔2022〕6号", "关于印发明溪县促进房地产市场的通知", "2022年11月26日"]


def test_pdf_info_title_is_a_hint(tmp_path: Path, config: Config) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "info.pdf"
    c = canvas.Canvas(str(path))
    c.setTitle(TITLE)
    c.drawString(72, 720, "Some text on the page for the text layer")
    c.showPage()
    c.save()
    assert extract(path, config).hints["title"] == TITLE


def test_scanned_pdf_has_no_text_layer(tmp_path: Path, config: Config) -> None:
    raw = extract(build_scanned_pdf(tmp_path / "scan.pdf", pages=3), config)
    assert raw == RawText(text="", format="pdf", pages=3, warnings=[NO_TEXT_LAYER], hints=raw.hints)


@pytest.mark.parametrize(
    "lines",
    [
        ["/G21/G22/G23/G24/G25/G26/G27/G28/G29/G2A/G2B/G2C", "/G2D/G2E/G21/G21/G22 /G23/G2F/G30/G31/G32"],
        ["(cid:123)(cid:456)(cid:789)(cid:12)(cid:34)", "(cid:56)(cid:78)(cid:90)(cid:11)"],
    ],
)
def test_glyph_garbage_pdf_gives_no_text(tmp_path: Path, config: Config, lines: list[str]) -> None:
    raw = extract(build_pdf(tmp_path / "garbage.pdf", [lines * 5], font="Helvetica"), config)
    assert raw.text == ""
    assert raw.warnings == [GLYPH_GARBAGE]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("北京市人民政府关于印发的通知", 0.0, 0.0),
        ("/G21/G22/G23", 1.0, 1.0),
        ("(cid:1)(cid:2)", 1.0, 1.0),
        ("\ue000\ue001\ue002正文", 0.5, 0.7),
        ("\ufffd\ufffd\ufffd\ufffd", 1.0, 1.0),
        ("תᑄ൧ᇾܵࣁࠒ܄ٜ", 1.0, 1.0),
        ("", 0.0, 0.0),
    ],
)
def test_glyph_garbage_ratio(text: str, low: float, high: float) -> None:
    assert low <= glyph_garbage_ratio(text) <= high


def test_garbled_letterhead_line_is_dropped(tmp_path: Path) -> None:
    from indexer.extract.pdf import drop_garbled_lines

    text, dropped = drop_garbled_lines("תᑄ൧ᇾܵࣁࠒ܄ٜ\n东公积金委〔2020〕2号\f正文")
    assert (text, dropped) == ("东公积金委〔2020〕2号\f正文", 1)


def test_encrypted_pdf_with_empty_user_password_opens(tmp_path: Path, config: Config) -> None:
    raw = extract(build_pdf(tmp_path / "open.pdf", [[TITLE]], user_password=""), config)
    assert TITLE in raw.text


def test_encrypted_pdf_with_password_fails(tmp_path: Path, config: Config) -> None:
    path = build_pdf(tmp_path / "locked.pdf", [[TITLE]], user_password="secret")
    with pytest.raises(ExtractionError, match="encrypted PDF") as info:
        extract(path, config)
    assert info.value.path == str(path)
    assert type(info.value) is ExtractionError


@pytest.mark.parametrize("keep", [0.5, 0.2, 0.05])
def test_truncated_pdf_fails_with_reason(tmp_path: Path, config: Config, keep: float) -> None:
    data = build_pdf(tmp_path / "whole.pdf", [[TITLE, BODY]] * 3).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    try:
        raw = extract(path, config)
    except ExtractionError as exc:
        assert "PDF" in exc.reason
    else:
        # pypdf may rebuild the object table of a file cut after its pages; then it must warn or give text.
        assert raw.text or raw.warnings


def test_garbage_bytes_after_pdf_magic_fail(tmp_path: Path, config: Config) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    with pytest.raises(ExtractionError, match="PDF"):
        extract(path, config)


# --- DOCX and Word 2003 XML ---------------------------------------------------------------


def test_docx_body_tables_headers_footers_in_order(tmp_path: Path, config: Config) -> None:
    path = build_docx(
        tmp_path / "a.docx",
        [TITLE, BODY],
        table=[["序号", "事项"], ["1", "住房补贴"]],
        after_table=["（此件主动公开）"],
        header=DOC_NUMBER,
        footer="明溪县人民政府办公室印发",
        title="核心属性标题",
    )
    raw = extract(path, config)
    assert raw.format == "docx"
    assert raw.text.split("\n") == [DOC_NUMBER, TITLE, BODY, "序号\t事项", "1\t住房补贴", "（此件主动公开）",
                                    "明溪县人民政府办公室印发"]
    assert raw.hints["title"] == "核心属性标题"


def test_docx_saved_as_doc_is_read_as_docx(tmp_path: Path, config: Config) -> None:
    raw = extract(build_docx(tmp_path / "saved-as.doc", [TITLE]), config)
    assert (raw.format, raw.text) == ("docx", TITLE)


def test_docx_without_text_warns(tmp_path: Path, config: Config) -> None:
    raw = extract(build_docx(tmp_path / "empty.docx", []), config)
    assert raw.text.strip() == ""
    assert raw.warnings == [NO_TEXT]


def test_zip_bomb_docx_is_refused_before_inflating(tmp_path: Path, config: Config) -> None:
    path = build_zip_bomb_docx(tmp_path / "bomb.docx", inflated_mb=20)
    assert path.stat().st_size < 200_000
    with pytest.raises(ExtractionError, match="zip bomb"):
        extract(path, config)


def test_zip_bomb_total_size_limit(tmp_path: Path) -> None:
    from indexer.extract.docx import check_zip

    path = build_docx(tmp_path / "a.docx", [BODY])
    check_zip(path, 10_000_000)
    with pytest.raises(ExtractionError, match="uncompressed"):
        check_zip(path, 1_000)


def test_word2003xml_saved_as_doc(tmp_path: Path, config: Config) -> None:
    path = build_word2003xml(tmp_path / "w2003.doc", [DOC_NUMBER, TITLE, BODY], title=TITLE)
    raw = extract(path, config)
    assert raw.format == "word2003xml"
    assert raw.text.split("\n") == [DOC_NUMBER, TITLE, BODY]
    assert raw.hints["title"] == TITLE


def test_malformed_word2003xml_fails(tmp_path: Path, config: Config) -> None:
    path = build_word2003xml(tmp_path / "w.doc", [TITLE])
    path.write_text(path.read_text(encoding="utf-8")[:-30], encoding="utf-8")
    with pytest.raises(ExtractionError, match="Word 2003 XML"):
        extract(path, config)


# --- legacy .doc/.wps -------------------------------------------------------------------------


def test_legacy_doc_without_soffice_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    config = Config(soffice="/nonexistent/soffice")
    with pytest.raises(SkippedFile) as info:
        extract(path, config)
    assert info.value.reason == NO_SOFFICE_REASON


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize("suffix", [".doc", ".docx"])
def test_legacy_doc_converted_by_soffice(tmp_path: Path, config: Config, suffix: str) -> None:
    source = build_docx(tmp_path / "src.docx", [DOC_NUMBER, TITLE, BODY])
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "doc", "--outdir", str(tmp_path / "out"), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    binary = (tmp_path / "out" / "src.doc").rename(tmp_path / f"legacy{suffix}")  # .docx: binary Word misnamed
    assert binary.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    raw = extract(binary, config)
    assert raw.format == "doc"
    assert raw.text.split("\n") == [DOC_NUMBER, TITLE, BODY]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_legacy_unconvertible_ole_file_fails_with_reason(tmp_path: Path, config: Config) -> None:
    path = tmp_path / "junk.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 4000)
    with pytest.raises(ExtractionError, match="LibreOffice"):
        extract(path, config)


# --- HTML ---------------------------------------------------------------------------------------


def test_html_article_from_cms_container_with_meta_hints(tmp_path: Path, config: Config) -> None:
    path = build_html(
        tmp_path / "page.html",
        [DOC_NUMBER, BODY, "（此件主动公开）"],
        meta={"ArticleTitle": TITLE, "PubDate": "2022-11-28 09:30", "ContentSource": "明溪县人民政府",
              "Url": "http://www.mingxi.gov.cn/zwgk/1.htm"},
        title=f"{TITLE}_明溪县人民政府",
    )
    raw = extract(path, config)
    assert raw.format == "html"
    assert raw.text.split("\n") == [TITLE, DOC_NUMBER, BODY, "（此件主动公开）"]
    assert raw.hints["title"] == TITLE
    assert raw.hints["published_date"] == "2022-11-28"
    assert raw.hints["source"] == "明溪县人民政府"
    assert raw.hints["url"] == "http://www.mingxi.gov.cn/zwgk/1.htm"


@pytest.mark.parametrize("container", ['id="UCAP-CONTENT"', 'id="zoom"', 'class="pages_content"', 'class="article"'])
def test_html_known_containers(tmp_path: Path, config: Config, container: str) -> None:
    raw = extract(build_html(tmp_path / "p.html", [BODY, BODY + "二"], container=container), config)
    assert raw.text.split("\n") == [BODY, BODY + "二"]


def test_html_density_fallback_drops_navigation(tmp_path: Path, config: Config) -> None:
    paragraphs = [BODY, "一、适用范围。本措施适用于本县城市规划区。", "二、补贴标准。每平方米补贴一百五十元。"]
    raw = extract(build_html(tmp_path / "p.html", paragraphs, container='class="wrapper"'), config)
    assert raw.text.split("\n") == paragraphs
    assert "栏目导航" not in raw.text and "统计代码" not in raw.text and "ICP" not in raw.text


def test_html_gbk_page_saved_as_doc(tmp_path: Path, config: Config) -> None:
    raw = extract(build_html(tmp_path / "page.doc", [BODY], encoding="gbk"), config)
    assert (raw.format, raw.text) == ("html", BODY)


# --- text, Markdown, RTF --------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_text_encodings(tmp_path: Path, config: Config, encoding: str) -> None:
    text = f"{TITLE}\n{DOC_NUMBER}\n{BODY}\nASCII line 123\n"
    raw = extract(build_text(tmp_path / "t.txt", text, encoding), config)
    assert raw.format == "text"
    assert raw.text.lstrip("\ufeff") == text


def test_undecodable_text_is_reported(tmp_path: Path, config: Config) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"abc \x80\xff\xfe\x81\x30 def" * 3)
    with pytest.raises(ExtractionError, match="undecodable"):
        extract(path, config)


def test_markdown_strips_markup_keeps_headings(tmp_path: Path, config: Config) -> None:
    md = "# 中华人民共和国某法\n\n## 第一章 总则\n\n第一条 **为了** 规范[管理](http://x)，制定本法。\n\n- 条目\n"
    raw = extract(build_text(tmp_path / "law.md", md), config)
    assert raw.format == "markdown"
    lines = [line for line in raw.text.split("\n") if line.strip()]
    assert lines == ["中华人民共和国某法", "第一章 总则", "第一条 为了 规范管理，制定本法。", "条目"]
    assert raw.hints["title"] == "中华人民共和国某法"


def test_lawrefbook_preamble_goes_to_hints(tmp_path: Path, config: Config) -> None:
    md = (
        "---\nbookHidden: true\n---\n\n# 某市文明行为促进条例\n\n2021年11月1日 施行\n\n"
        "<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了培育和践行社会主义核心价值观，制定本条例。\n"
    )
    raw = extract(build_text(tmp_path / "law.md", md), config)
    assert "施行" not in raw.text and "bookHidden" not in raw.text
    assert "第一条 为了培育和践行社会主义核心价值观，制定本条例。" in raw.text
    assert raw.hints["preamble"].split("\n")[0] == "某市文明行为促进条例"
    assert "2021年11月1日 施行" in raw.hints["preamble"]
    assert raw.hints["title"] == "某市文明行为促进条例"


@pytest.mark.parametrize(
    ("md", "expected"),
    [
        ("### 标题 ###", "标题"),
        ("> 引用", "引用"),
        ("![图](a.png)", "图"),
        ("`code`", "code"),
        ("*斜体*", "斜体"),
        ("| 甲 | 乙 |\n|---|---|\n| 1 | 2 |", "甲\t乙\n\n1\t2"),
        ("正文<!-- 注释 -->", "正文"),
    ],
)
def test_strip_markdown(md: str, expected: str) -> None:
    assert strip_markdown(md) == expected


def test_rtf_with_unicode_escapes(tmp_path: Path, config: Config) -> None:
    raw = extract(build_rtf(tmp_path / "a.doc", [DOC_NUMBER, TITLE]), config)
    assert raw.format == "rtf"
    assert [line for line in raw.text.split("\n") if line] == [DOC_NUMBER, TITLE]


def test_rtf_hex_escapes_in_ansi_code_page() -> None:
    gbk = "".join(f"\\'{b:02x}" for b in "通知".encode("gbk"))
    assert rtf_to_text("{\\rtf1\\ansi\\ansicpg936{\\fonttbl{\\f0 SimSun;}}" + gbk + "\\par}") == "通知\n"


# --- limits and empty files --------------------------------------------------------------------------


def test_empty_file(tmp_path: Path, config: Config) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(ExtractionError, match="empty file") as info:
        extract(path, config)
    assert info.value.path == str(path)


def test_missing_file(tmp_path: Path, config: Config) -> None:
    with pytest.raises(ExtractionError, match="cannot read"):
        extract(tmp_path / "nope.pdf", config)


def test_oversize_file_is_skipped_with_size(tmp_path: Path) -> None:
    path = build_text(tmp_path / "big.txt", "正文" * 1000)
    with pytest.raises(SkippedFile, match="6000 bytes, over the limit of 5000") as info:
        extract(path, Config(max_file_bytes=5000))
    assert info.value.path == str(path)


def test_long_text_is_cut_with_warning(tmp_path: Path) -> None:
    path = build_text(tmp_path / "long.txt", "正文" * 1000)
    raw = extract(path, Config(max_chars=150))
    assert raw.text == "正文" * 75
    assert raw.warnings == ["text cut at 150 characters"]
