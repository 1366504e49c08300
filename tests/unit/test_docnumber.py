"""发文字号 parsing, canonicalisation and finding in running text."""

from __future__ import annotations

import pytest

from indexer.docnumber import DocNumber, find_doc_numbers, normalize_doc_number, parse_doc_number


@pytest.mark.parametrize(
    "text",
    [
        "国办发〔2024〕12号",
        "国办发[2024]12号",
        "国办发［2024］12号",
        "国办发(2024)12号",
        "国办发（2024）12号",
        "国办发【2024】12号",
        "国办发〈2024〉12号",
        "国办发2024年12号",
        "国办发2024 12号",
        "国办发 2024 12 号",
        "国办发〔2024〕第12号",
        "国办发（2024）第12号",
        "国办发 〔 2024 〕 12 号",
        "国办发［２０２４］１２号",
        "国办发〔2024〕012号",
        "国办发2024-12号",
        " 国办发〔2024〕12号。",
    ],
)
def test_spellings_of_one_number(text: str) -> None:
    assert parse_doc_number(text) == DocNumber("国办发", 2024, "12")
    assert normalize_doc_number(text) == "国办发〔2024〕12号"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("明政规〔2022〕6号", "明政规〔2022〕6号"),
        ("法释〔2020〕17号", "法释〔2020〕17号"),
        ("发改能源[2026]979号", "发改能源〔2026〕979号"),
        ("宁房市字〔2017〕108 号", "宁房市字〔2017〕108号"),
        ("明 政 规〔2022〕6 号", "明政规〔2022〕6号"),
        ("国务院令第696号", "国务院令第696号"),
        ("国令第842号", "国令第842号"),
        ("国务院令 第 696 号", "国务院令第696号"),
        ("重庆市人民政府令第 361 号", "重庆市人民政府令第361号"),
        ("北京市人民政府第307号令", "北京市人民政府令第307号"),
        ("中华人民共和国主席令第六十九号", "中华人民共和国主席令第69号"),
        ("主席令第三十一号", "主席令第31号"),
    ],
)
def test_canonical_forms(text: str, canonical: str) -> None:
    assert normalize_doc_number(text) == canonical


def test_order_has_no_year() -> None:
    number = parse_doc_number("国务院令第696号")
    assert number is not None
    assert number.year is None and number.prefix == "国务院令" and number.serial == "696"
    assert str(number) == "国务院令第696号"


@pytest.mark.parametrize(
    "text",
    ["", "hello", "2022年11月26日", "第12号", "〔2024〕12号", "国办发", "国办发〔2024〕", "关于印发办法的通知", "国办发〔2024〕0号"],
)
def test_not_doc_numbers(text: str) -> None:
    assert parse_doc_number(text) is None
    assert normalize_doc_number(text) is None


def test_find_in_running_text_with_spans() -> None:
    text = "根据《关于X的通知》（国发〔2019〕5号）和按照国办发〔2020〕1号文件，执行国务院令第696号。"
    found = find_doc_numbers(text)
    assert [n.canonical for n, _, _ in found] == ["国发〔2019〕5号", "国办发〔2020〕1号", "国务院令第696号"]
    assert [text[s:e] for _, s, e in found] == ["国发〔2019〕5号", "国办发〔2020〕1号", "国务院令第696号"]


def test_find_number_wrapped_over_lines_and_order_suffix_form() -> None:
    text = "（2022年12月23日北京市人民政府第 307 号令公布）\n按《意见》（榕政办\n〔2016〕180 号）执行"
    found = find_doc_numbers(text)
    assert [n.canonical for n, _, _ in found] == ["北京市人民政府令第307号", "榕政办〔2016〕180号"]
    assert text[found[0][1] : found[0][2]] == "北京市人民政府第 307 号令"


def test_find_ignores_dates_and_bare_years() -> None:
    assert find_doc_numbers("2022年11月26日印发，共12号文件，2024年12号台风") == []


def test_find_handles_full_width_digits_offsets() -> None:
    text = "见京政发［２０２３］３号"
    [(number, start, end)] = find_doc_numbers(text)
    assert number.canonical == "京政发〔2023〕3号"
    assert text[start:end] == "京政发［２０２３］３号"
