"""Place names in queries: provinces, cities and counties, in their long and short forms.

Citizens name the place a policy is for (``陕西省对…有何政策``), and most of a portal's
near-duplicates differ by place alone: every province issued its own 复工复产 measures.
Titles write the short form (``陕西：…``, ``【广西】…``) as often as the long one
(``陕西省人民政府关于…``), and the index finds ``陕西`` inside ``陕西省`` but not the
reverse. So a place typed in either form stands for both (:mod:`indexer.query`). (A bonus
for titles naming the place was tried and lowered MRR@10 on the ncp_policy_qa train
questions at every weight from 0.1 up, and so did scoring down titles that name only
other provinces, once the share of question words held was counted: docs/search.md.)

The names are the 34 provincial-level divisions below, plus the cities, districts and
counties of jieba's own dictionary (place-tagged ``ns`` words ending in 市/县/州, or in 区/盟
when their stem is a place-tagged word too: 漯河市/漯河, 海陵区/海陵), read once.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: (long form, short form) of every provincial-level division.
PROVINCES: tuple[tuple[str, str], ...] = (
    ("北京市", "北京"), ("天津市", "天津"), ("上海市", "上海"), ("重庆市", "重庆"),
    ("河北省", "河北"), ("山西省", "山西"), ("辽宁省", "辽宁"), ("吉林省", "吉林"), ("黑龙江省", "黑龙江"),
    ("江苏省", "江苏"), ("浙江省", "浙江"), ("安徽省", "安徽"), ("福建省", "福建"), ("江西省", "江西"),
    ("山东省", "山东"), ("河南省", "河南"), ("湖北省", "湖北"), ("湖南省", "湖南"), ("广东省", "广东"),
    ("海南省", "海南"), ("四川省", "四川"), ("贵州省", "贵州"), ("云南省", "云南"), ("陕西省", "陕西"),
    ("甘肃省", "甘肃"), ("青海省", "青海"), ("台湾省", "台湾"),
    ("内蒙古自治区", "内蒙古"), ("广西壮族自治区", "广西"), ("西藏自治区", "西藏"),
    ("宁夏回族自治区", "宁夏"), ("新疆维吾尔自治区", "新疆"),
    ("香港特别行政区", "香港"), ("澳门特别行政区", "澳门"),
)
_NS_LINE = re.compile(r"^(\S+) \d+ ns\r?$", re.MULTILINE)
_SUFFIXES = re.compile(r"^(..+?)(市|区|县|州|盟)$")
#: Words that end like a place and are tagged as one, but are not (or are too ambiguous).
_NOT_PLACES = frozenset(
    {"上市", "都市区", "城区", "市区", "郊区", "山区", "辖区", "社区", "园区", "新区", "开发区", "自治区", "地区", "特区", "城市", "都市",
     "自治", "自治州", "自治县", "自治市", "大城市", "山区县"}
)


@lru_cache(maxsize=1)
def _forms() -> dict[str, tuple[str, ...]]:
    """Every place word -> all forms of that place (itself included), long form first."""
    groups: list[tuple[str, str]] = list(PROVINCES)
    tagged = _tagged()  # 350k lines: one regex pass
    for word in tagged:
        m = _SUFFIXES.match(word)
        if not m or word in _NOT_PLACES:
            continue
        stem, suffix = m.group(1), m.group(2)
        # a tagged XX市/XX县/XX州 is a city or county; a district (区) also needs a tagged stem
        if stem in tagged or suffix in "市县州":
            groups.append((word, stem))
    forms: dict[str, list[str]] = {}
    for long, short in groups:
        for word in (long, short):
            bucket = forms.setdefault(word, [])
            for f in (long, short):
                if f not in bucket:
                    bucket.append(f)
    return {w: tuple(fs) for w, fs in forms.items()}


@lru_cache(maxsize=1)
def _tagged() -> frozenset[str]:
    """jieba's place-tagged (``ns``) words."""
    try:
        import jieba

        with jieba.get_dict_file() as fh:
            return frozenset(_NS_LINE.findall(fh.read().decode("utf-8")))
    except (ImportError, OSError):  # pragma: no cover - jieba is a dependency
        return frozenset()


def place_forms(word: str) -> tuple[str, ...]:
    """All forms of the place ``word`` names (``陕西`` -> ``陕西省``, ``陕西``); () when it is none.

    A word that starts with a province's name and goes on (``陕西省政府``) names that province.
    A city or county jieba knows only by its stem (大理市: 大理 is tagged, 大理市 is not)
    stands for the stem's forms: documents write 大理州, 大理 as often as 大理市.
    """
    forms = _forms()
    if word in forms:
        return forms[word]
    m = _SUFFIXES.match(word)
    if m and word not in _NOT_PLACES and m.group(2) in "市县州":
        stem = m.group(1)
        if stem not in _NOT_PLACES and (stem in forms or stem in _tagged()):
            # the stem and its prefecture (大理州), not every place of that name: 通化市 is no 通化县
            prefecture = stem + "州"
            return (word, stem) + ((prefecture,) if prefecture != word and prefecture in forms else ())
    for long, short in PROVINCES:
        for head in (long, short):
            if word.startswith(head) and len(word) > len(head):
                return forms[long]
    return ()


__all__ = ["PROVINCES", "place_forms"]
