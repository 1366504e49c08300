"""Plain text, Markdown and RTF readers.

Text is decoded from UTF-8, UTF-16/32 (BOM or NUL pattern) or GB18030 (a superset
of GBK and GB2312, the usual encodings of Chinese Windows files).
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from indexer.errors import ExtractionError
from indexer.extract import RawText

logger = logging.getLogger(__name__)

INFO_END = "<!-- INFO END -->"

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def guess_utf16(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when BOM-less bytes look like UTF-16, else ``None``.

    Text in UTF-16 has a NUL in every other byte for ASCII; CJK text has none, so
    only a clear majority of NULs on one side counts.

    :param data: the first bytes of a file.
    """
    sample = data[: 4096 - (len(data[:4096]) % 2)]
    if len(sample) < 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    # Mostly-CJK UTF-16 has few NULs: accept a decoding that reads as text with line breaks.
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            decoded = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\n" in decoded and _reads_as_text(decoded):
            return encoding
    return None


def _reads_as_text(text: str) -> bool:
    ok = sum(1 for ch in text if ch in "\n\r\t\f" or (ch.isprintable() and (ord(ch) < 0x250 or 0x2000 <= ord(ch) <= 0x9FFF or 0xFF00 <= ord(ch) <= 0xFFEF)))
    return ok >= 0.97 * len(text)


def decode_bytes(data: bytes, path: Path | str = "") -> tuple[str, str]:
    """Decode text bytes.

    :param data: the whole file.
    :param path: for the error message.
    :returns: the text and the encoding used.
    :raises ExtractionError: none of UTF-8, UTF-16/32 and GB18030 decodes it.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise ExtractionError(str(path), f"undecodable text: bad {encoding} after BOM ({exc.reason})") from None
    utf16 = guess_utf16(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ExtractionError(str(path), "undecodable text: not UTF-8, UTF-16 or GB18030")


def extract_text(path: Path, *, markdown: bool = False) -> RawText:
    """Read a plain-text or Markdown file.

    For Markdown the markup is stripped (headings keep their text); in lawrefbook
    files the issuing/amendment header before ``<!-- INFO END -->`` is moved out of
    the text into ``hints["preamble"]``.

    :param path: the file.
    :param markdown: strip Markdown markup.
    :raises ExtractionError: undecodable or unreadable.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ExtractionError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    if not data:
        raise ExtractionError(str(path), "empty file")
    text, encoding = decode_bytes(data, path)
    if "\x00" in text:
        raise ExtractionError(str(path), f"undecodable text: NUL characters after decoding as {encoding}")
    hints: dict[str, str] = {}
    fmt = "markdown" if markdown else "text"
    if markdown:
        text = _FRONT_MATTER.sub("", text, count=1)
        preamble = ""
        if INFO_END in text:
            preamble, text = text.split(INFO_END, 1)
            hints["preamble"] = strip_markdown(preamble).strip()
        title = _markdown_title(preamble) or _markdown_title(text)
        text = strip_markdown(text)
        if title:
            hints["title"] = title
    return RawText(text=text, format=fmt, hints=hints)


_FRONT_MATTER = re.compile(r"\A\ufeff?---\n.*?\n---[ \t]*\n", re.S)
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$")


def _markdown_title(text: str) -> str:
    for line in text.splitlines():
        m = _MD_HEADING.match(line)
        if m and m.group(1).strip():
            return strip_markdown(m.group(1)).strip()
    return ""


_MD_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M), r"\1"),  # headings: keep the text
    (re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.M), ""),  # horizontal rules
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.M), ""),  # block quotes
    (re.compile(r"^```.*$", re.M), ""),  # code fences
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links: link text
    (re.compile(r"^[ \t]*[-*+][ \t]+", re.M), ""),  # bullets
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # italics
    (re.compile(r"`([^`]+)`"), r"\1"),  # inline code
    (re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$", re.M), ""),  # table rule
    (re.compile(r"<[A-Za-z/][^>]*>"), ""),  # inline HTML tags
)


def strip_markdown(text: str) -> str:
    """Remove Markdown markup, keeping the words (and heading text).

    :param text: Markdown source.
    :returns: plain text, one source line per line.
    """
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    # Table rows: cells separated by tabs.
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            line = "\t".join(cell.strip() for cell in stripped[1:-1].split("|"))
        lines.append(line)
    return "\n".join(lines)


# --- RTF -------------------------------------------------------------------------------

_RTF_TOKEN = re.compile(r"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}]+)", re.S)
_RTF_SKIP_DESTINATIONS = {
    "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "themedata", "colorschememapping",
    "latentstyles", "datastore", "xmlnstbl", "listtable", "listoverridetable", "rsidtbl", "generator",
    "header", "footer", "headerl", "headerr", "headerf", "footerl", "footerr", "footerf", "fldinst",
}


def rtf_to_text(rtf: str) -> str:
    """Plain text of an RTF document (paragraphs, ``\\uN`` and ``\\'hh`` escapes in the ANSI code page).

    :param rtf: the RTF source (as Latin-1 decoded bytes).
    """
    codepage = "cp1252"
    m = re.search(r"\\ansicpg(\d+)", rtf)
    if m:
        codepage = "gb18030" if m.group(1) == "936" else f"cp{m.group(1)}"
    try:
        codecs.lookup(codepage)
    except LookupError:
        codepage = "cp1252"
    out: list[str] = []
    pending = bytearray()  # \'hh bytes of a multibyte character
    stack: list[tuple[bool, int]] = []
    skip = False
    uc = 1  # characters to skip after \uN
    skip_chars = 0

    def flush() -> None:
        if pending:
            out.append(pending.decode(codepage, errors="replace"))
            pending.clear()

    for word, arg, hexbyte, symbol, brace, plain in _RTF_TOKEN.findall(rtf):
        if brace == "{":
            flush()
            stack.append((skip, uc))
            continue
        if brace == "}":
            flush()
            skip, uc = stack.pop() if stack else (False, 1)
            continue
        if skip:
            continue
        if hexbyte:
            if skip_chars:
                skip_chars -= 1
                continue
            pending.append(int(hexbyte, 16))
            continue
        flush()
        if symbol:
            if symbol == "*":
                skip = True
            elif symbol in "\\{}":
                out.append(symbol)
            elif symbol == "~":
                out.append(" ")
            elif symbol in "\n\r":
                out.append("\n")
            continue
        if word:
            if word in _RTF_SKIP_DESTINATIONS:
                skip = True
            elif word == "uc" and arg:
                uc = int(arg)
            elif word == "u" and arg:
                code = int(arg)
                out.append(chr(code + 65536 if code < 0 else code))
                skip_chars = uc
            elif word in ("par", "line", "row", "sect", "page"):
                out.append("\n")
            elif word in ("tab", "cell"):
                out.append("\t")
            continue
        if plain:
            text = plain.replace("\r", "").replace("\n", "")
            if skip_chars:
                cut = min(skip_chars, len(text))
                text = text[cut:]
                skip_chars -= cut
            out.append(text)
    flush()
    return "".join(out)


def extract_rtf(path: Path) -> RawText:
    """Read an RTF file.

    :param path: the file.
    :raises ExtractionError: unreadable.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ExtractionError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    return RawText(text=rtf_to_text(data.decode("latin-1")), format="rtf")
