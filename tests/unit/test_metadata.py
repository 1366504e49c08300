"""Metadata from official-layout texts we wrote (GB/T 9704 red-head documents, regulations)."""

from __future__ import annotations

from datetime import date

import pytest

from indexer.metadata import detect_doc_type, extract_metadata, issuers_for_prefix, parse_chinese_date

RED_HEAD = """明溪县人民政府文件
明政规〔2022〕6号
明溪县人民政府
关于印发明溪县促进房地产市场平稳健康
发展若干措施的通知
各乡（镇）人民政府，县各有关单位：
根据《福建省人民政府关于X的意见》（闽政〔2019〕5号）和国办发〔2020〕1号文件精神，现将《若干措施》印发给你们，请认真贯彻执行。
本措施自2022年12月1日起施行。
附件：1．明溪县购房补贴申请表
2．明溪县购房补贴发放流程
明溪县人民政府
二〇二二年十一月二十六日
（此件主动公开）
明溪县人民政府办公室 2022年11月28日印发
"""

JOINT = """财政部
国家税务总局
文件
财税〔2024〕8号
财政部 国家税务总局关于延续实施
住房租赁有关税收政策的公告
为进一步支持住房租赁市场发展，现将有关税收政策公告如下：
一、对个人出租住房的，按照5%的征收率减按1.5%计算缴纳增值税。
财政部    国家税务总局
2024年3月1日
"""

REGULATION = """示例市文明行为促进条例
（2020年6月29日示例市第十三届人民代表大会
常务委员会第二十六次会议通过
2020年9月29日某某省第十三届人民代表大会
常务委员会第二十三次会议批准）
目  录
第一章 总则
第一条 为了培育和践行社会主义核心价值观，制定本条例。
第三十二条 本条例自2020年12月1日起施行。
"""

ORDER_RULE = """北京市人民政府规章
北京市人民政府发布
北京市示例管理办法
（2022年12月23日北京市人民政府第307号令公布 自2023年3月1日起施行）
第一条 为了规范示例活动，根据《中华人民共和国某某法》（主席令第六十九号），制定本办法。
第二十二条 本办法自2023年3月1日起施行。
"""


def test_red_head_document() -> None:
    meta = extract_metadata(RED_HEAD, filename="mx.pdf")
    assert meta.doc_number == "明政规〔2022〕6号"  # not the numbers cited in the body
    assert meta.issuer == ["明溪县人民政府"]
    assert meta.title == "明溪县人民政府关于印发明溪县促进房地产市场平稳健康发展若干措施的通知"
    assert meta.doc_type == "通知"
    assert meta.written_date == date(2022, 11, 26)  # the Chinese-numeral signature date, not 印发 or body dates
    assert meta.addressees == "各乡（镇）人民政府，县各有关单位"
    assert meta.publicity == "主动公开"
    assert meta.attachments == ["明溪县购房补贴申请表", "明溪县购房补贴发放流程"]
    assert not meta.is_interpretation


def test_joint_issuers() -> None:
    meta = extract_metadata(JOINT)
    assert meta.issuer == ["财政部", "国家税务总局"]
    assert meta.doc_number == "财税〔2024〕8号"
    assert meta.title == "财政部国家税务总局关于延续实施住房租赁有关税收政策的公告"
    assert meta.doc_type == "公告"
    assert meta.written_date == date(2024, 3, 1)


def test_joint_issuers_in_signature_without_mark() -> None:
    text = "关于加强住房赠与管理的通知\n各区房屋管理局：\n现就有关事项通知如下：\n一、严格执行限购政策。\n市住房城乡建设管理委 市房屋管理局\n2021年7月23日\n"
    meta = extract_metadata(text)
    assert meta.issuer == ["市住房城乡建设管理委", "市房屋管理局"]
    assert meta.written_date == date(2021, 7, 23)
    assert meta.doc_number == ""


def test_regulation_passed_by_congress() -> None:
    meta = extract_metadata(REGULATION)
    assert meta.title == "示例市文明行为促进条例"
    assert meta.doc_type == "条例"
    assert meta.written_date == date(2020, 6, 29)
    assert meta.issuer == ["示例市人民代表大会常务委员会"]
    assert meta.doc_number == ""


def test_government_rule_with_order_number() -> None:
    meta = extract_metadata(ORDER_RULE)
    assert meta.title == "北京市示例管理办法"
    assert meta.doc_number == "北京市人民政府令第307号"
    assert meta.issuer == ["北京市人民政府"]
    assert meta.written_date == date(2022, 12, 23)
    assert meta.doc_type == "办法"


