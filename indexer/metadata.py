"""Clean text -> :class:`DocMeta`, reading the document the way GB/T 9704-2012 lays it out.

An official document (公文) has a header (版头: 发文机关标志 ``XX人民政府文件``, 发文字号),
then the 标题 (often wrapped over 2-3 lines), the 主送机关 line ending in ``：``, the body,
附件说明, the signature (署名) and the 成文日期, and a footer (版记: 抄送, 印发机关和印发日期,
公开属性). Regulations (规章, 条例) instead open with their title and a parenthetical
``（2022年12月23日北京市人民政府第307号令公布 …）`` or ``（…人民代表大会常务委员会…通过）``.

Everything here works on cleaned text (one paragraph per line, see :mod:`indexer.cleanup`)
and is tolerant of PDF artefacts that cleanup may leave (page numbers, spaced-out letters).
Format hints (HTML meta, DOCX properties) are fallbacks, weaker than the layout.
"""

from __future__ import annotations

import logging
import re
from datetime import date

from indexer.docnumber import DocNumber, find_doc_numbers, parse_doc_number
from indexer.models import DocMeta

logger = logging.getLogger(__name__)

__all__ = ["extract_metadata", "detect_doc_type", "parse_chinese_date", "issuers_for_prefix", "DOC_TYPES"]

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"

#: 文种 recognised at the end of a title, longest first within each group; value = the facet value.
_TYPE_ENDINGS: tuple[tuple[str, str], ...] = (
    ("答记者问", "解读"), ("政策问答", "解读"), ("政策解读", "解读"), ("问答", "解读"), ("解读", "解读"),
    ("实施意见", "实施意见"), ("指导意见", "意见"), ("若干意见", "意见"),
    ("补充通知", "通知"), ("紧急通知", "通知"), ("通知", "通知"),
    ("实施细则", "细则"), ("细则", "细则"),
    ("实施办法", "办法"), ("管理办法", "办法"), ("暂行办法", "办法"), ("办法", "办法"),
    ("若干规定", "规定"), ("暂行规定", "规定"), ("规定", "规定"),
    ("工作方案", "方案"), ("实施方案", "方案"), ("行动方案", "方案"), ("方案", "方案"),
    ("决议", "决议"), ("决定", "决定"), ("命令", "命令"), ("公报", "公报"), ("公告", "公告"), ("通告", "通告"),
    ("意见", "意见"), ("通报", "通报"), ("报告", "报告"), ("请示", "请示"), ("批复", "批复"), ("议案", "议案"),
    ("复函", "函"), ("函", "函"), ("纪要", "纪要"),
    ("条例", "条例"), ("规划", "规划"), ("规则", "规则"), ("指引", "指引"), ("指南", "指南"),
    ("措施", "措施"), ("计划", "计划"), ("要点", "要点"), ("纲要", "纲要"), ("清单", "清单"), ("目录", "目录"),
    ("标准", "标准"), ("章程", "章程"), ("守则", "守则"), ("制度", "制度"), ("说明", "说明"), ("公约", "公约"),
    ("批示", "批示"), ("建议", "建议"),
)
#: Every value :func:`detect_doc_type` can return (besides ``""``).
DOC_TYPES: tuple[str, ...] = tuple(dict.fromkeys(v for _, v in _TYPE_ENDINGS)) + ("法律",)

# Trailing qualifiers that do not change the 文种: （试行） （暂行） （征求意见稿） （2023年修订） …
_TRAILING_QUALIFIER = re.compile(r"(?:[（(][^（）()]{0,20}[）)]|[〔【][^〔〕【】]{0,20}[〕】])\s*$")
_QUALIFIER_LINE = re.compile(r"^[（(][^（）()]{0,16}(?:稿|试行|暂行|修订|修正|草案|送审|讨论)[^（）()]{0,6}[）)]$")

