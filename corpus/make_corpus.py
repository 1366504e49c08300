#!/usr/bin/env python
"""Generate govsearch's fictional demo corpus (示例市) from the texts in ``corpus/source/``.

Every document is invented: the city 示例市, its districts, departments, people, numbers
and web addresses do not exist. The layout follows GB/T 9704-2012 closely enough for
metadata extraction to have real work to do: a red 发文机关标志 and separator line,
发文字号, title, 主送机关, numbered body, 附件 line, signature, 成文日期, 附注, 版记.

Run from the project root::

    .venv/bin/python corpus/make_corpus.py            # rewrite corpus/ in place
    .venv/bin/python corpus/make_corpus.py --out DIR  # write a copy elsewhere

Output is byte-for-byte deterministic for a given reportlab / python-docx version:
PDFs are written with ``invariant=1`` and DOCX packages get fixed core-property dates
and fixed zip member timestamps.

PDF text uses reportlab's built-in CID font ``STSong-Light`` (no font file is embedded
or needed); pypdf extracts it as Unicode, which :func:`check_pdf_text` verifies for every
generated PDF.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import logging
import re
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

CORPUS_DIR = Path(__file__).resolve().parent
SOURCE_DIR = CORPUS_DIR / "source"

#: Keys a sidecar ``<file>.json`` may hold (a subset of indexer.models.DocMeta fields).
SIDECAR_KEYS: tuple[str, ...] = ("index_no", "topic", "published_date", "region", "validity", "url", "interprets")
#: Columns of a folder's manifest.csv.
MANIFEST_COLUMNS: tuple[str, ...] = ("file", "index_no", "topic", "published_date", "validity", "url", "interprets")

FONT = "STSong-Light"
RED = (0.86, 0.0, 0.0)
CHINESE_NUMERALS = "〇一二三四五六七八九"
# Characters that must not start a line (Chinese line-breaking rules); they hang instead.
NO_LINE_START = set("，。、；：？！）》」』〕”’％…—,.;:?!)%")


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == ".")


# --------------------------------------------------------------------------- specs


def load_documents(source_dir: Path = SOURCE_DIR) -> list[dict[str, Any]]:
    """Load every document spec from ``source_dir/*.py`` (each module defines ``DOCS``).

    :param source_dir: folder of data modules, read in name order.
    :return: the specs with defaults filled in, in a stable order.
    """
    docs: list[dict[str, Any]] = []
    for module_path in sorted(source_dir.glob("docs_*.py")):
        spec = importlib.util.spec_from_file_location(f"_corpus_{module_path.stem}", module_path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        docs.extend(normalise_spec(d) for d in module.DOCS)
    files = [d["file"] for d in docs]
    dupes = {f for f in files if files.count(f) > 1}
    if dupes:
        raise ValueError(f"duplicate corpus files: {sorted(dupes)}")
    return docs


def normalise_spec(d: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults into one document spec and check its required keys.

    :param d: the spec as written in a data module.
    """
    for key in ("file", "title", "issuer", "written_date", "doc_type", "body"):
        if key not in d:
            raise ValueError(f"{d.get('file', '?')}: missing {key}")
    out = {
        "doc_number": "",
        "mark": None,  # 发文机关标志 lines; None for documents without a red head
        "mark_suffix": "文件",
        "addressees": "",
        "attachments": [],
        "attachment_body": "",
        "signature": None,  # defaults to the issuers
        "publicity": "",
        "cc": "",
        "printer": "",
        "signer": "",  # 签发人, for upward documents (报告)
        "is_interpretation": False,
        "interprets": None,  # corpus file of the interpreted policy
        "topic": "",
        "validity": "现行有效",
        "region": "示例市",
        "sidecar": None,
        "manifest": None,
        "messy": None,  # running header text for deliberately messy PDFs
        "number_in_header_only": False,
        "table": None,
        "source_line": "",
        "order_layout": False,  # 政府令 layout: number shown as 第N号, the rules follow the decree
        "doc_number_display": "",
        "attachment_title": "",  # heading of attachment_body when it is not an 附件 (e.g. a decree's rules)
    }
    out.update(d)
    out["format"] = out["file"].rsplit(".", 1)[-1]
    if out["signature"] is None:
        out["signature"] = list(out["issuer"])
    return out


def chinese_date(iso: str) -> str:
    """``2024-03-15`` -> ``2024年3月15日`` (Arabic numerals, as GB/T 9704-2012 prescribes)."""
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def paragraphs(text: str) -> list[str]:
    """Split a body text into paragraphs: one per non-empty line, stripped."""
    return [line.strip() for line in text.strip().splitlines() if line.strip()]


HEADING_1 = re.compile(r"^[一二三四五六七八九十]+、")
HEADING_2 = re.compile(r"^（[一二三四五六七八九十]+）")
HEADING_ARTICLE = re.compile(r"^第[一二三四五六七八九十]+[章节]")


# --------------------------------------------------------------------------- PDF


class PdfLayout:
    """A tiny flowing-text layout on a reportlab canvas, A4 with GB/T 9704 margins."""

    def __init__(self, target: io.BytesIO, spec: dict[str, Any]) -> None:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm
        from reportlab.pdfgen import canvas

        self.spec = spec
        self.mm = mm
        self.width, self.height = A4
        self.left = 28 * mm
        self.text_width = 156 * mm
        self.top = self.height - 37 * mm
        self.bottom = 35 * mm
        self.body_size = 15.8
        self.leading = 29.0
        self.canvas = canvas.Canvas(target, pagesize=A4, invariant=1)
        self.canvas.setTitle(spec["title"])
        self.canvas.setAuthor(spec["issuer"][0])
        self.canvas.setCreator("govsearch corpus/make_corpus.py")
        self.page = 1
        self.y = self.top
        self._decorate_page()

    # page furniture -------------------------------------------------------
    def _decorate_page(self) -> None:
        header = self.spec.get("messy")
        if not header:
            return
        c = self.canvas
        c.setFillColorRGB(0, 0, 0)
        c.setFont(FONT, 9)
        c.drawString(self.left, self.height - 20 * self.mm, header)
        c.drawRightString(self.left + self.text_width, self.height - 20 * self.mm, self.spec["doc_number"] or "")
        c.setLineWidth(0.4)
        c.line(self.left, self.height - 22 * self.mm, self.left + self.text_width, self.height - 22 * self.mm)
        c.setFont(FONT, 12)
        c.drawCentredString(self.width / 2, 18 * self.mm, f"- {self.page} -")

    def new_page(self) -> None:
        self.canvas.showPage()
        self.page += 1
        self.y = self.top
        self._decorate_page()

    def need(self, height: float) -> None:
        if self.y - height < self.bottom:
            self.new_page()

    def skip(self, lines: float = 1.0) -> None:
        self.y -= self.leading * lines

    # text -----------------------------------------------------------------
    def wrap(self, text: str, size: float, width: float, first_indent: float = 0.0) -> list[str]:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        lines: list[str] = []
        current = ""
        avail = width - first_indent
        for ch in text:
            if current and stringWidth(current + ch, FONT, size) > avail and ch not in NO_LINE_START:
                # keep numbers such as 2024 or 5.5 whole: carry their start over to the next line
                carry = ""
                if _is_word_char(ch):
                    while current and _is_word_char(current[-1]) and len(carry) < 12:
                        carry = current[-1] + carry
                        current = current[:-1]
                    if not current:
                        current, carry = carry, ""
                lines.append(current)
                current = carry
                avail = width
            current += ch
        if current:
            lines.append(current)
        return lines

    def text_line(
        self, text: str, size: float | None = None, align: str = "left", indent: float = 0.0,
        color: tuple[float, float, float] = (0, 0, 0), bold: bool = False, leading: float | None = None,
    ) -> None:
        size = size or self.body_size
        leading = leading or self.leading
        self.need(leading)
        self.y -= leading
        c = self.canvas
        # the text render mode outlives BT/ET, so scope it (and the colours) to this line
        c.saveState()
        c.setFillColorRGB(*color)
        c.setStrokeColorRGB(*color)
        c.setFont(FONT, size)
        text_obj = c.beginText()
        # fill+stroke imitates 黑体 headings; extraction is unaffected
        text_obj.setTextRenderMode(2 if bold else 0)
        c.setLineWidth(0.35)
        from reportlab.pdfbase.pdfmetrics import stringWidth

        w = stringWidth(text, FONT, size)
        if align == "center":
            x = self.left + (self.text_width - w) / 2
        elif align == "right":
            x = self.left + self.text_width - indent - w
        else:
            x = self.left + indent
        text_obj.setTextOrigin(x, self.y + (leading - size) / 2)
        text_obj.textOut(text)
        c.drawText(text_obj)
        c.restoreState()

    def paragraph(self, text: str, indent_chars: float = 2.0, size: float | None = None, bold: bool = False) -> None:
        size = size or self.body_size
        lines = self.wrap(text, size, self.text_width, first_indent=indent_chars * size)
        for i, line in enumerate(lines):
            self.text_line(line, size=size, indent=indent_chars * size if i == 0 else 0.0, bold=bold)

    def centered_block(self, text: str, size: float, color: tuple[float, float, float] = (0, 0, 0), leading: float | None = None) -> None:
        for line in self.wrap(text, size, self.text_width * 0.92):
            self.text_line(line, size=size, align="center", color=color, leading=leading or size * 1.6)

    def rule(self, color: tuple[float, float, float] = (0, 0, 0), width: float = 0.6, gap: float = 6.0) -> None:
        self.y -= gap
        self.canvas.setStrokeColorRGB(*color)
        self.canvas.setLineWidth(width)
        self.canvas.line(self.left, self.y, self.left + self.text_width, self.y)
        self.canvas.setStrokeColorRGB(0, 0, 0)

    def table(self, table: dict[str, Any]) -> None:
        rows: list[list[str]] = table["rows"]
        size = 12.0
        ncols = len(rows[0])
        col_w = self.text_width / ncols
        if table.get("caption"):
            self.text_line(table["caption"], size=13, align="center", bold=True)
        c = self.canvas
        for row in rows:
            cell_lines = [self.wrap(cell, size, col_w - 6) for cell in row]
            h = max(len(x) for x in cell_lines) * size * 1.4 + 8
            self.need(h)
            top = self.y
            c.setLineWidth(0.5)
            for ci, lines in enumerate(cell_lines):
                x0 = self.left + ci * col_w
                c.rect(x0, top - h, col_w, h)
                c.setFont(FONT, size)
                for li, line in enumerate(lines):
                    c.drawString(x0 + 3, top - 4 - size - li * size * 1.4, line)
            self.y = top - h
        self.y -= 6

    def save(self) -> None:
        self.canvas.showPage()
        self.canvas.save()


def render_pdf(spec: dict[str, Any]) -> bytes:
    """Lay out one document as a PDF and return its bytes.

    :param spec: a normalised document spec.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buf = io.BytesIO()
    pdf = PdfLayout(buf, spec)
    body_size = pdf.body_size

    if spec["mark"]:
        lines = spec["mark"]
        texts = [line + (spec["mark_suffix"] if i == len(lines) - 1 else "") for i, line in enumerate(lines)]
        # all lines of a joint 发文机关标志 share one size, set by the longest
        size = min(40.0, pdf.text_width * 0.9 / max(len(t) for t in texts))
        for text in texts:
            pdf.text_line(text, size=size, align="center", color=RED, leading=size * 1.35)
        pdf.skip(0.6)
        if spec["order_layout"]:
            pdf.text_line(spec["doc_number_display"], align="center")
        elif spec["signer"]:
            pdf.text_line(spec["doc_number"], indent=body_size)
            pdf.y += pdf.leading
            pdf.text_line(f"签发人：{spec['signer']}", align="right", indent=body_size)
        elif spec["doc_number"]:
            pdf.text_line(spec["doc_number"], align="center")
        pdf.rule(RED, width=1.6, gap=8)
        pdf.skip(0.4)
    else:
        pdf.skip(0.3)
    if not spec["order_layout"]:
        pdf.centered_block(spec["title"], size=21.5)
    else:
        pdf.skip(0.5)
    if spec["source_line"]:
        pdf.text_line(spec["source_line"], size=11, align="center", color=(0.35, 0.35, 0.35))
    pdf.skip(0.5)
    if spec["addressees"]:
        pdf.paragraph(spec["addressees"], indent_chars=0)
    render_pdf_body(pdf, spec, spec["body"])
    if spec["attachments"]:
        pdf.skip(1)
        render_pdf_attachment_line(pdf, spec["attachments"])
    render_pdf_signature(pdf, spec)
    if spec["attachment_body"]:
        pdf.new_page()
        if spec["attachments"]:
            pdf.text_line("附件" if len(spec["attachments"]) <= 1 else "附件1", bold=True)
            pdf.skip(0.3)
        pdf.centered_block(spec["attachment_title"] or spec["attachments"][0], size=21.5)
        pdf.skip(0.5)
        render_pdf_body(pdf, spec, spec["attachment_body"])
    if spec["cc"] or spec["printer"]:
        pdf.skip(1)
        pdf.need(pdf.leading * 3)
        pdf.rule(width=0.9, gap=4)
        if spec["cc"]:
            pdf.paragraph(spec["cc"], indent_chars=1, size=13.5)
            pdf.rule(width=0.4, gap=4)
        if spec["printer"]:
            pdf.text_line(spec["printer"], size=13.5, indent=13.5)
            pdf.y += pdf.leading
            pdf.text_line(chinese_date(spec["print_date"]) + "印发", size=13.5, align="right", indent=13.5)
            pdf.rule(width=0.9, gap=4)
    pdf.save()
    return buf.getvalue()


def render_pdf_body(pdf: PdfLayout, spec: dict[str, Any], text: str) -> None:
    for para in paragraphs(text):
        if para == "[TABLE]":
            pdf.table(spec["table"])
        elif para == "[PAGEBREAK]":
            pdf.new_page()
        elif HEADING_ARTICLE.match(para) and len(para) < 20:
            pdf.text_line(para, align="center", bold=True)
        else:
            pdf.paragraph(para, bold=bool(HEADING_1.match(para)) and len(para) < 40)


def render_pdf_attachment_line(pdf: PdfLayout, attachments: list[str]) -> None:
    if len(attachments) == 1:
        pdf.paragraph(f"附件：{attachments[0]}")
        return
    for i, name in enumerate(attachments, 1):
        pdf.paragraph(("附件：" if i == 1 else "　　　") + f"{i}.{name}")


def render_pdf_signature(pdf: PdfLayout, spec: dict[str, Any]) -> None:
    size = pdf.body_size
    pdf.skip(1.2)
    pdf.need(pdf.leading * (len(spec["signature"]) + 2))
    for name in spec["signature"]:
        pdf.text_line(name, align="right", indent=size * 2)
    pdf.text_line(chinese_date(spec["written_date"]), align="right", indent=size * 4)
    if spec["publicity"]:
        pdf.paragraph(spec["publicity"])


def check_pdf_text(data: bytes, spec: dict[str, Any]) -> None:
    """Check pypdf gets the document's text back from the generated PDF.

    Every paragraph must appear (whitespace ignored) unless the PDF is deliberately messy,
    in which case page furniture may split paragraphs; then the title and the doc number
    must still be there.

    :raises RuntimeError: naming the file and the first paragraph that was not found.
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    flat = re.sub(r"\s+", "", text)
    wanted = [spec["title"], spec["doc_number"] if not spec["order_layout"] else spec["doc_number_display"]]
    if not spec["messy"]:
        wanted += [p for p in paragraphs(spec["body"]) if not p.startswith("[")]
    for piece in wanted:
        if piece and re.sub(r"\s+", "", piece) not in flat:
            raise RuntimeError(f"{spec['file']}: pypdf does not extract {piece[:40]!r}")


# --------------------------------------------------------------------------- DOCX


def _set_run_font(run: Any, name: str, size: float, color: tuple[int, int, int] | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, r_fonts)
    r_fonts.set(qn("w:eastAsia"), name)
    if color:
        run.font.color.rgb = RGBColor(*color)


def _border(paragraph: Any, side: str, color: str, size: int) -> None:
    from docx.oxml.ns import qn

    p_pr = paragraph._element.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = p_pr.makeelement(qn("w:pBdr"), {})
        p_pr.append(borders)
    edge = borders.makeelement(qn(f"w:{side}"), {qn("w:val"): "single", qn("w:sz"): str(size), qn("w:space"): "1", qn("w:color"): color})
    borders.append(edge)


def render_docx(spec: dict[str, Any]) -> bytes:
    """Lay out one document as DOCX and return normalised (deterministic) bytes.

    :param spec: a normalised document spec.
    """
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    body_font, title_font = "仿宋_GB2312", "方正小标宋简体"

    def para(text: str = "", align: Any = None, size: float = 16, font: str = body_font, indent: bool = False,
             color: tuple[int, int, int] | None = None, bold: bool = False) -> Any:
        p = document.add_paragraph()
        if align is not None:
            p.alignment = align
        fmt = p.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = Pt(29)
        if indent:
            fmt.first_line_indent = Pt(size * 2)
        if text:
            _set_run_font(p.add_run(text), font, size, color, bold)
        return p

    def body(text: str) -> None:
        for line in paragraphs(text):
            if line == "[TABLE]":
                add_table(spec["table"])
            elif line == "[PAGEBREAK]":
                document.add_page_break()
            elif HEADING_1.match(line) and len(line) < 40:
                para(line, indent=True, font="黑体")
            elif HEADING_2.match(line) and len(line) < 40:
                para(line, indent=True, font="楷体_GB2312")
            elif HEADING_ARTICLE.match(line) and len(line) < 20:
                para(line, align=WD_ALIGN_PARAGRAPH.CENTER, font="黑体")
            else:
                para(line, indent=True)

    def add_table(table: dict[str, Any]) -> None:
        if table.get("caption"):
            para(table["caption"], align=WD_ALIGN_PARAGRAPH.CENTER, font="黑体", size=14)
        rows = table["rows"]
        t = document.add_table(rows=len(rows), cols=len(rows[0]))
        t.style = "Table Grid"
        for r, row in enumerate(rows):
            for ci, value in enumerate(row):
                cell = t.cell(r, ci)
                cell.text = ""
                _set_run_font(cell.paragraphs[0].add_run(value), body_font, 12, bold=(r == 0))

    if spec["number_in_header_only"]:
        header_p = section.header.paragraphs[0]
        header_p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _set_run_font(header_p.add_run(spec["doc_number"]), body_font, 10.5)

    if spec["mark"]:
        texts = [line + (spec["mark_suffix"] if i == len(spec["mark"]) - 1 else "") for i, line in enumerate(spec["mark"])]
        size = min(40, int(440 / max(len(t) for t in texts)))
        for text in texts:
            para(text, align=WD_ALIGN_PARAGRAPH.CENTER, size=size, font=title_font, color=(0xE0, 0, 0))
        para()
        if spec["number_in_header_only"]:
            number_p = para()
        elif spec["signer"]:
            number_p = para(f"{spec['doc_number']}　　　　　　　　签发人：{spec['signer']}")
        else:
            number_p = para(spec["doc_number"], align=WD_ALIGN_PARAGRAPH.CENTER)
        _border(number_p, "bottom", "E00000", 24)
        para()
    para(spec["title"], align=WD_ALIGN_PARAGRAPH.CENTER, size=22, font=title_font)
    if spec["source_line"]:
        para(spec["source_line"], align=WD_ALIGN_PARAGRAPH.CENTER, size=10.5, color=(0x59, 0x59, 0x59))
    para()
    if spec["addressees"]:
        para(spec["addressees"])
    body(spec["body"])
    if spec["attachments"]:
        para()
        for i, name in enumerate(spec["attachments"], 1):
            prefix = "附件：" if i == 1 else "　　　"
            para(prefix + (f"{i}.{name}" if len(spec["attachments"]) > 1 else name), indent=True)
    para()
    for name in spec["signature"]:
        p = para(name, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(32)
    p = para(chinese_date(spec["written_date"]), align=WD_ALIGN_PARAGRAPH.RIGHT)
    p.paragraph_format.right_indent = Pt(64)
    if spec["publicity"]:
        para(spec["publicity"], indent=True)
    if spec["attachment_body"]:
        document.add_page_break()
        if spec["attachments"]:
            para("附件", font="黑体")
        para(spec["attachment_title"] or spec["attachments"][0], align=WD_ALIGN_PARAGRAPH.CENTER, size=22, font=title_font)
        para()
        body(spec["attachment_body"])
    if spec["cc"] or spec["printer"]:
        para()
        if spec["cc"]:
            p = para(spec["cc"], size=14)
            _border(p, "top", "000000", 8)
            _border(p, "bottom", "000000", 4)
        if spec["printer"]:
            p = para(f"{spec['printer']}　　　　　　　　{chinese_date(spec['print_date'])}印发", size=14)
            _border(p, "bottom", "000000", 8)

    fixed = datetime.fromisoformat(spec["written_date"] + "T09:00:00")
    props = document.core_properties
    props.title = spec["title"]
    props.author = spec["issuer"][0]
    props.last_modified_by = spec["issuer"][0]
    props.created = fixed
    props.modified = fixed
    props.last_printed = fixed
    props.revision = 1
    props.comments = "govsearch fictional demo document"
    buf = io.BytesIO()
    document.save(buf)
    return normalise_zip(buf.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps so identical content gives identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- metadata files


def expected_entry(spec: dict[str, Any]) -> dict[str, Any]:
    """What a perfect extractor (plus sidecar reader and linker) would give for this file."""
    return {
        "title": spec["title"],
        "doc_number": spec["doc_number"],
        "issuer": list(spec["issuer"]),
        "written_date": spec["written_date"],
        "doc_type": spec["doc_type"],
        "is_interpretation": spec["is_interpretation"],
        "interprets": spec["interprets"],
        "topic": spec["topic"],
        "validity": spec["validity"],
        "region": spec["region"],
        "format": spec["format"],
        "metadata_source": "sidecar" if spec["sidecar"] else ("manifest" if spec["manifest"] else None),
    }


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def readme_text(docs: list[dict[str, Any]]) -> str:
    template = (SOURCE_DIR / "README.template.md").read_text(encoding="utf-8")
    rows = ["| file | title | doc_number | issuer | date | type | interprets |", "|---|---|---|---|---|---|---|"]
    for d in sorted(docs, key=lambda x: x["file"]):
        rows.append(
            "| {file} | {title} | {num} | {issuer} | {date} | {type}{val} | {interp} |".format(
                file=d["file"], title=d["title"], num=d["doc_number"] or "—", issuer="、".join(d["issuer"]),
                date=d["written_date"], type=d["doc_type"],
                val="" if d["validity"] == "现行有效" else f"（{d['validity']}）",
                interp=d["interprets"] or ("（库外政策）" if d["is_interpretation"] else ""),
            )
        )
    return template.replace("{{TABLE}}", "\n".join(rows)).replace("{{COUNT}}", str(len(docs)))


IGNORE_TEXT = """# The demo corpus's own machinery: not documents.
README.md
expected.json
make_corpus.py
source/
"""


def build(out_dir: Path, docs: list[dict[str, Any]]) -> dict[str, bytes]:
    """Produce every corpus file's bytes, keyed by path relative to ``out_dir``.

    :param out_dir: only used to name files in errors.
    :param docs: normalised specs from :func:`load_documents`.
    """
    files: dict[str, bytes] = {}
    manifests: dict[str, list[dict[str, str]]] = {}
    by_file = {d["file"]: d for d in docs}
    for spec in docs:
        if spec["interprets"] and spec["interprets"] not in by_file:
            raise ValueError(f"{spec['file']}: interprets unknown file {spec['interprets']}")
        if spec["format"] == "pdf":
            data = render_pdf(spec)
            check_pdf_text(data, spec)
        elif spec["format"] == "docx":
            data = render_docx(spec)
        else:
            raise ValueError(f"{spec['file']}: unsupported format {spec['format']}")
        files[spec["file"]] = data
        if spec["sidecar"]:
            unknown = set(spec["sidecar"]) - set(SIDECAR_KEYS)
            if unknown:
                raise ValueError(f"{spec['file']}: unknown sidecar keys {sorted(unknown)}")
            files[spec["file"] + ".json"] = json_text(spec["sidecar"]).encode("utf-8")
        if spec["manifest"] is not None:
            folder, name = spec["file"].rsplit("/", 1)
            row = {"file": name, **{k: spec["manifest"].get(k, "") for k in MANIFEST_COLUMNS[1:]}}
            manifests.setdefault(folder, []).append(row)
    for folder, rows in manifests.items():
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(MANIFEST_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: r["file"]))
        files[f"{folder}/manifest.csv"] = text.getvalue().encode("utf-8")
    expected = {d["file"]: expected_entry(d) for d in sorted(docs, key=lambda x: x["file"])}
    files["expected.json"] = json_text(expected).encode("utf-8")
    files["README.md"] = readme_text(docs).encode("utf-8")
    # `govsearch index corpus/` must index the documents, not this machinery
    files[".govsearchignore"] = IGNORE_TEXT.encode("utf-8")
    return files


def main(argv: list[str] | None = None) -> int:
    """Command line entry: write the corpus (default: next to this script)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=CORPUS_DIR, help="output folder (default: corpus/)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    write_corpus(args.out)
    return 0


def write_corpus(out_dir: Path = CORPUS_DIR) -> list[Path]:
    """Generate the whole corpus into ``out_dir`` (overwriting files of the same name).

    :param out_dir: target folder; corpus/ itself by default.
    :return: the paths written.
    """
    docs = load_documents()
    files = build(out_dir, docs)
    written = []
    for rel, data in sorted(files.items()):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    total = sum(len(b) for b in files.values())
    logger.info("wrote %d files (%d documents, %.1f KB) to %s", len(files), len(docs), total / 1024, out_dir)
    return written


if __name__ == "__main__":
    sys.exit(main())
