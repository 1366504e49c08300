"""HTML reader for pages saved from government portals.

Keeps the article and drops navigation, headers, footers and scripts. The article
is found by the content containers that portal CMSs (TRS, 开普云 UCAP…) use, else
by a text-density heuristic. ``<meta>`` tags (ArticleTitle, PubDate, ContentSource…)
become hints for the metadata stage.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from lxml import etree, html as lxml_html

from indexer.errors import ExtractionError
from indexer.extract import RawText
from indexer.extract.text import decode_bytes

logger = logging.getLogger(__name__)

#: id/class values of article containers, best first (seen on real portal pages).
CONTENT_MARKERS: tuple[str, ...] = (
    "TRS_Editor", "TRS_UEDITOR", "UCAP-CONTENT", "pages_content", "zoom", "mainText", "article-content",
    "article_content", "articleContent", "art_con", "con_txt", "detail-content", "details-content",
    "content-main", "main-txt", "detailCont", "textfield", "view", "article", "content", "text",
)
_MARKER_RES = [(m, re.compile(rf"(^|[\s_-]){re.escape(m)}($|[\s_-])", re.I)) for m in CONTENT_MARKERS]

_DROP_TAGS = {
    "script", "style", "noscript", "iframe", "nav", "header", "footer", "form", "select", "button", "svg",
    "object", "embed", "template", "head", "link", "meta", "input", "textarea", "canvas", "audio", "video",
}
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "tbody", "thead", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "main", "blockquote", "pre", "dl", "dt", "dd", "hr", "center", "address", "aside",
}
_NOISE_RE = re.compile(r"(^|[\s_-])(nav|menu|footer|header|breadcrumb|crumb|share|fenxiang|position|location|"
                       r"sidebar|bottom|topbar|toolbar|print|close|related|xgwz|copyright)", re.I)
_META_HINTS = {
    "articletitle": "title",
    "pubdate": "published_date",
    "publishdate": "published_date",
    "firstpublishedtime": "published_date",
    "contentsource": "source",
    "url": "url",
    "og:url": "url",
    "sitename": "site",
    "columnname": "column",
    "keywords": "keywords",
    "description": "description",
    "author": "author",
}
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_CELL = "\x1f"  # cell separator while rendering; source tabs are whitespace
_INFO_TABLE_RE = re.compile(r"发文字号|索引号|成文日期|发文机关")


def decode_html(data: bytes, path: Path | str = "") -> str:
    """Decode HTML bytes using the BOM, the ``<meta charset>`` declaration, else detection.

    :param data: the whole page.
    :param path: for the error message.
    :raises ExtractionError: undecodable.
    """
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        m = _CHARSET_RE.search(data[:4096])
        if m:
            declared = m.group(1).decode("ascii").lower()
            # Pages declaring gb2312/gbk routinely contain GB18030-only characters.
            encoding = "gb18030" if declared in {"gb2312", "gbk", "gb18030", "x-gbk"} else declared
            try:
                return data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                logger.debug("%s: declared charset %s does not decode, detecting", path, declared)
    return decode_bytes(data, path)[0]


def extract_html(path: Path) -> RawText:
    """Extract the article of a saved web page.

    :param path: the page (any extension; the bytes were sniffed as HTML).
    :returns: article text (one block per line) and ``<meta>`` hints.
    :raises ExtractionError: unreadable, undecodable or unparsable.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ExtractionError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    text = _XML_DECL.sub("", decode_html(data, path), count=1)
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractionError(str(path), f"unparsable HTML ({exc})") from None
    hints = _meta_hints(root)
    article, how = find_article(root)
    body_text = render_text(article)
    title = hints.get("title") or _heading(root)
    prefix = []
    if title and title not in body_text:
        prefix.append(title)
    info = _info_table(root, article)
    if info and info not in body_text:
        prefix.append(info)
    raw = RawText(text="\n".join(prefix + [body_text]), format="html", hints=hints)
    if not body_text.strip():
        raw.warnings.append("no article text found in HTML")
    logger.debug("%s: article by %s", path, how)
    return raw


def _meta_hints(root) -> dict[str, str]:  # noqa: ANN001 - lxml element
    hints: dict[str, str] = {}
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        key = _META_HINTS.get(name)
        if not key or not content or key in hints:
            continue
        if key == "published_date":
            m = _DATE_RE.search(content)
            if not m:
                continue
            content = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        hints[key] = content
    if "url" not in hints:
        for link in root.iter("link"):
            if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
                hints["url"] = link.get("href").strip()
                break
    title_el = root.find(".//title")
    if title_el is not None and title_el.text_content().strip():
        hints["page_title"] = _SPACES.sub(" ", title_el.text_content()).strip()
    return hints