#: Common 机关代字 -> 发文机关, for documents whose header names no issuer in words.
_PREFIX_ISSUERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("国办发", ("国务院办公厅",)), ("国办函", ("国务院办公厅",)), ("国办", ("国务院办公厅",)),
    ("国发", ("国务院",)), ("国函", ("国务院",)), ("国令", ("国务院",)), ("国务院令", ("国务院",)),
    ("中发", ("中共中央",)), ("中办发", ("中共中央办公厅",)),
    ("法释", ("最高人民法院",)), ("法发", ("最高人民法院",)), ("高检发", ("最高人民检察院",)),
    ("发改", ("国家发展改革委",)), ("财税", ("财政部", "国家税务总局")), ("财", ("财政部",)),
    ("税总", ("国家税务总局",)), ("建房", ("住房和城乡建设部",)), ("建", ("住房和城乡建设部",)),
    ("银发", ("中国人民银行",)), ("人社部", ("人力资源社会保障部",)), ("教", ("教育部",)),
    ("工信部", ("工业和信息化部",)), ("商", ("商务部",)), ("自然资", ("自然资源部",)),
    ("交", ("交通运输部",)), ("公", ("公安部",)), ("民发", ("民政部",)), ("卫", ("国家卫生健康委",)),
    ("国卫", ("国家卫生健康委",)), ("环", ("生态环境部",)), ("农", ("农业农村部",)),
    ("市监", ("国家市场监督管理总局",)), ("国市监", ("国家市场监督管理总局",)),
)

_ORG_SUFFIX = (
    "人民政府办公厅", "人民政府办公室", "人民政府", "政府办公厅", "政府办公室", "办公厅", "办公室", "常务委员会", "委员会",
    "管委会", "领导小组", "工作组", "指挥部", "总局", "管理局", "局", "厅", "委", "部", "院", "署", "中心", "法院",
    "检察院", "银行", "政府", "小组", "公司", "联席会议", "会议", "协会", "联合会", "党组", "市委", "省委", "县委", "区委", "集团", "处", "所", "站",
)
_ORG_RE = re.compile(rf"^[{_CJK}（）()]{{2,40}}(?:{'|'.join(_ORG_SUFFIX)})$")

_DATE_ARABIC = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_NUM = "〇零○ＯO一二三四五六七八九十"
_DATE_CN = re.compile(rf"([{_CN_NUM}]{{4}})\s*年\s*([{_CN_NUM}]{{1,3}})\s*月\s*([{_CN_NUM}]{{1,3}})\s*日")
_DATE_ISO = re.compile(r"((?:19|20)\d{2})\s*[-./／]\s*(\d{1,2})\s*[-./／]\s*(\d{1,2})")

_PAGE_NO = re.compile(r"^[-—–－_\s]*(?:第\s*)?\d{1,4}(?:\s*页)?[-—–－_\s]*$|^[-—–－]\s*\d+\s*[-—–－]$")
_SPACED = re.compile(rf"^(?:[{_CJK}]\s+){{2,}}[{_CJK}](?:\s*文件)?$")
_ADDRESSEE_END = ("：", ":")
_BODY_START = re.compile(r"^(?:第[一二三四五六七八九十百零〇]+[章条节]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、]|目\s*录)")
_HEADER_NOISE = re.compile(
    rf"(?:文件|公报|规章|发布|简报|通讯)$|^附件\s*\d*\s*[:：]?$|^[A-Za-zＸX★*]{{1,3}}$|^签发人|^(?:特急|加急|急件|平急|特提|机密|秘密|绝密)"
    rf"|^[{_CJK}]{{0,4}}(?:密级|紧急程度|份号)|^\d{{6}}$|^[（(]此件[^）)]*[）)]$|^(?:主动)?公开$"
)
_PUBLICITY = (
    (re.compile(r"不予公开|此件不公开|不公开发布"), "不予公开"),
    (re.compile(r"依申请公开"), "依申请公开"),
    (re.compile(r"主动公开|此件公开发布|公开发布|公开方式[:：]\s*主动"), "主动公开"),
)
_PRINTED = re.compile(r"印发$|印发\s*$|印\s*发$")
_INTERP_TITLE = re.compile(r"解读|答记者问|政策问答|问答|答问")


def _cn_number(text: str) -> int | None:
    digits = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
    if not text:
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = digits.get(tens, None) if tens else 1
        o = digits.get(ones, None) if ones else 0
        if t is None or o is None:
            return None
        return t * 10 + o
    if all(c in digits for c in text):
        return int("".join(str(digits[c]) for c in text))
    return None


