"""Cleanup stage: raw extracted text -> clean paragraphs, one per line.

Every rule is a small pure function so it can be tested on its own; :func:`clean_text`
chains them. The rules come from how pypdf really extracts Chinese official
documents: characters spaced out (``关 于印 发``), lines broken inside words
(``累\\n计``), page numbers (``- 1 -``) and running headers (``北京市人民政府规章``)
in the middle of paragraphs at page breaks (pages arrive separated by ``"\\f"``).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata

logger = logging.getLogger(__name__)

__all__ = [
    "clean_text",
    "normalize_line_endings",
    "normalize_whitespace",
    "to_halfwidth",
    "remove_spurious_spaces",
    "is_page_number",
    "drop_page_numbers",
    "drop_repeated_edges",
    "join_wrapped_lines",
    "starts_new_block",
    "ends_sentence",
    "display_width",
]

#: Formats whose line breaks are layout, not paragraphs.
WRAPPED_FORMATS = frozenset({"pdf"})

# CJK ideographs plus CJK / full-width punctuation, quotes and dashes used in Chinese text.
_CJK = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff0f\uff1a-\uff20"
    "\uff3b-\uff40\uff5b-\uff65\u2018-\u201d\u2026\u2014\u00b7\ufe30-\ufe4f"
)
_CJK_CHAR = f"[{_CJK}]"

_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def normalize_line_endings(text: str) -> str:
    """``\\r\\n``, ``\\r``, vertical tab and Unicode line/paragraph separators become ``\\n``.

    Form feeds (page breaks) are kept.

    :param text: any text.
    """
    return re.sub("\r\n|[\r\v\u2028\u2029\x85]", "\n", text)


def normalize_whitespace(text: str) -> str:
    """Ideographic, no-break and other odd spaces become a plain space (tabs, which
    separate table cells, are kept);
    zero-width characters, soft hyphens and control characters are removed.

    :param text: any text; ``\\n`` and ``\\f`` are kept.
    """
    text = _ZERO_WIDTH.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    return _CONTROL.sub("", text)


_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp - 0xFEE0).isalnum()}
_HALFWIDTH[0x3000] = 0x20
_WIDE = re.compile("[" + "".join(chr(cp) for cp in _HALFWIDTH) + "]")


def to_halfwidth(text: str) -> str:
    """Full-width ASCII letters and digits (``ＡＢ１２``) and the ideographic space become
    half-width; Chinese punctuation (，。：；（）〔〕《》) is kept as is.

    :param text: any text.
    """
    if _WIDE.search(text) is None:  # the usual case; far cheaper than translate's lookups
        return text
    return text.translate(_HALFWIDTH)


_CJK_SPACE_CJK = re.compile(f"(?<={_CJK_CHAR}) +(?={_CJK_CHAR})")
_CJK_SPACE_DIGIT = re.compile(f"(?<={_CJK_CHAR}) +(?=\\d)|(?<=\\d) +(?={_CJK_CHAR})")
# Digit groups split by spaces, followed by a unit: 2 02 2 年, 1 2 个月, 5 0%. Not before brackets in
# general, so phone numbers such as "62880288 62881144（24小时）" stay apart.
_SPACED_DIGITS_BEFORE_UNIT = re.compile(r"(?<!\d)\d{1,4}(?: \d{1,4})+(?= *[年月日号〕\]】%％个万元岁])")
_SPACE_BEFORE_ASCII_PUNCT = re.compile(f"(?<={_CJK_CHAR}) +(?=[,.:;!?%])")
_SPACED_DIGITS_IN_BRACKETS = re.compile(r"(?<=[〔\[【（(])[\d ]+(?=[〕\]】）)])")
_MULTI_SPACE = re.compile(r" {2,}")
_ARTICLE_HEAD = re.compile(r"^\s*(第 *[一二三四五六七八九十百千零〇两\d ]+ *[编章节条])\s+(?=\S)")


def remove_spurious_spaces(line: str) -> str:
    """Remove the spaces PDF extraction puts between Chinese characters and inside
    document numbers and dates; spaces between Latin words stay.

    ``关 于印 发`` -> ``关于印发``, ``明 政 规〔2 02 2〕6 号`` -> ``明政规〔2022〕6号``,
    ``2 022 年 1 1 月`` -> ``2022年11月``.

    :param line: one line (no newlines).
    """
    if " " not in line and "\t" not in line and not _ARTICLE_HEAD.match(line):
        # every rule removes or merges spaces: a line without one stays as it is
        return line.strip()
    return _space_rules(line)


def _space_rules(line: str) -> str:
    """:func:`remove_spurious_spaces` without its shortcut for lines that hold no space."""
    if "\t" in line:
        # Table cells: clean each, keep them apart with one space.
        return " ".join(cell for cell in (remove_spurious_spaces(c) for c in line.split("\t")) if cell)
    # The space after 第X条 / 第X章 is the official layout (第一条　为了…), keep one.
    heading = _ARTICLE_HEAD.match(line)
    if heading:
        head = _CJK_SPACE_CJK.sub("", heading.group(1))
        rest = remove_spurious_spaces(line[heading.end():])
        return f"{head} {rest}" if rest else head
    line = _SPACED_DIGITS_BEFORE_UNIT.sub(lambda m: m.group().replace(" ", ""), line)
    line = _SPACED_DIGITS_IN_BRACKETS.sub(lambda m: m.group().replace(" ", ""), line)
    line = _CJK_SPACE_CJK.sub("", line)
    line = _CJK_SPACE_DIGIT.sub("", line)
    line = _SPACE_BEFORE_ASCII_PUNCT.sub("", line)
    return _MULTI_SPACE.sub(" ", line).strip()


_DASHES = "-－—–‒―─~～_"
_PAGE_NUMBER_PATTERNS = (
    re.compile(f"^[{_DASHES}]+ *\\d{{1,4}} *[{_DASHES}]+$"),  # - 1 -, — 3 —, －2－
    re.compile(r"^第 *\d{1,4} *页[ ,，/]*(共 *\d{1,4} *页)?$"),  # 第 3 页 共 10 页
    re.compile(r"^共 *\d{1,4} *页[ ,，/]*第 *\d{1,4} *页$"),
    re.compile(r"^(page|p\.) *\d{1,4}( *(of|/) *\d{1,4})?$", re.I),
    re.compile(r"^\d{1,4} */ *\d{1,4}$"),  # 3/10
)
_BARE_NUMBER = re.compile(r"^[\d ]{1,5}$")


def is_page_number(line: str, *, at_edge: bool = False) -> bool:
    """Whether a line is only a page number.

    :param line: one stripped line.
    :param at_edge: the line is the first or last non-empty line of its page, where a
        bare number (``7``) is a page number too.
    """
    line = line.strip()
    if not line:
        return False
    if any(p.match(line) for p in _PAGE_NUMBER_PATTERNS):
        return True
    return at_edge and bool(_BARE_NUMBER.match(line)) and any(ch.isdigit() for ch in line)


def drop_page_numbers(lines: list[str]) -> list[str]:
    """Remove page-number lines from one page (bare numbers only on its first/last line).

    :param lines: the stripped lines of one page.
    """
    idx = [i for i, line in enumerate(lines) if line]
    edges = {idx[0], idx[-1]} if idx else set()
    return [line for i, line in enumerate(lines) if not is_page_number(line, at_edge=i in edges)]


_EDGE_LINES = 3


def _edge_key(line: str) -> str:
    # Running headers differ only in the page number or spacing from page to page.
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def drop_repeated_edges(pages: list[list[str]], *, min_share: float = 0.6) -> list[list[str]]:
    """Remove running headers/footers: lines among the first or last few of a page that
    recur (ignoring digits and spaces) at the edges of most pages.

    :param pages: stripped, non-empty lines of each page.
    :param min_share: share of pages a line must appear on (and at least 2 pages).
    :returns: the pages without those lines.
    """
    if len(pages) < 2:
        return pages
    counts: dict[str, int] = {}
    for page in pages:
        keys = {_edge_key(line) for line in page[:_EDGE_LINES] + page[-_EDGE_LINES:]}
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    needed = max(2, math.ceil(min_share * len(pages)))
    repeated = {key for key, n in counts.items() if n >= needed and key}
    if not repeated:
        return pages
    logger.debug("dropping running headers/footers: %s", sorted(repeated))
    out = []
    for page in pages:
        n = len(page)
        out.append([
            line for i, line in enumerate(page)
            if not ((i < _EDGE_LINES or i >= n - _EDGE_LINES) and _edge_key(line) in repeated)
        ])
    return out


_NEW_BLOCK = re.compile(
    r"^(第[一二三四五六七八九十百千零〇两\d]+[编章节条款部分]"
    r"|[一二三四五六七八九十百]+[、．.]"
    r"|[（(][一二三四五六七八九十百\d]+[）)]"
    r"|\d{1,3}[、．](?!\d)|\d{1,3}\.(?!\d)"
    r"|[①-⑳⑴-⒇]"
    r"|附件|附：|附表|抄送|抄报|主送|联系人|联系电话"
    r"|[（(]此件)"
)
_SENTENCE_END = re.compile(r"[。！？!?；;：:…]\s*[”’」』）)\]】]*$")


def starts_new_block(line: str) -> bool:
    """Whether a line opens a new section or item (``一、``, ``（一）``, ``第三条``, ``1.``, ``附件``…).

    :param line: one stripped line.
    """
    return bool(_NEW_BLOCK.match(line))


def ends_sentence(line: str) -> bool:
    """Whether a line ends a sentence (。！？；： possibly followed by a closing quote or bracket).

    :param line: one stripped line.
    """
    return bool(_SENTENCE_END.search(line))


def display_width(text: str) -> int:
    """Width in half-width columns: CJK and full-width characters count 2.

    :param text: one line.
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _typical_width(lines: list[str]) -> float:
    widths = sorted(display_width(line) for line in lines if line)
    if len(widths) < 4:
        return 0.0
    return widths[int(0.8 * (len(widths) - 1))]


