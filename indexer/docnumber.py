"""Parse and normalise 发文字号 (doc numbers) such as ``国办发〔2024〕12号`` or ``国务院令第696号``.

Used by metadata extraction (to find the number in a document's header) and by the
query pipeline (to recognise a doc number a citizen typed in whatever spelling).

Spellings accepted by :func:`parse_doc_number` (the whole string is a number):
brackets 〔〕 [] ［］ () （） 【】 〈〉 or ``2024年`` or none at all (``国办发2024 12号``),
an optional 第 before the serial, spaces anywhere, full-width digits, Chinese-numeral
serials for orders (``主席令第六十九号``), and orders written ``X第307号令``.
:func:`find_doc_numbers` is stricter in running text: the year must be bracketed (or the
number must be an order), so dates and counts are not mistaken for numbers.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

logger = logging.getLogger(__name__)

__all__ = ["DocNumber", "parse_doc_number", "find_doc_numbers", "normalize_doc_number"]


@dataclass(frozen=True)
class DocNumber:
    """One 发文字号, split into its parts.

    :param prefix: 机关代字 plus 类别, e.g. ``国办发``; for orders the whole 令 name, e.g. ``国务院令``.
    :param year: the bracketed year, ``None`` for 令 numbers.
    :param serial: the serial number as Arabic digits without leading zeros, e.g. ``"12"``.
    """

    prefix: str
    year: int | None
    serial: str

    @property
    def canonical(self) -> str:
        """The GB/T 9704 form: ``国办发〔2024〕12号`` or ``国务院令第696号``."""
        if self.year is None:
            return f"{self.prefix}第{self.serial}号"
        return f"{self.prefix}〔{self.year}〕{self.serial}号"

    def __str__(self) -> str:
        return self.canonical


_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_OPEN = re.escape("〔[［(（【〈<{｛")
_CLOSE = re.escape("〕]］)）】〉>}｝")
_CN_DIGITS = "〇零一二三四五六七八九十百千两"
_SP = r"[ \t\u3000\u00a0]*"  # spaces inside a number (PDF text often has them)
_WS = r"\s*"  # may include a line break: numbers are wrapped across lines in running text

# Words that run into a number's prefix in running text ("根据国发〔2019〕5号") but never start one.
_LEADING_WORDS = (
    "根据", "依据", "依照", "按照", "参照", "遵照", "执行", "落实", "贯彻", "印发", "转发", "详见",
    "参见", "对照", "结合", "以及", "并", "及", "和", "与", "或", "即", "见", "按", "据", "由",
    "的", "是", "为", "在", "将", "以", "于", "文件", "文号", "发文字号", "字号", "号", "主动公开", "公开",
)
# A date or other word right before a prefix ends at one of these characters.
_BOUNDARY_CHARS = "日月年、，。；：:;,.的"

_BRACKETED = re.compile(
    rf"(?P<prefix>[{_CJK}]{{1,16}}){_WS}[{_OPEN}]{_SP}(?P<year>(?:19|20)\d{{2}}){_SP}[{_CLOSE}]"
    rf"{_SP}第?{_SP}(?P<serial>\d{{1,5}}){_SP}号"
)
_ORDER = re.compile(
    rf"(?P<prefix>[{_CJK}]{{0,16}}?令){_SP}第{_SP}(?P<serial>\d{{1,5}}|[{_CN_DIGITS}]{{1,8}}){_SP}号"
)
_ORDER_SUFFIX = re.compile(
    rf"(?P<prefix>[{_CJK}]{{1,16}}?){_SP}第{_SP}(?P<serial>\d{{1,5}}|[{_CN_DIGITS}]{{1,8}}){_SP}号令"
)
# Whole-string only: 2024年 or a bare year, with whatever separator the user typed.
_LOOSE = re.compile(
    rf"^(?P<prefix>[{_CJK}]{{1,16}}?){_SP}[{_OPEN}]?{_SP}(?P<year>(?:19|20)\d{{2}}){_SP}(?:[{_CLOSE}]|年)?"
    rf"[\s\-—_/、,，.．]*第?{_SP}(?P<serial>\d{{1,5}}){_SP}号?$"
)


def _to_halfwidth(text: str) -> str:
    # NFKC maps full-width digits/letters/brackets, but it would also turn 〔〕 into nothing
    # special and （） into (), which is fine for matching; CJK characters are untouched.
    return unicodedata.normalize("NFKC", text)


def _cn_to_int(text: str) -> int | None:
    """Chinese numerals up to the thousands (六十九, 一百零五, 二〇一) as an int."""
    digits = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    units = {"十": 10, "百": 100, "千": 1000}
    if not text:
        return None
    if all(c in digits for c in text):  # digit by digit: 二〇一
        return int("".join(str(digits[c]) for c in text))
    total, current = 0, 0
    for ch in text:
        if ch in digits:
            current = digits[ch]
        elif ch in units:
            total += (current or 1) * units[ch]
            current = 0
        else:
            return None
    return total + current


def _serial(text: str) -> str | None:
    if text.isdigit():
        value = int(text)
    else:
        parsed = _cn_to_int(text)
        if parsed is None:
            return None
        value = parsed
    return str(value) if value > 0 else None


def _clean_prefix(prefix: str) -> str:
    """Drop running-text words glued before the real prefix ("根据国发" -> "国发")."""
    prefix = re.sub(r"\s+", "", prefix)
    cut = max(prefix.rfind(c) for c in _BOUNDARY_CHARS)
    if cut >= 0:
        prefix = prefix[cut + 1 :]
    changed = True
    while changed and prefix:
        changed = False
        for word in _LEADING_WORDS:
            if prefix.startswith(word) and len(prefix) > len(word):
                prefix = prefix[len(word) :]
                changed = True
                break
    return prefix


def _order(prefix: str, serial_text: str, suffix_form: bool) -> DocNumber | None:
    prefix = _clean_prefix(prefix)
    if suffix_form:
        prefix += "令"
    serial = _serial(serial_text)
    if not serial or len(prefix) < 2:
        return None
    return DocNumber(prefix, None, serial)


def parse_doc_number(text: str) -> DocNumber | None:
    """Parse a string that is (meant to be) one doc number, in any common spelling.

    :param text: e.g. ``"国办发[2024]12号"``, ``"国办发 2024 12号"``, ``"国务院令第696号"``.
    :returns: the parsed number, or ``None`` when the string is not a doc number.
    """
    if not text:
        return None
    s = _to_halfwidth(text).strip().strip("。.，,；;")
    if not s or len(s) > 60:
        return None
    s = re.sub(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])", "", s)  # letter-spaced red-head text: 明 政 规
    for pattern, kind in ((_BRACKETED, "std"), (_ORDER, "order"), (_ORDER_SUFFIX, "suffix"), (_LOOSE, "std")):
        m = pattern.fullmatch(s) if pattern is not _LOOSE else pattern.match(s)
        if not m:
            continue
        if kind == "std":
            prefix = _clean_prefix(m.group("prefix"))
            serial = _serial(m.group("serial"))
            if prefix and serial:
                return DocNumber(prefix, int(m.group("year")), serial)
        else:
            found = _order(m.group("prefix"), m.group("serial"), kind == "suffix")
            if found:
                return found
    return None


def find_doc_numbers(text: str) -> list[tuple[DocNumber, int, int]]:
    """Every doc number in running text, in order of appearance.

    :param text: any text (one paragraph per line or not).
    :returns: ``(number, start, end)`` with character offsets into ``text``; the span covers
        the number without the running-text words that were trimmed off its prefix.
    """
    if not text:
        return []
    # NFKC keeps the length of each of these characters (full-width -> half-width is 1:1), so
    # offsets found in the normalised text are valid in the original; check to be safe.
    norm = _to_halfwidth(text)
    if len(norm) != len(text):
        norm = "".join(_to_halfwidth(c) if len(_to_halfwidth(c)) == 1 else c for c in text)
    found: list[tuple[DocNumber, int, int]] = []
    taken: list[tuple[int, int]] = []

    def add(number: DocNumber | None, m: re.Match[str], core_len: int) -> None:
        if number is None:
            return
        # the span starts where the kept prefix starts, after trimmed running-text words
        pos, need = m.end("prefix"), core_len
        while need > 0 and pos > m.start("prefix"):
            pos -= 1
            if not norm[pos].isspace():
                need -= 1
        end = m.end()
        if any(pos < e and end > s for s, e in taken):
            return
        taken.append((pos, end))
        found.append((number, pos, end))

    for m in _BRACKETED.finditer(norm):
        prefix = _clean_prefix(m.group("prefix"))
        serial = _serial(m.group("serial"))
        if prefix and serial:
            add(DocNumber(prefix, int(m.group("year")), serial), m, len(prefix))
    for m in _ORDER_SUFFIX.finditer(norm):
        number = _order(m.group("prefix"), m.group("serial"), True)
        add(number, m, len(number.prefix) - 1 if number else 0)
    for m in _ORDER.finditer(norm):
        number = _order(m.group("prefix"), m.group("serial"), False)
        add(number, m, len(number.prefix) if number else 0)
    found.sort(key=lambda item: item[1])
    return found


def normalize_doc_number(text: str) -> str | None:
    """The canonical spelling of a doc number, or ``None`` if ``text`` is not one.

    :param text: a doc number in any spelling, e.g. ``"国办发（2024）第12号"``.
    """
    number = parse_doc_number(text)
    return number.canonical if number else None