def _make_date(y: int | None, m: int | None, d: int | None) -> date | None:
    if y is None or m is None or d is None:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _first_date(text: str) -> tuple[date, int, int] | None:
    """The first date in ``text`` with its span, in any of the supported spellings."""
    best: tuple[date, int, int] | None = None
    if re.search(r"\d\s+\d", text):  # "2 02 2 年 1 1 月": letter-spaced PDF text; offsets are then approximate
        text = re.sub(r"(?<=\d)[ \t\u3000]+(?=\d)", "", text)
    for pattern, cn in ((_DATE_ARABIC, False), (_DATE_CN, True), (_DATE_ISO, False)):
        for m in pattern.finditer(text):
            if cn:
                value = _make_date(_cn_number(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3)))
            else:
                value = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if value and (best is None or m.start() < best[1]):
                best = (value, m.start(), m.end())
                break
    return best


#: "发布时间：2024-03-18" / "发布日期:2024年3月18日" lines at the head of web pages and interpretations.
_PUBLISHED_LINE = re.compile(r"(?:发布|公布|发文)(?:时间|日期)\s*[:：]\s*(\S{6,20})")


def _published_line(lines: list[str]) -> date | None:
    for line in lines:
        m = _PUBLISHED_LINE.search(line)
        if m:
            found = parse_chinese_date(m.group(1))
            if found:
                return found
    return None


def parse_chinese_date(text: str) -> date | None:
    """A date written the usual ways in official documents.

    :param text: e.g. ``"2022年11月26日"``, ``"二〇二二年十一月二十六日"``, ``"2022-11-26"``,
        ``"2022.11.26"``, ``"2022/11/26"``, full-width digits and spaces allowed. The first date
        in the string is returned, so ``"2022年11月26日印发"`` also parses.
    :returns: the date, or ``None`` if there is none or it does not exist (2月30日).
    """
    if not text:
        return None
    s = text.translate(_FULLWIDTH)
    found = _first_date(s)
    return found[0] if found else None


_FULLWIDTH = str.maketrans("０１２３４５６７８９．－／", "0123456789.-/")


def detect_doc_type(title: str) -> str:
    """The 文种 a title ends with.

    ``关于印发《X办法》的通知`` is a 通知 (the cover's type); titles of interpretations
    (``…的解读``, ``…答记者问``, 政策问答) give ``"解读"``; a title ending in 法 (a law) gives
    ``"法律"``; an order title (``XX令第N号``) gives ``"命令"``.

    :param title: the document title.
    :returns: one of :data:`DOC_TYPES`, or ``""`` when the ending is not a known 文种.
    """
    t = re.sub(r"\s+", "", title or "")
    while True:
        stripped = _TRAILING_QUALIFIER.sub("", t)
        if stripped == t or not stripped:
            break
        t = stripped
    t = t.rstrip("。.》>\"”'’")
    if not t:
        return ""
    if _INTERP_TITLE.search(t[-12:]):
        return "解读"
    for ending, value in _TYPE_ENDINGS:
        if t.endswith(ending):
            return value
    if re.search(r"令(?:第[\d一二三四五六七八九十百〇零]+号)?$", t):
        return "命令"
    if t.endswith("法典") or t.endswith("法") and not t.endswith(("方法", "做法", "说法", "写法", "用法")):
        return "法律"
    return ""


def issuers_for_prefix(prefix: str) -> list[str]:
    """发文机关 implied by a doc-number prefix (``国办发`` -> 国务院办公厅), or ``[]``.

    :param prefix: :attr:`DocNumber.prefix`.
    """
    for key, issuers in _PREFIX_ISSUERS:
        if prefix == key or (len(key) >= 2 and prefix.startswith(key)):
            return list(issuers)
    return []


def _squeeze(line: str) -> str:
    """Undo letter-spacing of red-head lines ("南 京 市 住 房 局 文件")."""
    if _SPACED.match(line):
        return re.sub(r"\s+", "", line)
    return line


