"""PDF reader (pypdf): pages joined with ``"\\f"``, info dictionary as hints.

Scanned PDFs give no text and glyph-garbage PDFs (fonts without a ToUnicode map,
extracted as ``/G21/G22…`` or ``(cid:12)``) give unusable text: both come back as
empty text with a warning, not as an error, so indexing can report them.
"""

from __future__ import annotations

import logging
import re
import warnings
from datetime import datetime
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PdfStreamError

from indexer.errors import ExtractionError
from indexer.extract import GLYPH_GARBAGE, NO_TEXT_LAYER, RawText, glyph_garbage_ratio

logger = logging.getLogger(__name__)

#: Above this share of garbage characters the whole text layer is rejected.
GARBAGE_THRESHOLD = 0.3
#: Lines above this share are dropped from an otherwise usable text (garbled letterheads).
GARBAGE_LINE_THRESHOLD = 0.5
#: Fewer visible characters per page than this means the pages are images.
MIN_CHARS_PER_PAGE = 5

_PDF_DATE = re.compile(r"^D?:?(\d{4})(\d{2})?(\d{2})?")


def extract_pdf(path: Path) -> RawText:
    """Extract the text layer of a PDF.

    :param path: the PDF file.
    :returns: text with pages separated by ``"\\f"``; empty with ``"no text layer"`` or
        ``"glyph garbage: no usable text layer"`` when there is nothing usable.
    :raises ExtractionError: encrypted (and not openable with the empty password), corrupt or truncated.
    """
    # pypdf reports recoverable damage through `warnings`; pytest turns those into errors,
    # and for us they are only worth a log line.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(str(path), strict=False)
            if reader.is_encrypted:
                _decrypt(reader, path)
            page_texts = [_page_text(page) for page in reader.pages]
            info = _info_hints(reader)
        except ExtractionError:
            raise
        except (FileNotDecryptedError, DependencyError):
            raise ExtractionError(str(path), "encrypted PDF") from None
        except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, AttributeError,
                IndexError, AssertionError, RecursionError, OSError, UnicodeDecodeError) as exc:
            # pypdf surfaces broken object tables as any of these; all mean "damaged file".
            raise ExtractionError(str(path), f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from None

    pages = len(page_texts)
    if pages == 0:
        raise ExtractionError(str(path), "corrupt PDF: no pages")
    raw = RawText(text="\f".join(page_texts), format="pdf", pages=pages, hints=info)
    visible = sum(1 for ch in raw.text if not ch.isspace())
    if visible < MIN_CHARS_PER_PAGE * pages:
        logger.info("%s: no text layer (%d visible characters on %d pages)", path, visible, pages)
        raw.text = ""
        raw.warnings.append(NO_TEXT_LAYER)
        return raw
    ratio = glyph_garbage_ratio(raw.text)
    if ratio > GARBAGE_THRESHOLD:
        logger.info("%s: glyph garbage (%.0f%% of characters)", path, ratio * 100)
        raw.text = ""
        raw.warnings.append(GLYPH_GARBAGE)
        return raw
    if ratio > 0:
        raw.text, dropped = drop_garbled_lines(raw.text)
        if dropped:
            raw.warnings.append(f"dropped {dropped} garbled lines")
    return raw


def drop_garbled_lines(text: str) -> tuple[str, int]:
    """Remove lines that are mostly glyph garbage (e.g. a letterhead in an unmapped font).

    :param text: extracted text, pages separated by ``"\\f"``.
    :returns: the text without those lines, and how many were dropped.
    """
    dropped = 0
    pages = []
    for page in text.split("\f"):
        kept = []
        for line in page.split("\n"):
            if line.strip() and glyph_garbage_ratio(line) > GARBAGE_LINE_THRESHOLD:
                dropped += 1
                continue
            kept.append(line)
        pages.append("\n".join(kept))
    return "\f".join(pages), dropped


def _decrypt(reader: PdfReader, path: Path) -> None:
    try:
        ok = reader.decrypt("")
    except (DependencyError, NotImplementedError) as exc:
        raise ExtractionError(str(path), f"encrypted PDF ({exc})") from None
    if not ok:
        raise ExtractionError(str(path), "encrypted PDF")


def _page_text(page) -> str:  # noqa: ANN001 - pypdf PageObject
    return page.extract_text() or ""


def _info_hints(reader: PdfReader) -> dict[str, str]:
    hints: dict[str, str] = {}
    try:
        info = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError):
        return hints
    if not info:
        return hints
    title = str(info.get("/Title") or "").strip()
    title = re.sub(r"^Microsoft (Word|PowerPoint) - ", "", title)
    # Producer-made titles ("Untitled", file names) are not titles.
    if title and not re.search(r"\.(docx?|wps|pdf|xlsx?)$|^untitled$|^无标题", title, re.I):
        hints["title"] = title
    for key, name in (("/Author", "author"), ("/Subject", "subject"), ("/Keywords", "keywords")):
        value = str(info.get(key) or "").strip()
        if value:
            hints[name] = value
    created = _pdf_date(str(info.get("/CreationDate") or ""))
    if created:
        hints["created"] = created
    return hints


def _pdf_date(value: str) -> str:
    m = _PDF_DATE.match(value.strip())
    if not m or not m.group(2) or not m.group(3):
        return ""
    try:
        return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3))).date().isoformat()
    except ValueError:
        return ""
