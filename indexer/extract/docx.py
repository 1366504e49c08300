"""DOCX reader (python-docx) and Word 2003 XML reader (lxml).

DOCX body paragraphs and tables are read in document order; headers and footers
come first because document numbers (发文字号) often live there. The archive is
checked for zip bombs before python-docx inflates anything.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from lxml import etree

from indexer.config import Config
from indexer.errors import ExtractionError
from indexer.extract import RawText

logger = logging.getLogger(__name__)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W2003_NS = "http://schemas.microsoft.com/office/word/2003/wordml"
O_NS = "urn:schemas-microsoft-com:office:office"

#: An archive member inflating more than this many times its compressed size is a bomb.
MAX_COMPRESSION_RATIO = 200
#: Ratios are only checked on members bigger than this (tiny XML parts compress very well).
RATIO_MIN_BYTES = 1024 * 1024


def check_zip(path: Path, max_total_bytes: int) -> None:
    """Refuse a ZIP whose declared uncompressed size or compression ratio is absurd.

    :param path: the archive.
    :param max_total_bytes: largest allowed sum of uncompressed member sizes.
    :raises ExtractionError: not a ZIP, or a zip bomb (the reason gives the sizes).
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExtractionError(str(path), f"not a valid DOCX: damaged ZIP archive ({exc})") from None
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise ExtractionError(
                str(path),
                f"zip bomb: {info.filename} inflates {info.compress_size} to {info.file_size} bytes",
            )
    if total > max_total_bytes:
        raise ExtractionError(str(path), f"zip bomb: {total} bytes uncompressed, over {max_total_bytes}")


def extract_docx(path: Path, config: Config) -> RawText:
    """Read a DOCX: headers, body paragraphs and tables in order, footers.

    :param path: the file (any extension; the bytes were sniffed as DOCX).
    :param config: ``max_file_bytes`` also bounds the uncompressed archive (times 10).
    :raises ExtractionError: damaged archive, zip bomb, or XML python-docx cannot read.
    """
    check_zip(path, max(config.max_file_bytes * 10, 50 * 1024 * 1024))
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, etree.XMLSyntaxError, zipfile.BadZipFile) as exc:
        # Some producers (WPS, converters) write packages python-docx rejects; read the XML directly.
        logger.info("%s: python-docx failed (%s), reading word/document.xml directly", path, exc)
        return _extract_docx_raw(path)

    lines: list[str] = []
    seen_edges: set[str] = set()
    for section in document.sections:
        for part in (section.header, section.first_page_header):
            _add_edge(part, lines, seen_edges)
    lines.extend(_block_lines(document.element.body))
    for section in document.sections:
        for part in (section.footer, section.first_page_footer):
            _add_edge(part, lines, seen_edges)

    props = document.core_properties
    hints: dict[str, str] = {}
    if props.title and props.title.strip():
        hints["title"] = props.title.strip()
    if props.author and props.author.strip():
        hints["author"] = props.author.strip()
    if props.subject and props.subject.strip():
        hints["subject"] = props.subject.strip()
    if props.created:
        hints["created"] = props.created.date().isoformat()
    return RawText(text="\n".join(lines), format="docx", hints=hints)


def _add_edge(part, lines: list[str], seen: set[str]) -> None:  # noqa: ANN001 - python-docx header/footer
    try:
        if part.is_linked_to_previous:
            return
        element = part._element  # the hdr/ftr XML; public API has no ordered walk with tables
    except (KeyError, ValueError, AttributeError):
        return
    for line in _block_lines(element):
        # Page-number fields and repeated headers of several sections are noise.
        if line.strip() and line not in seen and not line.strip().isdigit():
            seen.add(line)
            lines.append(line)


def _block_lines(container) -> list[str]:  # noqa: ANN001 - lxml element
    """Paragraphs and table rows under ``container``, in document order."""
    out: list[str] = []
    for child in container.iterchildren():
        tag = etree.QName(child).localname
        if tag == "p":
            out.append(_paragraph_text(child))
        elif tag == "tbl":
            for row in child.iter(f"{{{W_NS}}}tr"):
                cells = []
                for cell in row.iterchildren(f"{{{W_NS}}}tc"):
                    text = " ".join(t for t in (_paragraph_text(p) for p in cell.iter(f"{{{W_NS}}}p")) if t.strip())
                    if text.strip() and (not cells or cells[-1] != text):  # merged cells repeat
                        cells.append(text)
                if cells:
                    out.append("\t".join(cells))
        elif tag in ("sdt", "customXml", "ins", "smartTag"):
            content = child.find(f"{{{W_NS}}}sdtContent")
            out.extend(_block_lines(content if content is not None else child))
    return out