def _nospace(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def _prepare(text: str) -> list[str]:
    lines = []
    for raw in (text or "").replace("\r", "\n").replace("\f", "\n").split("\n"):
        line = raw.strip().strip("\ufeff\u200b").strip()
        if not line or _PAGE_NO.match(line):
            continue
        lines.append(_squeeze(line))
    return lines


def _is_org(line: str) -> bool:
    s = _strip_seal(_nospace(line))
    return bool(_ORG_RE.match(s)) and not s.startswith(("关于", "附件"))


def _strip_seal(name: str) -> str:
    """"XX联席会议（代章）" -> "XX联席会议"."""
    return re.sub(r"[（(](?:代章|盖章|印章|章)[）)]$", "", name)


def _is_addressee(line: str) -> bool:
    s = line.strip()
    if not s.endswith(_ADDRESSEE_END) or len(s) > 160:
        return False
    body = s[:-1]
    if "。" in body or body.startswith(("附件", "联系人", "电话", "地址", "申请人", "说明")):
        return False
    return True


#: Endings that close a title without being a 文种 (forms and tables published as attachments).
_FORM_ENDINGS = ("申报书", "申请书", "申请表", "申报表", "承诺书", "一览表", "登记表", "时间表", "名录", "名单", "汇总表", "基准表")
_CLOSING_QUALIFIER = re.compile(r"[（(][^（）()]{0,16}(?:稿|试行|暂行|修订|修正|草案|年度)[^（）()]{0,6}[）)]$")


def _is_title_end(text: str) -> bool:
    bare = _TRAILING_QUALIFIER.sub("", text)
    if bare.endswith(_FORM_ENDINGS):
        return True
    return bool(detect_doc_type(text)) or bool(re.search(r"(?:令)\s*第\s*[\d一二三四五六七八九十百]+\s*号$", text))


def _is_noise(line: str) -> bool:
    s = _nospace(line)
    return bool(_HEADER_NOISE.search(s)) or bool(parse_doc_number(s)) or len(s) <= 1


def _looks_sentence(line: str) -> bool:
    return bool(re.search(r"[。；;！!？?]", line)) or line.endswith(("，", ","))


def _title_like(line: str) -> bool:
    s = _nospace(line)
    return bool(s) and not _looks_sentence(line) and len(s) <= 100 and not _BODY_START.match(s)


def _collect_title(lines: list[str], start: int, stop: int) -> tuple[str, int] | None:
    """Join the title block beginning at ``start``; returns (title, index of its last line).

    The block is the longest run of title-like lines (at most 5) that ends in a 文种, so a
    title wrapped as "北京市继续促进国四排放标准 / 老旧营运货车报废更新实施细则" is not cut
    at the first line that happens to end in a 文种 word.
    """
    block: list[str] = []
    best: tuple[str, int] | None = None
    for j in range(start, min(stop, start + 5)):
        line = lines[j]
        s = _nospace(line)
        if j > start and (
            _is_addressee(line) or parse_doc_number(s) or _first_date(s)
            or (s.startswith(("（", "(")) and not _QUALIFIER_LINE.match(s))
        ):
            break
        # a wrapped line is 4–40 characters, or a shorter tail that completes the title
        # ("…门诊共济保障实 / 施细则")
        completes = bool(block) and not best and len(s) >= 2 and _is_title_end("".join(block) + s)
        if not _title_like(line) or (j > start and not 4 <= len(s) <= 40 and not completes):
            break
        if j > start and re.search(rf"[{_CJK}]\s+[{_CJK}]", line.strip()):
            break  # a table row ("序号 学校名称 培养计划"), not a wrapped title
        if best and len(s) < 6 and not best[0].endswith("》"):
            break  # past a complete title only real wrapped lines extend it, not table headers
        block.append(s)
        joined = "".join(block)
        if _is_title_end(joined):
            best = (joined, j)
        if _CLOSING_QUALIFIER.search(s):
            break  # "…（试行）" closes a title
    if best and best[1] + 1 < len(lines) and _QUALIFIER_LINE.match(_nospace(lines[best[1] + 1])):
        # a qualifier on its own next line belongs to the title: （征求意见稿）
        return best[0] + _nospace(lines[best[1] + 1]), best[1] + 1
    return best


def _find_title(lines: list[str], start: int, stop: int) -> tuple[str, int, int] | None:
    """First title block in ``lines[start:stop]``: (title, first index, last index).

    The title starts at the first line that is not header furniture; the only line it may
    skip is an issuer line standing above "关于…" (a common web layout).
    """
    for i in range(start, stop):
        line = lines[i]
        s = _nospace(line)
        if _is_noise(line) or _is_addressee(line):
            continue
        if _BODY_START.match(s) or _looks_sentence(line):
            return None
        found = _collect_title(lines, i, stop)
        if found:
            return found[0], i, found[1]
        if not _is_org(line):
            return None
    return None


def _plain_title(lines: list[str], stop: int) -> tuple[str, int, int] | None:
    """No 文种 anywhere: the first short heading-like line (forms, tables, lists)."""
    for i in range(min(stop, len(lines))):
        line = lines[i]
        s = _nospace(line)
        if _is_noise(line) or _is_addressee(line) or _BODY_START.match(s):
            continue
        if _title_like(line) and 2 <= len(s) <= 60 and not _first_date(s) and not s.endswith(("：", ":")):
            return s, i, i
        return None
    return None


def _markdown_title(lines: list[str]) -> str:
    for line in lines[:30]:
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return ""


def _filename_title(filename: str) -> str:
    stem = filename.rsplit("/", 1)[-1]
    while "." in stem and len(stem.rsplit(".", 1)[1]) <= 5:
        stem = stem.rsplit(".", 1)[0]
    stem = re.sub(r"^(?:19|20)\d{2}(?:[-_.]?\d{1,2}){0,2}[-_ .、]+", "", stem)
    return stem.strip(" _-")


def _issuer_from_mark(lines: list[str], stop: int) -> list[str]:
    """发文机关标志: ``XX人民政府文件``, joint issuers stacked before ``文件``, ``中共XX委员会``."""
    for i in range(min(stop, 8, len(lines))):
        s = _nospace(lines[i])
        if s.endswith("文件") and len(s) > 2:
            head = s[: -len("文件")]
            names = [n for n in re.split(r"[、，,]", head) if n]
            if not head:  # 文件 on its own line: the issuers are the lines above
                names = [_nospace(x) for x in lines[max(0, i - 4) : i] if _is_org(x)]
            elif i > 0 and _is_org(lines[i - 1]) and i <= 4:
                names = [_nospace(x) for x in lines[max(0, i - 3) : i] if _is_org(x)] + names
            orgs = [n for n in names if _is_org(n)]
            if orgs:
                return orgs
        m = re.match(rf"^([{_CJK}]{{2,30}}?)(?:规章|令|公报)$", s)
        if m and _is_org(m.group(1)):
            return [m.group(1)]
        m = re.match(rf"^([{_CJK}]{{2,30}}?)发布$", s)
        if m and _is_org(m.group(1)):
            return [m.group(1)]
        if re.match(rf"^中共[{_CJK}]{{1,20}}委员会$", s):
            return [s]
    return []


_ORG_JOIN = re.compile(rf"(?<=[厅局委部室府院署会])(?=(?:[{_CJK}]{{2,3}}[省市县区]|市|省|国家|中共))")


def _split_orgs(name: str) -> list[str]:
    """"海南省住房和城乡建设厅海南省住房公积金管理局" -> both names (cleanup drops the spaces)."""
    parts = [p for p in _ORG_JOIN.split(name) if p]
    if len(parts) > 1 and all(_is_org(p) for p in parts):
        return parts
    return [name]


def _issuer_from_title(title: str) -> list[str]:
    m = re.match(rf"^([{_CJK}、（）\s]{{2,80}}?)关于", title)
    if not m:
        return []
    parts = [x for p in re.split(r"[、\s]+", m.group(1)) if p for x in _split_orgs(p)]
    return [p for p in parts if _is_org(p)] if parts and all(_is_org(p) for p in parts) else []


_CONGRESS = re.compile(
    rf"([{_CJK}]{{2,20}}?)第[一二三四五六七八九十]+届人民代表大会(?:常务委员会|常委会)"
)
_ORDER_IN_PAREN = re.compile(rf"([{_CJK}]{{2,20}}?)(?:令)?第\s*\d+\s*号令?(?:公布|发布)")


def _regulation_header(lines: list[str], title_end: int) -> tuple[date | None, list[str], DocNumber | None]:
    """The parenthetical after a regulation's title: first date, issuer, order number."""
    if title_end + 1 >= len(lines):
        return None, [], None
    s = lines[title_end + 1]
    if not s.startswith(("（", "(")):
        return None, [], None
    block = s
    k = title_end + 2
    while not re.search(r"[）)]\s*$", block) and k < len(lines) and k < title_end + 6:
        block += lines[k]
        k += 1
    found = _first_date(block.translate(_FULLWIDTH))
    when = found[0] if found else None
    issuers: list[str] = []
    number: DocNumber | None = None
    m = _CONGRESS.search(_nospace(block))
    if m:
        region = re.sub(r"^.*?(?:日|\d)", "", m.group(1)) or m.group(1)
        issuers = [region + "人民代表大会常务委员会"]
    numbers = [n for n, _, _ in find_doc_numbers(block)]
    if numbers:
        number = numbers[0]
        org = number.prefix[:-1] if number.year is None and number.prefix.endswith("令") else ""
        if org and _is_org(org) and not issuers:
            issuers = [org]
    return when, issuers, number


def _signature_block(lines: list[str], start: int) -> tuple[date | None, list[str], int]:
    """成文日期 and the 署名 lines above it: the first date that stands on a line of its own
    (or after the issuer on the same line) after ``start``, skipping 印发 dates."""
    for i in range(start, len(lines)):
        line = lines[i]
        s = _nospace(line)
        if len(s) > 40 or _PRINTED.search(s) or "印发" in s:
            continue
        found = _first_date(s.translate(_FULLWIDTH))
        if not found:
            continue
        when, a, b = found
        before, after = s[:a], s[b:]
        if after.strip("）)（(") not in ("",) or (before and not _is_org(before)):
            continue
        issuers: list[str] = []
        if before:
            issuers.extend(_split_orgs(_strip_seal(before)))
        else:
            k = i - 1
            while k >= start and k >= i - 4 and _is_org(lines[k]) and len(_nospace(lines[k])) <= 40:
                # several issuers may share one line separated by spaces
                parts = [p for p in re.split(r"[\s\u3000]+", lines[k].strip()) if p]
                names = [_nospace(p) for p in parts] if all(_is_org(p) for p in parts) else [_nospace(lines[k])]
                issuers = [x for n in names for x in _split_orgs(_strip_seal(n))] + issuers
                k -= 1
        return when, issuers, i
    return None, [], -1


def _attachments(lines: list[str], start: int, stop: int) -> list[str]:
    out: list[str] = []
    for i in range(start, stop):
        s = lines[i].strip()
        m = re.match(r"^附\s*件\s*[:：]\s*(.*)$", s)
        if not m:
            continue
        first = m.group(1).strip()
        items = [first] if first else []
        k = i + 1
        while k < stop and re.match(r"^\d+\s*[.．、]", lines[k].strip()):
            items.append(lines[k].strip())
            k += 1
        out = [re.sub(r"^\d+\s*[.．、]\s*", "", x).strip() for x in items if x]
        break
    return out


def extract_metadata(text: str, *, filename: str = "", hints: dict[str, str] | None = None) -> DocMeta:
    """Read GB/T 9704 metadata from a document's cleaned text.

    :param text: cleaned text, one paragraph per line.
    :param filename: the file's name, the title of last resort (year prefixes and extensions dropped).
    :param hints: what the format itself says (``title``, ``published_date`` ISO, ``issuer``, ``url``);
        used only where the layout gives nothing.
    :returns: a :class:`DocMeta`; fields the document lacks are left empty.
    """
    hints = hints or {}
    lines = _prepare(text)
    meta = DocMeta()
    if not lines:
        meta.title = (hints.get("title") or "").strip() or _filename_title(filename)
        meta.doc_type = detect_doc_type(meta.title)
        meta.is_interpretation = meta.doc_type == "解读"
        return meta

    head_stop = min(len(lines), 25)
    body_start = next(
        (i for i in range(head_stop) if _is_addressee(lines[i]) or _BODY_START.match(_nospace(lines[i]))), head_stop
    )

    # 发文字号: a number standing on its own line in the header beats any number in the body.
    number: DocNumber | None = None
    number_line = -1
    for i in range(min(body_start + 1, len(lines))):
        s = _nospace(lines[i])
        whole = parse_doc_number(s)
        if whole:
            number, number_line = whole, i
            break
        hits = find_doc_numbers(lines[i])
        if hits and hits[0][1] <= 2 and not s.startswith(("（", "(", "根据", "按照")):
            number, number_line = hits[0][0], i  # e.g. "国办发〔2024〕12号  签发人：张三"
            break

    # 标题
    title_info = None
    if number_line >= 0:
        title_info = _find_title(lines, number_line + 1, min(len(lines), body_start + 1))
        if title_info is None:
            title_info = _find_title(lines, 0, number_line)
    if title_info is None:
        title_info = _find_title(lines, 0, min(len(lines), max(body_start, 12)))
    if title_info is None and number is not None and number.year is None:
        # an order (令) page: number, publishing sentence, date; the real title follows
        _, _, order_sig = _signature_block(lines, number_line + 1)
        if order_sig > 0:
            title_info = _find_title(lines, order_sig + 1, min(len(lines), order_sig + 12))
    if title_info is None:
        title_info = _plain_title(lines, min(len(lines), 8))
    md_title = _markdown_title(lines)
    if md_title:
        meta.title = md_title
        title_end = next((i for i, l in enumerate(lines) if l.startswith("#")), 0)
    elif title_info:
        meta.title, _, title_end = title_info
    else:
        title_end = -1
        meta.title = (hints.get("title") or "").strip() or _filename_title(filename)
    meta.title = re.sub(r"\s+", "", meta.title) if re.search(rf"[{_CJK}]", meta.title) else meta.title.strip()

    # regulations: （2022年12月23日北京市人民政府第307号令公布 …）
    reg_date, reg_issuers, reg_number = _regulation_header(lines, title_end) if title_end >= 0 else (None, [], None)
    if number is None and reg_number is not None:
        number = reg_number

    # 主送机关
    after_title = title_end + 1 if title_end >= 0 else 0
    for i in range(after_title, min(len(lines), after_title + 3)):
        if _is_addressee(lines[i]):
            meta.addressees = lines[i].strip()[:-1].strip()
            if i > after_title and not _looks_sentence(lines[i - 1]) and not _is_title_end(_nospace(lines[i - 1])):
                meta.addressees = lines[i - 1].strip() + meta.addressees
            break

    # 成文日期 and 署名
    sig_start = number_line + 1 if number_line >= 0 else max(after_title, 1)
    sig_date, sig_issuers, sig_line = _signature_block(lines, sig_start)
    meta.written_date = sig_date or reg_date
    if meta.written_date is None and not sig_date:
        meta.written_date = None

    meta.issuer = (
        _issuer_from_mark(lines, max(body_start, 3))
        or sig_issuers
        or _issuer_from_title(meta.title)
        or reg_issuers
        or (issuers_for_prefix(number.prefix) if number else [])
        or ([x.strip() for x in re.split(r"[、,，;；\s]+", hints["issuer"]) if x.strip()] if hints.get("issuer") else [])
    )
    meta.doc_number = number.canonical if number else ""
    meta.doc_type = detect_doc_type(meta.title)
    meta.is_interpretation = meta.doc_type == "解读"
    meta.attachments = _attachments(lines, after_title, sig_line if sig_line > 0 else len(lines))

    tail = "\n".join(lines[-12:]) + "\n" + "\n".join(lines[:3])
    for pattern, value in _PUBLICITY:
        if pattern.search(tail):
            meta.publicity = value
            break

    if hints.get("published_date"):
        meta.published_date = parse_chinese_date(hints["published_date"])
    if meta.published_date is None:
        meta.published_date = _published_line(lines[:15])
    if hints.get("url"):
        meta.url = hints["url"].strip()
    logger.debug("metadata for %s: %s", filename, meta)
    return meta