def test_title_fallbacks() -> None:
    body = "为了做好工作，现通知如下。\n一、加强领导。"
    assert extract_metadata(body, hints={"title": "网页标题"}).title == "网页标题"
    assert extract_metadata(body, filename="2020_三明市公共文明行为促进条例.docx").title == "三明市公共文明行为促进条例"
    assert extract_metadata("", filename="2019-05_某某办法.pdf").title == "某某办法"


def test_markdown_first_heading() -> None:
    meta = extract_metadata("# 中华人民共和国民法典\n## 第一编 总则\n第一条 为了保护民事主体的合法权益……")
    assert meta.title == "中华人民共和国民法典"
    assert meta.doc_type == "法律"


def test_hints_are_weaker_than_layout() -> None:
    meta = extract_metadata(RED_HEAD, hints={"title": "门户标题", "issuer": "别的机关", "published_date": "2022-12-01", "url": "https://x.gov.cn/a"})
    assert meta.title.endswith("的通知") and meta.issuer == ["明溪县人民政府"]
    assert meta.published_date == date(2022, 12, 1)
    assert meta.url == "https://x.gov.cn/a"


def test_issuer_from_prefix_table() -> None:
    meta = extract_metadata("国办发〔2024〕12号\n关于加强某项工作的意见\n各省人民政府：\n现提出如下意见。")
    assert meta.issuer == ["国务院办公厅"]
    assert issuers_for_prefix("财税") == ["财政部", "国家税务总局"]
    assert issuers_for_prefix("法释") == ["最高人民法院"]
    assert issuers_for_prefix("发改能源") == ["国家发展改革委"]
    assert issuers_for_prefix("京政发") == []


def test_interpretation() -> None:
    meta = extract_metadata("《关于进一步优化无房家庭购房工作通知》政策解读\n一、政策制定背景\n2020年7月22日……")
    assert meta.doc_type == "解读" and meta.is_interpretation


@pytest.mark.parametrize(
    ("title", "doc_type"),
    [
        ("关于印发《北京市X管理办法》的通知", "通知"),
        ("国务院办公厅关于加强X工作的意见", "意见"),
        ("关于X的实施意见", "实施意见"),
        ("北京市X管理办法（试行）", "办法"),
        ("X管理规定（征求意见稿）", "规定"),
        ("X市文明行为促进条例", "条例"),
        ("X实施细则", "细则"),
        ("X工作方案", "方案"),
        ("关于X的批复", "批复"),
        ("关于商请X的函", "函"),
        ("X会议纪要", "纪要"),
        ("《X办法》政策解读", "解读"),
        ("X负责人就《X》答记者问", "解读"),
        ("X政策问答", "解读"),
        ("中华人民共和国城市房地产管理法", "法律"),
        ("重庆市人民政府令第361号", "命令"),
        ("关于X的决定", "决定"),
        ("关于X的公告", "公告"),
        ("政府信息公开申请表", ""),
        ("", ""),
    ],
)
def test_detect_doc_type(title: str, doc_type: str) -> None:
    assert detect_doc_type(title) == doc_type


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022年11月26日", date(2022, 11, 26)),
        ("2022 年 11 月 6 日", date(2022, 11, 6)),
        ("二〇二二年十一月二十六日", date(2022, 11, 26)),
        ("二零二二年十月一日", date(2022, 10, 1)),
        ("二〇二〇年一月三十日", date(2020, 1, 30)),
        ("2022-11-26", date(2022, 11, 26)),
        ("2022.11.26", date(2022, 11, 26)),
        ("2022/1/6", date(2022, 1, 6)),
        ("２０２２年１１月２６日", date(2022, 11, 26)),
        ("2022年11月26日印发", date(2022, 11, 26)),
        ("2022年2月30日", None),
        ("2022年11月", None),
        ("无日期", None),
        ("", None),
    ],
)
def test_parse_chinese_date(text: str, expected: date | None) -> None:
    assert parse_chinese_date(text) == expected


def test_short_last_line_that_completes_the_title_is_joined() -> None:
    text = "\n".join(
        [
            "示例市医疗保障局文件",
            "示医保规〔2024〕2号",
            "示例市职工基本医疗保险门诊共济保障实",
            "施细则",
            "第一章 总则",
            "第一条 为建立健全职工基本医疗保险门诊共济保障机制，制定本实施细则。",
            "示例市医疗保障局",
            "2024年5月20日",
        ]
    )
    meta = extract_metadata(text)
    assert meta.title == "示例市职工基本医疗保险门诊共济保障实施细则"
    assert meta.doc_type == "细则"