def _heading(root) -> str:  # noqa: ANN001 - lxml element
    for tag in ("h1", "h2"):
        for el in root.iter(tag):
            text = _SPACES.sub(" ", el.text_content()).strip()
            if len(text) >= 6:
                return text
    return ""


def _info_table(root, article) -> str:  # noqa: ANN001 - lxml elements
    """The gov.cn-style attribute table (索引号/发文字号…) when it sits outside the article."""
    for table in root.iter("table"):
        text = table.text_content()
        if len(_INFO_TABLE_RE.findall(text)) >= 2 and len(text) < 2000 and article not in table.iterancestors():
            if any(el is table for el in article.iter("table")):
                return ""
            return render_text(table)
    return ""


def _drop_noise(root) -> None:  # noqa: ANN001 - lxml element
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _remove(el)
    for el in [e for e in root.iter() if isinstance(e.tag, str) and e.tag.lower() in _DROP_TAGS]:
        _remove(el)


def _remove(el) -> None:  # noqa: ANN001 - lxml element
    parent = el.getparent()
    if parent is None:
        return
    # Keep the tail text: it belongs to the parent, not to the removed element.
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def find_article(root):  # noqa: ANN001, ANN201 - lxml elements
    """The element holding the article: a known CMS container, else the densest block.

    :param root: the parsed page (modified: scripts, navigation etc. are removed).
    :returns: ``(element, how)`` where ``how`` names the marker or ``"density"``.
    """
    _drop_noise(root)
    body = root.find("body")
    if body is None:
        body = root
    for marker, marker_re in _MARKER_RES:
        candidates = [
            el for el in body.iter()
            if isinstance(el.tag, str) and (marker_re.search(el.get("id") or "") or marker_re.search(el.get("class") or ""))
        ]
        best = max(candidates, key=_text_len, default=None)
        if best is not None and _text_len(best) >= 30:
            return best, marker
    for el in [e for e in body.iter() if isinstance(e.tag, str) and _NOISE_RE.search(f"{e.get('id', '')} {e.get('class', '')}")]:
        if el.getparent() is not None:
            _remove(el)
    return _densest(body), "density"


def _text_len(el) -> int:  # noqa: ANN001
    return len(_SPACES.sub("", el.text_content()))


def _densest(body):  # noqa: ANN001, ANN201
    """Score each block by the text of its non-link runs; parents get half their children's score."""
    scores: dict = {}
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag.lower() == "a":
            continue
        if any(a.tag == "a" for a in el.iterancestors() if isinstance(a.tag, str)):
            continue
        own = len((el.text or "").strip()) + sum(len((c.tail or "").strip()) for c in el)
        if own < 10:
            continue
        block = el if el.tag.lower() in _BLOCK_TAGS - {"p", "br", "li"} else next(
            (a for a in el.iterancestors() if a.tag.lower() in {"div", "td", "article", "section", "main", "body"}), body
        )
        scores[block] = scores.get(block, 0) + own
        parent = block.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + own / 2
    if not scores:
        return body
    return max(scores, key=scores.get)


def render_text(el) -> str:  # noqa: ANN001 - lxml element
    """Text of an element with one line per block and tabs between table cells.

    :param el: an lxml HTML element.
    """
    out: list[str] = []
    _render(el, out)
    lines = []
    for line in "".join(out).split("\n"):
        cells = [_SPACES.sub(" ", cell).strip() for cell in line.split(_CELL)]
        line = "\t".join(cell for cell in cells if cell)
        if line:
            lines.append(line)
    return "\n".join(lines)


def _render(el, out: list[str]) -> None:  # noqa: ANN001
    if not isinstance(el.tag, str):
        return
    tag = el.tag.lower()
    if tag in _DROP_TAGS:
        return
    block = tag in _BLOCK_TAGS
    if block:
        out.append("\n")
    if el.text:
        out.append(_SPACES.sub(" ", el.text))
    for child in el:
        _render(child, out)
        if child.tail:
            out.append(_SPACES.sub(" ", child.tail))
    if tag in ("td", "th"):
        out.append(_CELL)
    if block:
        out.append("\n")
