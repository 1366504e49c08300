"""Extraction stage: file bytes -> raw text.

The format is sniffed from the bytes, never trusted from the extension: the real
corpus has DOCX saved as ``.doc``, Word 2003 XML saved as ``.doc``, binary Word
saved as ``.docx`` and HTML saved as ``.doc``. :func:`extract` applies the size
limits from :class:`~indexer.config.Config`, dispatches to one reader per format
(``pdf.py``, ``docx.py``, ``html.py``, ``text.py``, ``legacy.py``) and cuts
over-long text. Cleaning the text is the next stage (:mod:`indexer.cleanup`).
"""

from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from indexer.config import Config
from indexer.errors import ExtractionError, SkippedFile, UnsupportedFormat

logger = logging.getLogger(__name__)

__all__ = [
    "FORMATS",
    "RawText",
    "extract",
    "sniff_format",
    "glyph_garbage_ratio",
    "ExtractionError",
    "SkippedFile",
    "UnsupportedFormat",
]

#: Every value :func:`sniff_format` can return.
FORMATS: tuple[str, ...] = ("pdf", "docx", "doc", "wps", "word2003xml", "rtf", "html", "text", "markdown")

#: Warning put on files that hold no text at all (e.g. a DOCX with only an image).
NO_TEXT = "no text in file"
#: Warning put on files whose text layer is absent (scanned pages).
NO_TEXT_LAYER = "no text layer"
#: Warning put on files whose text layer decodes to glyph names or private-use characters.
GLYPH_GARBAGE = "glyph garbage: no usable text layer"

_HEAD_BYTES = 8192
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD2003_NS = b"schemas.microsoft.com/office/word/2003/wordml"
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|script|style|link|div|table|p|form|iframe)\b", re.I | re.S)
_HTML_ANYWHERE = re.compile(rb"<(html|body)\b[^>]*>", re.I)
_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown"}


@dataclass
class RawText:
    """Text as the format gives it, before cleanup.

    For PDFs the pages are separated by ``"\\f"`` so cleanup can drop page numbers
    and running headers/footers.
    """

    text: str
    format: str  # one of FORMATS
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
    hints: dict[str, str] = field(default_factory=dict)  # title, published_date (ISO), url, issuer, source, preamble…