def _paragraph_text(p) -> str:  # noqa: ANN001 - lxml element
    parts: list[str] = []
    for el in p.iter():
        tag = etree.QName(el).localname if isinstance(el.tag, str) else ""
        if tag == "t" and el.text:
            parts.append(el.text)
        elif tag == "tab":
            parts.append("\t")
        elif tag in ("br", "cr"):
            parts.append("\n")
        elif tag == "delText":
            continue
    return "".join(parts)


def _extract_docx_raw(path: Path) -> RawText:
    try:
        with zipfile.ZipFile(path) as zf:
            name = next((n for n in zf.namelist() if n.lower() == "word/document.xml"), None)
            if name is None:
                raise ExtractionError(str(path), "not a DOCX: no word/document.xml")
            data = zf.read(name)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExtractionError(str(path), f"damaged DOCX archive ({exc})") from None
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(str(path), f"damaged DOCX: bad XML ({exc})") from None
    body = root.find(f"{{{W_NS}}}body")
    lines = _block_lines(body if body is not None else root)
    return RawText(text="\n".join(lines), format="docx", warnings=["read without python-docx"])


def extract_word2003xml(path: Path) -> RawText:
    """Read a Word 2003 XML (WordprocessingML) file: one line per ``w:p``, text from ``w:t``.

    :param path: the file (usually named ``.doc`` or ``.xml``).
    :raises ExtractionError: malformed XML.
    """
    try:
        tree = etree.parse(str(path), parser=etree.XMLParser(resolve_entities=False, no_network=True, recover=False))
    except (etree.XMLSyntaxError, OSError) as exc:
        raise ExtractionError(str(path), f"malformed Word 2003 XML ({exc})") from None
    root = tree.getroot()
    if etree.QName(root).localname == "package":
        return _extract_flat_opc(path, root)
    lines = []
    for p in root.iter(f"{{{W2003_NS}}}p"):
        parts = []
        for el in p.iter(f"{{{W2003_NS}}}t", f"{{{W2003_NS}}}tab", f"{{{W2003_NS}}}br"):
            local = etree.QName(el).localname
            if local == "t":
                parts.append(el.text or "")
            elif local == "tab":
                parts.append("\t")
            else:
                parts.append("\n")
        lines.append("".join(parts))
    hints: dict[str, str] = {}
    title = root.find(f".//{{{O_NS}}}DocumentProperties/{{{O_NS}}}Title")
    if title is not None and title.text and title.text.strip():
        hints["title"] = title.text.strip()
    author = root.find(f".//{{{O_NS}}}DocumentProperties/{{{O_NS}}}Author")
    if author is not None and author.text and author.text.strip():
        hints["author"] = author.text.strip()
    return RawText(text="\n".join(lines), format="word2003xml", hints=hints)


PKG_NS = "http://schemas.microsoft.com/office/2006/xmlPackage"


def _extract_flat_opc(path: Path, root) -> RawText:  # noqa: ANN001 - lxml element
    """Flat OPC (a whole DOCX package in one XML file): read the /word/document.xml part."""
    lines: list[str] = []
    found = False
    for part in root.iter(f"{{{PKG_NS}}}part"):
        name = part.get(f"{{{PKG_NS}}}name", "")
        if name in ("/word/document.xml", "/word/header1.xml", "/word/header2.xml", "/word/header3.xml") or (
            name.startswith("/word/") and name.rsplit("/", 1)[-1].startswith(("document", "header", "footer"))
        ):
            body = part.find(f".//{{{W_NS}}}body")
            container = body if body is not None else part.find(f".//{{{PKG_NS}}}xmlData/*")
            if container is None:
                continue
            found = found or name == "/word/document.xml"
            lines.extend(_block_lines(container))
    if not found:
        raise ExtractionError(str(path), "Word XML package without /word/document.xml")
    return RawText(text="\n".join(lines), format="word2003xml")
