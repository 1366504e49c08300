"""Cleanup rules, one table each, then clean_text on PDF-shaped input."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from indexer.cleanup import (
    clean_text,
    display_width,
    drop_page_numbers,
    drop_repeated_edges,
    ends_sentence,
    is_page_number,
    join_wrapped_lines,
    normalize_line_endings,
    normalize_whitespace,
    remove_spurious_spaces,
    starts_new_block,
    to_halfwidth,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\u2028b\u2029c", "a\nb\nc"),
        ("page1\fpage2", "page1\fpage2"),
    ],
)
def test_normalize_line_endings(raw: str, expected: str) -> None:
    assert normalize_line_endings(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("第一条\u3000为了", "第一条 为了"),
        ("a\xa0b", "a b"),
        ("通\u200b知\ufeff", "通知"),
        ("soft\u00adhyphen", "softhyphen"),
        ("bell\x07", "bell"),
        ("cell\tcell", "cell\tcell"),
        ("keep\nlines\fpages", "keep\nlines\fpages"),
    ],
)
def test_normalize_whitespace(raw: str, expected: str) -> None:
    assert normalize_whitespace(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３ｘｙｚ", "ABC123xyz"),
        ("２０２２年", "2022年"),
        ("\u3000", " "),
        ("，。：；（）〔〕《》！？", "，。：；（）〔〕《》！？"),
        ("Ｗｏｒｄ文档", "Word文档"),
    ],
)
def test_to_halfwidth(raw: str, expected: str) -> None:
    assert to_halfwidth(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("关 于印 发明 溪 县", "关于印发明溪县"),
        ("明 政 规〔2 02 2〕6 号", "明政规〔2022〕6号"),
        ("2 022 年 1 1 月", "2022年11月"),
        ("2 02 2 年 1 1 月 2 6 日", "2022年11月26日"),
        ("达市府办发〔2022〕25 号", "达市府办发〔2022〕25号"),
        ("宜公积金委〔2022 〕5 号", "宜公积金委〔2022〕5号"),
        ("长 金 管 委 〔2022 〕 3 号", "长金管委〔2022〕3号"),
        ("留存公积金贷款1 2个月", "留存公积金贷款12个月"),
        ("调整为4 0%", "调整为40%"),
        ("各 乡 （ 镇 ） 人 民 政 府 ，", "各乡（镇）人民政府，"),
        ("通知如下 :", "通知如下:"),
        ("Beijing Municipal Government", "Beijing Municipal Government"),
        ("使用 Word 文档", "使用 Word 文档"),
        ("62860608、62880288 62881144（24小时电话）", "62860608、62880288 62881144（24小时电话）"),
        ("第一条  为了规范", "第一条 为了规范"),
        ("第 一 章 总 则", "第一章 总则"),
        ("  many   spaces  ", "many spaces"),
        ("姓名\t工作 单位", "姓名 工作单位"),
    ],
)
def test_remove_spurious_spaces(raw: str, expected: str) -> None:
    assert remove_spurious_spaces(raw) == expected


@pytest.mark.parametrize(
    ("line", "at_edge", "expected"),
    [
        ("- 1 -", False, True),
        ("— 3 —", False, True),
        ("－2－", False, True),
        ("—12—", False, True),
        ("第 3 页 共 10 页", False, True),
        ("第3页", False, True),
        ("共10页 第3页", False, True),
        ("3/10", False, True),
        ("Page 2 of 9", False, True),
        ("7", True, True),
        ("7", False, False),
        ("2022", True, True),
        ("一、总体要求", True, False),
        ("2022年4月28日", True, False),
        ("-87001", False, False),
        ("", True, False),
    ],
)
def test_is_page_number(line: str, at_edge: bool, expected: bool) -> None:
    assert is_page_number(line, at_edge=at_edge) is expected


def test_drop_page_numbers_bare_numbers_only_at_edges() -> None:
    page = ["3", "第一条 内容", "12", "第二条 内容", "4"]
    assert drop_page_numbers(page) == ["第一条 内容", "12", "第二条 内容"]


def test_drop_repeated_edges_removes_running_header_and_footer() -> None:
    bodies = [["第一条 总则内容", "适用范围"], ["第二条 职责", "分工"], ["第三条 程序", "期限"], ["第四条 施行", "日期"]]
    pages = [["北京市人民政府规章", "X", "北京市人民政府发布", *body, f"北京市人民政府办公厅 第{i}期"] for i, body in enumerate(bodies)]
    assert drop_repeated_edges(pages) == bodies


def test_drop_repeated_edges_keeps_lines_repeating_in_the_middle_only() -> None:
    pages = [["标题一", "中间", "重复句子", "中间", "结尾一"], ["标题二", "中间", "重复句子", "中间", "结尾二"]]
    # "中间" is inside the 3-line edge zones of such short pages, so it is treated as an edge line:
    # the rule only looks at edges, and "重复句子" in the middle of longer pages survives.
    long_pages = [[f"首{i}", "a", "b", "c", "重复句子", "d", "e", "f", f"尾{i}"] for i in range(3)]
    assert all("重复句子" in page for page in drop_repeated_edges(long_pages))
    assert drop_repeated_edges([["唯一一页"]]) == [["唯一一页"]]
    assert drop_repeated_edges(pages)[0][0] == "标题一"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("一、总体要求", True),
        ("十二、附则", True),
        ("（一）适用范围", True),
        ("(三)补贴标准", True),
        ("第三条 市人民政府", True),
        ("第十二章 附则", True),
        ("1.凡在我县", True),
        ("2、职工家庭", True),
        ("1.5倍以上", False),
        ("①全日制高校毕业生", True),
        ("附件：1.申请表", True),
        ("（此件公开发布）", True),
        ("性循环，健康发展", False),
        ("第一批次项目", False),
    ],
)
def test_starts_new_block(line: str, expected: bool) -> None:
    assert starts_new_block(line) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("请认真贯彻执行。", True),
        ("各有关单位：", True),
        ("（一）首套房；", True),
        ("他说：“好。”", True),
        ("是否可行？", True),
        ("进一步规范房地产", False),
        ("坚持“房住不炒”", False),
        ("（修订）", False),
    ],
)
def test_ends_sentence(line: str, expected: bool) -> None:
    assert ends_sentence(line) is expected


def test_display_width_counts_cjk_double() -> None:
    assert display_width("ab") == 2
    assert display_width("通知") == 4
    assert display_width("（1）") == 5


FULL = "为深入贯彻落实党中央国务院关于房地产工作的决策部署坚持房住"  # a full line, no punctuation


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # wrapped mid-sentence: joined
        ([FULL, FULL, "定位，满足合理需求。"], [FULL + FULL + "定位，满足合理需求。"]),
        # sentence end: new paragraph
        ([FULL + "。", FULL, "结束。"], [FULL + "。", FULL + "结束。"]),
        # next line opens a section
        ([FULL, "一、总体要求", "（一）适用范围", "第三条 内容"], [FULL, "一、总体要求", "（一）适用范围", "第三条 内容"]),
        # a short line ends its paragraph (title, signature)
        (["达州市人民政府办公室", FULL, FULL + "。", "达州市人民政府办公室", "2022年4月28日"],
         ["达州市人民政府办公室", FULL + FULL + "。", "达州市人民政府办公室", "2022年4月28日"]),
        # one- to three-character fragments are debris of a broken line (累\n计)
        ([FULL, "累", "计" + FULL, FULL + "。"], [FULL + "累计" + FULL + FULL + "。"]),
        # a line never starts with closing punctuation
        ([FULL + "“三高四新", "”战略定位。", FULL], [FULL + "“三高四新”战略定位。", FULL]),
        # Latin words across a wrap keep a space
        (["Beijing municipal government issues the following provisions on", "housing", FULL, FULL],
         ["Beijing municipal government issues the following provisions on housing", FULL + FULL]),
        # a title at the top of the document ending in 通知 stands alone
        ([FULL + "的通知", "各县（市、区）人民政府，市级有关部门：", FULL, FULL],
         [FULL + "的通知", "各县（市、区）人民政府，市级有关部门：", FULL + FULL]),
        # the 版记 line ending in 印发 closes the body
        ([FULL + "2017年5月3日印发", FULL, FULL], [FULL + "2017年5月3日印发", FULL + FULL]),
        # a document number line stands alone, even in a document too short to measure line widths
        (["明政规〔2022〕6号", "关于印发措施的通知"], ["明政规〔2022〕6号", "关于印发措施的通知"]),
    ],
)
def test_join_wrapped_lines(lines: list[str], expected: list[str]) -> None:
    assert join_wrapped_lines(lines) == expected


PDF_RAW = (
    "北京市人民政府规章\nX\n北京市人民政府发布\n- 1 -\n"
    "明 政 规〔2 02 2〕6 号\n"
    "关 于 印 发 促 进 房 地 产 市 场 平 稳 健 康 发 展 若 干 措 施 的 通 知\n"
    "各 乡 （ 镇 ） 人 民 政 府 ：\n"
    "为深入贯彻落实党中央、国务院关于房地产工作的决策部署，坚持房\n"
    "住不炒定位，进一步规范房地产市场秩序，满足购房者合理住房需求，\n"
    "促进房地产市场良性循环，结合实际提出如下措施。\n"
    "一、居民住房消费补贴措施及标准\n"
    "本文件实施期内购房消费补贴总额不超过１０００万元。若此次消费补\f"
    "北京市人民政府规章\nX\n北京市人民政府发布\n- 2 -\n"
    "贴总额度提前发放完毕，将提前截止申报补贴，期间若停止发放，县政\n"
    "府将提前五个工作日通告。\n"
    "二、鼓励在县城购房\n"
    "在我县城市规划区范围内购买新建商品住房的，可先行办理落户手续。\n"
    "明溪县人民政府\n"
    "2 02 2 年 1 1 月 2 6 日\f"
    "北京市人民政府规章\nX\n北京市人民政府发布\n— 3 —\n"
    "（此件主动公开）\n"
)


def test_clean_text_pdf_end_to_end() -> None:
    out = clean_text(PDF_RAW, source_format="pdf").split("\n")
    assert out == [
        "明政规〔2022〕6号",
        "关于印发促进房地产市场平稳健康发展若干措施的通知",
        "各乡（镇）人民政府：",
        "为深入贯彻落实党中央、国务院关于房地产工作的决策部署，坚持房住不炒定位，"
        "进一步规范房地产市场秩序，满足购房者合理住房需求，促进房地产市场良性循环，结合实际提出如下措施。",
        "一、居民住房消费补贴措施及标准",
        "本文件实施期内购房消费补贴总额不超过1000万元。若此次消费补贴总额度提前发放完毕，"
        "将提前截止申报补贴，期间若停止发放，县政府将提前五个工作日通告。",
        "二、鼓励在县城购房",
        "在我县城市规划区范围内购买新建商品住房的，可先行办理落户手续。",
        "明溪县人民政府",
        "2022年11月26日",
        "（此件主动公开）",
    ]


def test_clean_text_keeps_paragraph_lines_of_non_layout_formats() -> None:
    raw = "第一段没有句号\r\n第二段\u3000内容\n\n\n- 2 -\n"
    assert clean_text(raw, source_format="docx") == "第一段没有句号\n第二段内容"


@pytest.mark.parametrize("raw", ["", "\f\f\f", "   \n\u3000\n", "- 1 -\f- 2 -"])
def test_clean_text_of_nothing_is_empty(raw: str) -> None:
    assert clean_text(raw, source_format="pdf") == ""


# Lines as extraction yields them: ideographs, digits, brackets, spaces of every kind, tabs.
_LINE_CHARS = st.one_of(
    st.sampled_from("关于印发明政规第一二三条章节年月日号个万元〔〕【】（）()[]%％.,:;!?"),
    st.sampled_from("0123456789 　\t\u2028\u00a0abcＡＢ１２"),
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
)


@settings(max_examples=400, deadline=None)
@given(line=st.text(alphabet=_LINE_CHARS, max_size=40))
@example(line="第一条\u2028为了规范")
@example(line=" 第三章\u3000总则")
def test_lines_without_spaces_take_the_shortcut_to_the_same_result(line: str) -> None:
    from indexer.cleanup import _space_rules

    assert remove_spurious_spaces(line) == _space_rules(line)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=_LINE_CHARS, max_size=60))
def test_to_halfwidth_shortcut_is_translate(text: str) -> None:
    from indexer.cleanup import _HALFWIDTH

    assert to_halfwidth(text) == text.translate(_HALFWIDTH)