def join_wrapped_lines(lines: list[str], *, short_ratio: float = 0.75) -> list[str]:
    """Join lines that a layout wrapped mid-sentence back into paragraphs.

    A line continues the previous one unless the previous line ends a sentence, is
    clearly shorter than a full line (the end of a paragraph or a title), or is a short
    heading; or the line itself opens a new section (``一、``, ``（一）``, ``第X条``…).
    One- to three-character fragments without punctuation (extraction debris like
    ``累\\n计``) always continue.

    :param lines: stripped, non-empty lines in reading order.
    :param short_ratio: a line narrower than this share of the typical full line ends its paragraph.
    """
    full = _typical_width(lines)
    paragraphs: list[str] = []
    prev = ""
    for index, line in enumerate(lines):
        if paragraphs and _continues(prev, line, full, short_ratio, index - 1):
            glue = " " if prev[-1:].isascii() and prev[-1:].isalnum() and line[:1].isascii() and line[:1].isalnum() else ""
            paragraphs[-1] += glue + line
        else:
            paragraphs.append(line)
        prev = line
    return paragraphs


_CLOSING_START = re.compile(r"^[，。、；：！？）》〕】”’」』,.;:!?)\]%]")
_OPENING_END = re.compile(r"[“‘「『（《〔【(\[]$")
_TITLE_END = re.compile(
    r"(通知|意见|决定|办法|规定|方案|细则|批复|公告|通告|通报|报告|请示|函|纪要|解读|条例|措施|指引|规则|答记者问)"
    r"([（(][^）)]{0,10}[）)])?$"
)
# The 版记 line ("…办公室 2017年5月3日印发") closes the document body; a line ending in a
# document number (明政规〔2022〕6号) is the number line of the 版头.
_RECORD_END = re.compile(r"\d日印发$|[〔\[【(（]\d{4}[〕\]】)）]\d{1,4}号$")
#: Lines at the top of a document where a title line (ending in 通知, 意见…) ends its paragraph.
TITLE_ZONE_LINES = 12


