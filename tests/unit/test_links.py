"""Detection of 政策解读 and resolution of the policy each explains (pure: stored-field dicts, no index)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from indexer.links import (
    LinkIndex,
    cited_doc_numbers,
    cited_titles,
    detect_interpretation,
    explain_resolution,
    is_interpretation,
    normalize_title,
    plan_links,
    resolve_interprets,
    title_keys,
)
from indexer.models import DocMeta


def meta(title: str, doc_number: str = "", url: str = "") -> DocMeta:
    return DocMeta(title=title, doc_number=doc_number, url=url)


@pytest.mark.parametrize(
    "title",
    [
        "《示例市促进住房消费若干措施》政策解读",
        "关于《示例市公共数据管理办法》的解读",
        "示例市人社局负责人就《关于做好失业保险稳岗返还工作的通知》答记者问",
        "《示例市养老服务条例》政策问答",
        "一图读懂《示例市持续优化营商环境行动方案》",
        "图解：示例市育儿补贴怎么领",
        "关于《示例市物业管理办法（草案）》的起草说明",
        "示例市《城市更新条例》新闻发布会",
        "示例市医保局负责人就门诊共济改革答问",
        "政策解读您的位置：首页>政务公开>政策解读>沈阳市城市房屋使用安全管理办法政策图文解读",
    ],
)
def test_title_cues_make_an_interpretation(title: str) -> None:
    found, reason = detect_interpretation(meta(title), "")
    assert found, reason


@pytest.mark.parametrize(
    "title",
    [
        "示例市人民政府办公室关于进一步加强政策解读工作的通知",
        "关于印发《示例市政策解读工作规范》的通知",
        "最高人民法院关于适用《中华人民共和国仲裁法》若干问题的解释",
        "最高人民法院关于审理劳动争议案件适用法律问题的解释（一）（法释〔2020〕26号）",
        "示例市促进住房消费若干措施",
    ],
)
def test_policies_and_judicial_interpretations_are_not(title: str) -> None:
    found, reason = detect_interpretation(meta(title), "一、总则\n为了规范管理，制定本办法。")
    assert not found, reason


def test_url_column_marks_an_interpretation() -> None:
    m = meta("北京市互联网租赁自行车运营服务监督管理办法", url="https://www.beijing.gov.cn/zhengce/zcjd/202607/t1.html")
    assert is_interpretation(m, "近日，市交通委修订印发了该办法。")
    assert is_interpretation(meta("一问一答", url="https://x.gov.cn/jd/1.html"), "")


def test_column_index_page_is_not_one() -> None:
    assert not is_interpretation(meta("政策文件信息公开指南", url="https://fcj.example.gov.cn/fdzdgknr/zcjd/"), "")


def test_policy_in_an_interpretation_column_is_not_one() -> None:
    m = meta(
        "上海市教育委员会关于印发《上海市高中阶段学校招生录取改革实施办法》的通知",
        doc_number="沪教委规〔2021〕2号",
        url="https://edu.sh.gov.cn/zcjd_gzjdlqgg/20210317/1.html",
    )
    assert not is_interpretation(m, "各区教育局：现将《办法》印发给你们，请认真贯彻执行。")


def test_lead_cue_without_title_cue() -> None:
    text = "近日，市政府印发了《示例市育儿补贴实施办法》。现将有关内容解读如下：\n一、出台背景"
    assert is_interpretation(meta("育儿补贴怎么领，看这里"), text)
    assert not is_interpretation(meta("示例市育儿补贴实施办法", doc_number="示政办发〔2025〕1号"), text)


@pytest.mark.parametrize(
    "title, expected",
    [
        ("国家发展改革委 国家能源局关于印发《煤炭工业发展“十五五”规划》的通知", "煤炭工业发展十五五规划"),
        ("《煤炭工业发展“十五五”规划》", "煤炭工业发展十五五规划"),
        ("关于印发医疗卫生强基工程中医药行动方案的通知", "医疗卫生强基工程中医药行动方案"),
        ("【山东省东营市】关于调整部分住房公积金使用政策的通知", "调整部分住房公积金使用政策"),
        ("关于印发〈示例市物业管理办法〉的通知", "示例市物业管理办法"),
        ("关于印发《上海市招生办法》的通知（沪教委规〔2021〕2号）", "上海市招生办法"),
        ("哈尔滨市若干措施（征求意见稿）", "哈尔滨市若干措施(征求意见稿)"),
    ],
)
def test_normalize_title(title: str, expected: str) -> None:
    assert normalize_title(title) == expected


def test_policy_is_findable_by_its_印发_wrapper_and_inner_title() -> None:
    keys = title_keys("北京市教育委员会关于印发《北京市属高校基本建设管理办法》的通知")
    assert normalize_title("《北京市属高校基本建设管理办法》") in keys


def test_cited_titles_skip_short_names_and_keep_nested_quotes() -> None:
    text = "印发了《示例市促进住房消费若干措施》（示政发〔2024〕3号，以下简称《措施》）。《措施》共十条；另见《关于印发〈示例市物业管理办法〉的通知》。"
    assert cited_titles(text) == ["示例市促进住房消费若干措施", "关于印发〈示例市物业管理办法〉的通知"]


def test_cited_doc_numbers_include_order_numbers_in_news_form() -> None:
    text = "联合印发（发改能源〔2026〕979号），总理签署第842号国务院令。"
    assert cited_doc_numbers(text) == ["发改能源〔2026〕979号", "国令第842号"]


# ------------------------------------------------------------------------- resolution

def doc(doc_id: str, title: str, *, body: str = "", day: str = "", doc_number: str = "", issuer: str = "",
        interp: bool = False, interprets: str = "", validity: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"id": doc_id, "title": title, "body": body, "is_interpretation": interp}
    if day:
        out["written_date"] = datetime.fromisoformat(day)
    if doc_number:
        out["doc_number"] = doc_number
    if issuer:
        out["issuer"] = issuer
    if interprets:
        out["interprets"] = interprets
    if validity:
        out["validity"] = validity
    return out


POLICY = doc("p1", "示例市人民政府关于印发《示例市促进住房消费若干措施》的通知", day="2024-03-10",
             doc_number="示政发〔2024〕3号", issuer="示例市人民政府")
OTHER = doc("p2", "示例市人民政府关于印发《示例市养老服务体系建设方案》的通知", day="2024-01-10",
            doc_number="示政发〔2024〕1号", issuer="示例市人民政府")


def test_explicit_reference_wins_by_id_number_or_title() -> None:
    index = LinkIndex([POLICY, OTHER])
    base = dict(title="《示例市促进住房消费若干措施》政策解读", day="2024-03-18", interp=True)
    assert resolve_interprets(doc("i", **base, interprets="p2"), index) == "p2"
    assert resolve_interprets(doc("i", **base, interprets="示政发[2024]1号"), index) == "p2"
    assert resolve_interprets(doc("i", **base, interprets="示例市养老服务体系建设方案"), index) == "p2"
    # an explicit reference to something absent gives no link, not a guess from the title
    assert resolve_interprets(doc("i", **base, interprets="示政发〔2024〕99号"), index) is None


def test_title_citation_matches_the_印发_wrapper() -> None:
    interp = doc("i", "《示例市促进住房消费若干措施》政策解读", day="2024-03-18", interp=True)
    target, why = explain_resolution(interp, LinkIndex([POLICY, OTHER]))
    assert target == "p1", why


def test_以下简称_in_the_lead() -> None:
    body = "近日，市政府印发了《示例市促进住房消费若干措施》（以下简称《措施》）。现就《措施》解读如下。"
    interp = doc("i", "图解：买房补贴怎么领", body=body, day="2024-03-20", interp=True)
    assert resolve_interprets(interp, LinkIndex([POLICY, OTHER])) == "p1"


def test_doc_number_in_the_lead() -> None:
    body = "市政府近日出台新政（示政发〔2024〕3号），主要内容如下。"
    interp = doc("i", "购房新政问答", body=body, day="2024-03-20", interp=True)
    target, why = explain_resolution(interp, LinkIndex([POLICY, OTHER]))
    assert target == "p1" and "示政发〔2024〕3号" in why


def test_title_without_quotes_names_the_policy() -> None:
    policy = doc("p3", "关于印发《沈阳市城镇房屋安全管理三项制度工作方案》的通知", day="2024-09-20")
    interp = doc("i", "沈阳市城镇房屋安全管理三项制度工作方案政策解读", day="2024-09-26", interp=True)
    assert resolve_interprets(interp, LinkIndex([policy])) == "p3"


def test_version_in_force_at_the_interpretation_date() -> None:
    old = doc("v2019", "示例市物业管理条例", day="2019-05-01", issuer="示例市人大常委会", validity="已修改")
    new = doc("v2024", "示例市物业管理条例", day="2024-06-01", issuer="示例市人大常委会", validity="现行有效")
    early = doc("i1", "《示例市物业管理条例》解读", day="2019-05-20", interp=True)
    late = doc("i2", "《示例市物业管理条例》解读", day="2024-06-10", interp=True)
    index = LinkIndex([old, new])
    assert resolve_interprets(early, index) == "v2019"
    assert resolve_interprets(late, index) == "v2024"


def test_policy_written_long_after_the_interpretation_is_not_its_target() -> None:
    later = doc("p", "示例市物业管理条例", day="2025-01-01")
    interp = doc("i", "《示例市物业管理条例》解读", day="2019-05-20", interp=True)
    assert resolve_interprets(interp, LinkIndex([later])) is None


def test_same_title_from_several_places_needs_the_place_named() -> None:
    a = doc("a", "关于进一步促进房地产市场平稳健康发展的若干措施", day="2024-10-01", issuer="甲市人民政府")
    b = doc("b", "关于进一步促进房地产市场平稳健康发展的若干措施", day="2024-10-05", issuer="乙市人民政府")
    named = doc("i1", "《关于进一步促进房地产市场平稳健康发展的若干措施》解读", body="乙市人民政府近日印发", day="2024-10-10", interp=True)
    unnamed = doc("i2", "《关于进一步促进房地产市场平稳健康发展的若干措施》解读", body="近日印发", day="2024-10-10", interp=True)
    index = LinkIndex([a, b])
    assert resolve_interprets(named, index) == "b"
    assert resolve_interprets(unnamed, index) is None


def test_absent_policy_gives_no_link_even_when_the_lead_cites_others() -> None:
    # the title's subject is absent; the superior regulation the lead cites must not be taken instead
    law = doc("law", "住房公积金管理条例", day="2019-03-24")
    body = "根据《住房公积金管理条例》，结合本市实际，制定《甲市住房公积金提取办法》。"
    interp = doc("i", "《甲市住房公积金提取办法》政策解读", body=body, day="2024-01-01", interp=True)
    assert resolve_interprets(interp, LinkIndex([law])) is None
    measures = doc("i2", "关于促进甲市房地产业良性循环的若干措施解读", body="根据《住房公积金管理条例》制定。", day="2024-01-01", interp=True)
    assert resolve_interprets(measures, LinkIndex([law])) is None


def test_draft_for_comments_is_another_document() -> None:
    draft = doc("d", "关于促进甲市房地产业良性循环的若干措施（征求意见稿）", day="2022-07-18")
    interp = doc("i", "关于促进甲市房地产业良性循环的若干措施解读", day="2022-10-26", interp=True)
    assert resolve_interprets(interp, LinkIndex([draft])) is None


def test_plan_links_sets_changes_and_clears() -> None:
    interp = doc("i", "《示例市促进住房消费若干措施》政策解读", day="2024-03-18", interp=True)
    summary, writes = plan_links([POLICY, interp])
    assert [(s["id"], t) for s, t in writes] == [("i", "p1")]
    linked = {**interp, "interprets_id": "p1"}
    summary, writes = plan_links([POLICY, linked])
    assert writes == [] and summary.linked == 1
    summary, writes = plan_links([linked])  # the policy is gone
    assert [(s["id"], t) for s, t in writes] == [("i", None)] and summary.cleared == ["i"]


@pytest.mark.parametrize(
    "text",
    [
        "市民政局、市财政局联合印发示民发〔2025〕6号文件，明确了补贴标准。",
        "近日，市政府印发了示民发〔2025〕6号",
        "经研究，转发示民发〔2025〕6号如下。",
    ],
)
def test_cited_doc_number_does_not_swallow_the_verb_before_it(text: str) -> None:
    assert cited_doc_numbers(text) == ["示民发〔2025〕6号"]


def test_a_policys_link_view_carries_its_title_keys_and_the_index_uses_them() -> None:
    from indexer.links import LinkIndex, link_view, title_keys

    title = "示例市人民政府关于印发《示例市住房公积金提取管理办法》的通知"
    view = link_view({"id": "p1", "title": title, "body": "正文"})
    assert view["title_keys"] == tuple(sorted(title_keys(title)))
    assert "body" not in view
    interpretation = link_view({"id": "i1", "title": "《示例市住房公积金提取管理办法》政策解读", "is_interpretation": True})
    assert "title_keys" not in interpretation
    # the index files a policy under the keys its view holds, without normalising again
    index = LinkIndex([dict(view, title_keys=("示例键名",))])
    assert [c.id for c in index.by_title["示例键名"]] == ["p1"]
    assert not any(k in index.by_title for k in title_keys(title))
    assert list(LinkIndex([link_view({"id": "p1", "title": title})]).by_title) == sorted(title_keys(title))