def sniff_format(path: Path, head: bytes | None = None) -> str:
    """Tell the file's format from its bytes.

    The extension is only consulted to tell Markdown from plain text and ``.wps``
    from ``.doc`` (both pairs share their bytes).

    :param path: the file (opened for ZIP archives, to look for ``word/document.xml``).
    :param head: the first bytes of the file if already read; read from ``path`` otherwise.
    :returns: one of :data:`FORMATS`.
    :raises UnsupportedFormat: bytes of a format we do not read, with the reason.
    """
    path = Path(path)
    if head is None:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_BYTES)
    if not head:
        raise UnsupportedFormat(str(path), "empty file")
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(path)
    if head.startswith(_OLE_MAGIC):
        return "wps" if path.suffix.lower() == ".wps" else "doc"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<w:wordDocument"):
        if _WORD2003_NS in head or b"<w:wordDocument" in head or b"<pkg:package" in head:
            # Word 2003 XML, or its successor Flat OPC (Word 2007+ "XML document"): both are Word XML.
            return "word2003xml"
        if b"<html" in head.lower():
            return "html"
        raise UnsupportedFormat(str(path), "XML that is not Word 2003 XML or XHTML")
    if _HTML_START.match(stripped) or _HTML_ANYWHERE.search(head[:4096]):
        return "html"
    if head.startswith(b"SQLite format 3\x00"):
        raise SkippedFile(str(path), "SQLite database, not a document")
    if _looks_binary(head):
        raise UnsupportedFormat(str(path), f"binary data of an unknown format (starts with {head[:8].hex()})")
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson") and stripped[:1] in (b"{", b"["):
        # data (crawler metadata, exports): `govsearch import` reads records, `index` reads documents
        raise SkippedFile(str(path), "JSON data, not a document (use `govsearch import` for records)")
    if path.suffix.lower() in _MARKDOWN_SUFFIXES or b"<!-- INFO END -->" in head:
        return "markdown"
    return "text"


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsupportedFormat(str(path), f"damaged ZIP archive ({exc})") from None
    if "word/document.xml" in names or any(n.endswith("/document.xml") and n.startswith("word") for n in names):
        return "docx"
    if "content.xml" in names and "mimetype" in names:
        raise UnsupportedFormat(str(path), "OpenDocument file (not supported)")
    raise UnsupportedFormat(str(path), "ZIP archive without word/document.xml (not a DOCX)")


def _looks_binary(head: bytes) -> bool:
    """NUL bytes mean binary, unless the text is UTF-16/UTF-32 (with or without BOM)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" not in head:
        return False
    from indexer.extract.text import guess_utf16

    return guess_utf16(head) is None


def extract(path: Path, config: Config) -> RawText:
    """Read one file into :class:`RawText`.

    :param path: the file.
    :param config: supplies ``max_file_bytes``, ``max_chars``, ``soffice`` and ``file_timeout``.
    :returns: the raw text; ``text`` is empty with a warning for scans and glyph garbage.
    :raises SkippedFile: over ``max_file_bytes``, or a legacy Word file without LibreOffice.
    :raises UnsupportedFormat: bytes of a format we do not read.
    :raises ExtractionError: empty, corrupt, encrypted or undecodable file.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExtractionError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    if size == 0:
        raise ExtractionError(str(path), "empty file")
    if size > config.max_file_bytes:
        raise SkippedFile(str(path), f"file is {size} bytes, over the limit of {config.max_file_bytes} bytes")
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError as exc:
        raise ExtractionError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    fmt = sniff_format(path, head)
    logger.debug("extracting %s as %s", path, fmt)
    raw = _dispatch(path, fmt, config)
    if not raw.text.strip() and not raw.warnings:
        raw.warnings.append(NO_TEXT)
    return _limit(raw, config.max_chars)


def _dispatch(path: Path, fmt: str, config: Config) -> RawText:
    # Readers are imported lazily so a missing optional piece only hurts its own format.
    if fmt == "pdf":
        from indexer.extract.pdf import extract_pdf

        return extract_pdf(path)
    if fmt == "docx":
        from indexer.extract.docx import extract_docx

        return extract_docx(path, config)
    if fmt == "word2003xml":
        from indexer.extract.docx import extract_word2003xml

        return extract_word2003xml(path)
    if fmt in ("doc", "wps"):
        from indexer.extract.legacy import extract_legacy

        return extract_legacy(path, config, fmt)
    if fmt == "rtf":
        from indexer.extract.text import extract_rtf

        return extract_rtf(path)
    if fmt == "html":
        from indexer.extract.html import extract_html

        return extract_html(path)
    if fmt in ("text", "markdown"):
        from indexer.extract.text import extract_text

        return extract_text(path, markdown=fmt == "markdown")
    raise UnsupportedFormat(str(path), f"no reader for format {fmt!r}")


def _limit(raw: RawText, max_chars: int) -> RawText:
    if max_chars > 0 and len(raw.text) > max_chars:
        raw.text = raw.text[:max_chars]
        raw.warnings.append(f"text cut at {max_chars} characters")
    return raw


_GLYPH_NAME = re.compile(r"/G[0-9A-Fa-f]{2,4}|\(cid:\d+\)|/uni[0-9A-Fa-f]{4}|/g\d{1,5}")


def _is_suspect_char(ch: str) -> bool:
    cp = ord(ch)
    if cp < 0x80 or 0x4E00 <= cp <= 0x9FFF or 0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFFEF:
        return False
    if 0xE000 <= cp <= 0xF8FF or cp == 0xFFFD or 0xF0000 <= cp:
        return True  # private use / replacement: glyphs without a Unicode mapping
    # Scripts that do not occur in Chinese government texts but do come out of broken ToUnicode maps.
    return 0x0590 <= cp <= 0x1CFF or 0xA000 <= cp <= 0xABFF or 0x1100 <= cp <= 0x11FF


def glyph_garbage_ratio(text: str) -> float:
    """Share of the visible characters that are glyph names, CID codes or unmapped glyphs.

    :param text: extracted text.
    :returns: 0.0 (clean) to 1.0 (nothing usable); 0.0 for empty text.
    """
    visible = sum(1 for ch in text if not ch.isspace())
    if not visible:
        return 0.0
    bad = sum(len(m.group()) for m in _GLYPH_NAME.finditer(text))
    rest = _GLYPH_NAME.sub("", text)
    bad += sum(1 for ch in rest if _is_suspect_char(ch))
    return min(1.0, bad / visible)