def _continues(prev: str, line: str, full: float, short_ratio: float, index: int = TITLE_ZONE_LINES) -> bool:
    if _CLOSING_START.match(line) or _OPENING_END.search(prev):
        return True  # a line never starts with closing punctuation, nor ends with an opening one
    if ends_sentence(prev) or starts_new_block(line):
        return False
    if index < TITLE_ZONE_LINES and _TITLE_END.search(prev):
        return False
    if len(prev) <= 3:
        # A fragment of one to three characters is debris, unless it is a heading such as 附件.
        return not starts_new_block(prev) and not prev.isdigit()
    if full and display_width(prev) < short_ratio * full:
        return False
    return not _RECORD_END.search(prev)


def clean_text(raw: str, *, source_format: str = "text") -> str:
    """Turn extracted text into clean paragraphs, one per line.

    Normalises line endings, odd spaces and full-width letters/digits; removes spurious
    spaces between Chinese characters; drops page numbers and running headers/footers
    (pages are separated by ``"\\f"``); for PDFs joins lines wrapped mid-sentence.

    :param raw: text from :func:`indexer.extract.extract`.
    :param source_format: the format it came from; only layout formats (``"pdf"``) have their lines re-joined.
    :returns: paragraphs joined with ``"\\n"``; empty when nothing is left.
    """
    text = normalize_line_endings(raw)
    text = to_halfwidth(text)
    text = normalize_whitespace(text)
    pages: list[list[str]] = []
    for page in text.split("\f"):
        lines = [remove_spurious_spaces(line) for line in page.split("\n")]
        lines = [line for line in drop_page_numbers(lines) if line]
        pages.append(lines)
    pages = drop_repeated_edges(pages)
    lines = [line for page in pages for line in page]
    if source_format in WRAPPED_FORMATS:
        lines = join_wrapped_lines(lines)
    return "\n".join(lines)
