"""Policy <-> interpretation (政策解读) links: detection and resolution.

Two stages:

* :func:`detect_interpretation` / :func:`is_interpretation` run at ingest, on one document's
  metadata and text (and its url, when known), and say whether it is a 政策解读.
* :func:`refresh_links` runs after each sync over every interpretation in the index: it
  resolves the policy each one explains (:func:`resolve_interprets`, against a
  :class:`LinkIndex` built once per pass from stored fields) and writes ``interprets_id``
  only where it changed. Because the pass covers all interpretations, one indexed before
  its policy links as soon as the policy arrives, and a link is cleared when the policy
  goes away or no longer matches.

Precision comes first: a wrong link is worse than none, so an ambiguous or absent
citation resolves to ``None``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from indexer.docnumber import find_doc_numbers, normalize_doc_number
from indexer.models import DocMeta

if TYPE_CHECKING:  # engine imports nothing from here; keep the import one-way at runtime
    from indexer.engine import SearchEngine

logger = logging.getLogger(__name__)

__all__ = [
    "LINK_FIELDS",
    "LinkIndex",
    "LinkSummary",
    "cited_doc_numbers",
    "cited_titles",
    "detect_interpretation",
    "is_interpretation",
    "link_view",
    "normalize_title",
    "plan_links",
    "refresh_links",
    "resolve_interprets",
    "title_keys",
]

# ---------------------------------------------------------------------------------- detection

#: Cues in a title (outside the 《》 it cites) that make it an interpretation.
_TITLE_CUES = re.compile(
    r"政策解读|图文解读|解读|答记者问|答问|政策问答|问答|一图读懂|一图看懂|一图了解|图解|起草说明|编制说明|"
    r"新闻发布会|发布会|吹风会|负责人就"
)
#: Judicial interpretations (司法解释, 法释〔…〕) explain laws but are binding norms, not 政策解读.
_JUDICIAL = re.compile(r"司法解释|法释\s*[〔\[［(（]|最高人民(?:法院|检察院).{0,60}解释|立法解释")
#: A title ending in one of these is a policy (or a policy's cover), whatever it mentions.
_POLICY_ENDINGS = re.compile(
    r"(?:通知|意见|决定|办法|规定|方案|细则|批复|公告|通告|通报|函|条例|规划|纲要|准则|规则|标准|指引|措施|制度|规范|指南)$"
)
#: Interpretation columns of government portals: 政策解读 zcjd, 解读 jd, 政策问答 zcwd.
_URL_CUE = re.compile(r"/(?:[a-z]*_)?(?:zcjd|jd|zcwd|zcjd_[a-z]+|[a-z]*zcjd)(?:/|_|$)", re.I)
#: Interpretation phrasing in the first lines of the body.
_LEAD_CUES = re.compile(
    r"解读如下|解读说明如下|作如下解读|进行解读|政策解读|答记者问|回答了记者|接受记者采访|记者采访了|"
    r"起草背景|制定背景|出台背景|起草过程|编制背景|一图读懂|图解"
)
_LEAD_CHARS = 600


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _clean_title(title: str) -> str:
    """The title without a portal breadcrumb that extraction left in it (``首页>…>政策解读X``)."""
    t = _compact(title)
    if t.count(">") >= 2 or "您的位置" in t:
        t = re.split(r">|＞", t)[-1]
    return t


def _outside_quotes(title: str) -> str:
    """The title without what it cites in 《》 (possibly nested)."""
    out, depth = [], 0
    for ch in title:
        if ch in "《〈<":
            depth += 1
        elif ch in "》〉>":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _strip_trailing_brackets(title: str) -> str:
    prev = None
    while prev != title:
        prev = title
        title = re.sub(r"[(（【\[][^()（）【】\[\]]*[)）】\]]$", "", title).rstrip("。.")
    return title


def detect_interpretation(meta: DocMeta, text: str, url: str = "") -> tuple[bool, str]:
    """Whether a document is a 政策解读, and why.

    Title cues (解读, 答记者问, 政策问答, 一图读懂, 图解, 起草说明, 新闻发布会, 负责人就《…》…)
    count outside the 《》 the title cites; a title that ends as a policy does
    (``关于进一步做好政策解读工作的通知``) is a policy; 司法解释 / 法释 never count. A url in an
    interpretation column (``/zcjd/``, ``/jd/``) counts unless the page is plainly a policy
    (its title ends as a policy, it has a 发文字号 or says 印发, and its lead reads as the
    policy itself). Lead phrases (``解读如下``, ``答记者问``, ``起草背景``) count for a document
    without a 发文字号 whose title does not end as a policy.

    :param meta: the document's metadata (title, doc_number, url are used).
    :param text: its cleaned text.
    :param url: where it was published, if known (defaults to ``meta.url``).
    :returns: ``(is_interpretation, reason)``; the reason names the cue, for logs and tests.
    """
    title = _clean_title(meta.title)
    lead = _compact((text or "")[: _LEAD_CHARS * 2])[:_LEAD_CHARS]
    url = url or meta.url or ""
    if _JUDICIAL.search(title) or (not title and _JUDICIAL.search(lead[:120])):
        return False, "judicial interpretation (司法解释), not 政策解读"
    outside = _strip_trailing_brackets(_outside_quotes(title))
    policy_like = bool(_POLICY_ENDINGS.search(outside)) or (bool(title) and not outside.strip("的关于：:·—-"))
    cue = _TITLE_CUES.search(outside)
    if cue and not policy_like:
        return True, f"title cue {cue.group(0)}"
    if cue and policy_like:
        return False, f"title mentions {cue.group(0)} but ends as a policy"
    lead_cue = _LEAD_CUES.search(lead)
    path = url.split("?", 1)[0].split("#", 1)[0]
    # a column's own index page (…/zcjd/) lists interpretations; it is not one
    url_cue = _URL_CUE.search(path) if url and not path.endswith("/") else None
    if url_cue:
        if policy_like and (meta.doc_number or "印发" in title or "转发" in title) and not lead_cue:
            return False, "policy published in an interpretation column"
        return True, f"url {url_cue.group(0)}"
    if lead_cue and not meta.doc_number and not policy_like and title:
        return True, f"lead cue {lead_cue.group(0)}"
    return False, "no interpretation cue"


def is_interpretation(meta: DocMeta, text: str, url: str = "") -> bool:
    """Whether a document is a 政策解读 (see :func:`detect_interpretation`).

    :param meta: the document's metadata.
    :param text: its cleaned text.
    :param url: where it was published, if known (defaults to ``meta.url``).
    """
    return detect_interpretation(meta, text, url)[0]


# ---------------------------------------------------------------------------------- titles

_PUNCT = re.compile(r"[\s、，,。.；;：:“”\"'‘’·•・—\-–_《》〈〉<>「」『』!！?？]+")
_DOC_NUMBER_BRACKET = re.compile(r"[(（][^()（）]*(?:〔|\[|［|〕|号)[^()（）]*[)）]")
_WRAPPER = re.compile(r"^(?:关于)?(?:印发|转发|修订印发|重新印发|颁布|发布|公布)(.+?)(?:的)?(?:通知|决定|通告|公告|令)$")
_ABOUT_SUFFIX = re.compile(r"(?:的)?(?:通知|决定|通告|公告|函)$")
#: Words a title keeps after its subject when it is an interpretation of it.
_INTERP_SUFFIX = re.compile(
    r"(?:的)?(?:政策图文解读|图文解读|政策解读|解读|有关问题的?答记者问|答记者问|政策问答|问答|起草说明|编制说明)$"
)
_INTERP_PREFIX = re.compile(r"^(?:解读|图解|一图读懂|一图看懂|政策解读)[：:]?")


def normalize_title(title: str) -> str:
    """A comparable form of a title: no issuer prefix, 关于, 印发 wrapper, 的通知, punctuation.

    ``国家发展改革委 国家能源局关于印发《煤炭工业发展“十五五”规划》的通知`` and
    ``《煤炭工业发展“十五五”规划》`` both give ``煤炭工业发展十五五规划``. Qualifiers that make
    another document (（试行）, （2026年修订）, （征求意见稿）) are kept; a bracketed 发文字号 is dropped.

    :param title: a document title or a title cited in 《》.
    """
    t = _compact(title)
    t = re.sub(r"^【[^】]*】", "", t)
    t = t.replace("〈", "《").replace("〉", "》").replace("<", "《").replace(">", "》")
    t = _DOC_NUMBER_BRACKET.sub("", t)
    t = re.sub(r"[(（]?[\u4e00-\u9fff]{1,10}〔\d{4}〕\d+号[)）]?$", "", t)
    while len(t) > 2 and t[0] == "《" and t[-1] == "》" and t.count("《") == 1:
        t = t[1:-1]
    # the issuer's name runs up to 关于 (关于 is never part of a cited policy's subject)
    pos = t.find("关于")
    if 0 <= pos <= 60:
        t = t[pos:]
    m = _WRAPPER.match(t)
    if m and len(m.group(1)) >= 4:
        t = m.group(1)
    elif t.startswith("关于"):
        t = _ABOUT_SUFFIX.sub("", t[2:]) or t
    t = re.sub(r"^关于", "", t)
    return _PUNCT.sub("", t)


def title_keys(title: str) -> set[str]:
    """Every normalised form under which a policy with this title can be cited.

    :param title: the policy's title.
    """
    keys = {normalize_title(title)}
    compact = _compact(title)
    inner = re.search(r"《(.+)》", compact)
    if inner and ("印发" in compact or "转发" in compact):
        keys.add(normalize_title(inner.group(1)))
    return {k for k in keys if len(k) >= 4}


def _quoted(text: str) -> list[tuple[str, int, int]]:
    """Top-level 《…》 spans (nested 〈〉/《》 inside are kept), as (inner text, start, end)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "《":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                inner = text[start + 1 : i]
                if 2 <= len(inner) <= 120 and "\n" not in inner:
                    out.append((inner, start, i + 1))
    return out


_ALIAS = re.compile(r"(?:以下)?简称[为作“\"]?《([^》]{1,20})》")


def cited_titles(text: str) -> list[str]:
    """Titles cited in 《》, in order, without the short names defined by ``以下简称《…》``.

    :param text: a title or running text.
    """
    aliases = set(_ALIAS.findall(text or ""))
    seen: dict[str, None] = {}
    for inner, _, _ in _quoted(text or ""):
        if inner in aliases:
            continue
        seen.setdefault(inner, None)
    return list(seen)


_VERB_IN_PREFIX = re.compile(r"^.*(?:印发|转发|发布|出台|公布|制定)了?")


def cited_doc_numbers(text: str) -> list[str]:
    """Canonical 发文字号 quoted in running text, in order (``发改能源〔2026〕979号``, ``国令第842号``).

    :param text: running text.
    """
    out: dict[str, None] = {}
    for number, _, _ in find_doc_numbers(text or ""):
        canonical = number.canonical
        # find_doc_numbers trims only words it knows at the prefix's start, so in
        # "联合印发示民发〔2025〕6号" the verb stays inside; no issuer code contains these verbs
        verb = _VERB_IN_PREFIX.search(canonical.split("〔", 1)[0])
        if verb and verb.end() < len(canonical.split("〔", 1)[0]):
            canonical = canonical[verb.end():]
        out.setdefault(canonical, None)
    # 第842号国务院令 is how news copy quotes an order
    for m in re.finditer(r"第(\d{1,5})号(国务院令|[\u4e00-\u9fff]{2,8}令)", text or ""):
        prefix = "国令" if m.group(2) == "国务院令" else m.group(2)
        out.setdefault(f"{prefix}第{m.group(1)}号", None)
    return list(out)


# ---------------------------------------------------------------------------------- resolution


@dataclass
class Candidate:
    """A document that an interpretation may explain (the stored fields resolution needs)."""

    id: str
    title: str
    doc_number: str = ""
    issuer: list[str] = field(default_factory=list)
    day: date | None = None  # written date, else published date
    validity: str = ""

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> "Candidate":
        issuer = stored.get("issuer") or []
        if isinstance(issuer, str):
            issuer = [i for i in issuer.split(",") if i]
        return cls(
            id=stored["id"],
            title=stored.get("title", "") or "",
            doc_number=stored.get("doc_number", "") or "",
            issuer=list(issuer),
            day=_day(stored.get("written_date")) or _day(stored.get("published_date")),
            validity=stored.get("validity", "") or "",
        )


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


class LinkIndex:
    """Policies by id, by normalised title and by doc number; built once per pass.

    :param documents: stored-field dicts (as :meth:`SearchEngine.all_stored` returns them);
        interpretations are left out, since an interpretation explains a policy.
    """

    def __init__(self, documents: Iterable[dict[str, Any]]) -> None:
        self.by_id: dict[str, Candidate] = {}
        self.by_title: dict[str, list[Candidate]] = {}
        self.by_number: dict[str, list[Candidate]] = {}
        for stored in documents:
            if stored.get("is_interpretation"):
                continue
            self.add(Candidate.from_stored(stored), stored.get("title_keys"))

    def add(self, cand: Candidate, keys: Iterable[str] | None = None) -> None:
        """Make ``cand`` findable.

        :param keys: ``title_keys(cand.title)`` if already known (a :func:`link_view` holds them).
        """
        self.by_id[cand.id] = cand
        for key in title_keys(cand.title) if keys is None else keys:
            self.by_title.setdefault(key, []).append(cand)
        if cand.doc_number:
            self.by_number.setdefault(cand.doc_number, []).append(cand)

    def by_reference(self, ref: str) -> list[Candidate]:
        """Candidates for an explicit reference: a doc id, a doc number or a title."""
        ref = (ref or "").strip()
        if not ref:
            return []
        if ref in self.by_id:
            return [self.by_id[ref]]
        number = normalize_doc_number(ref)
        if number and number in self.by_number:
            return self.by_number[number]
        return self.by_title.get(normalize_title(ref), [])


#: An interpretation may carry a date a little before its policy's (publication lags writing).
_DATE_SLACK = timedelta(days=31)
_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,6}?(?:自治区|自治州|省|市|县|区|州|盟|旗))")


def _places(cand: Candidate) -> set[str]:
    out = set()
    for name in [*cand.issuer, re.sub(r"^【", "", cand.title)]:
        m = _PLACE.match(_compact(name))
        if m:
            place = m.group(1)
            out.add(place)
            out.add(re.sub(r"(?:自治区|自治州|省|市|县|区|州)$", "", place))
    return {p for p in out if len(p) >= 2}


def _choose(cands: list[Candidate], interp: dict[str, Any], context: str) -> tuple[Candidate | None, str]:
    """One candidate among several with the same title or number, or None when unsure."""
    self_id = interp.get("id")
    when = _day(interp.get("written_date")) or _day(interp.get("published_date"))
    cands = [c for c in {c.id: c for c in cands}.values() if c.id != self_id]
    if when:
        cands = [c for c in cands if c.day is None or c.day <= when + _DATE_SLACK]
    if not cands:
        return None, "no candidate dated before the interpretation"
    if len(cands) == 1:
        places = _places(cands[0])
        own = _places(Candidate.from_stored({"id": "", **interp}))
        if places and own and not any(p in context for p in places):
            # 龙岩's interpretation citing a title that only 福州's policy carries here
            return None, "the only candidate is another place's"
        return cands[0], "single candidate"
    # several issuers or places: the interpretation must name exactly one of them
    groups: dict[frozenset[str], list[Candidate]] = {}
    for c in cands:
        groups.setdefault(frozenset(_places(c)) or frozenset(c.issuer), []).append(c)
    if len(groups) > 1:
        scored = []
        for key, members in groups.items():
            score = sum(1 for p in key if p and p in context)
            scored.append((score, key, members))
        scored.sort(key=lambda s: -s[0])
        if scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            return None, "several issuers, none singled out"
        cands = scored[0][2]
        if len(cands) == 1:
            return cands[0], "issuer named in the interpretation"
    # versions of one policy: the one in force at the interpretation's date
    dated = [c for c in cands if c.day is not None]
    if when and dated:
        before = [c for c in dated if c.day <= when + _DATE_SLACK]  # type: ignore[operator]
        if before:
            latest = max(c.day for c in before)  # type: ignore[type-var]
            newest = [c for c in before if c.day == latest]
            if len(newest) == 1:
                return newest[0], "version in force at the interpretation's date"
            cands = newest
    current = [c for c in cands if c.validity == "现行有效"]
    if len(current) == 1:
        return current[0], "the version in force"
    if not when and dated:
        latest = max(c.day for c in dated)  # type: ignore[type-var]
        newest = [c for c in dated if c.day == latest]
        if len(newest) == 1:
            return newest[0], "latest version"
    return None, "several versions, none singled out"


_NEAR_BEFORE = re.compile(r"(?:印发|发布|出台|公布|颁布|修订|制定|出台了|印发了|发布了|公布了|就|解读|关于)[^《》。]{0,12}$")
_NEAR_AFTER = re.compile(r"^[^《》。]{0,6}[(（]?(?:[\u4e00-\u9fff]{1,12}〔\d{4}〕\d+号|以下简称|简称)")


def _subject_citations(lead: str) -> list[str]:
    """Citations in the lead that are introduced as the subject (印发《X》, 《X》（…号，以下简称…）)."""
    out = []
    aliases = set(_ALIAS.findall(lead))
    for inner, start, end in _quoted(lead):
        if inner in aliases:
            continue
        if _NEAR_BEFORE.search(lead[max(0, start - 14) : start]) or _NEAR_AFTER.search(lead[end : end + 40]):
            out.append(inner)
    return out


def resolve_interprets(interpretation: dict[str, Any], index: LinkIndex) -> str | None:
    """The id of the policy an interpretation explains, or None (see :func:`explain_resolution`).

    :param interpretation: the interpretation's stored fields (title, body, interprets, dates, id).
    :param index: the policies to choose from.
    """
    return explain_resolution(interpretation, index)[0]


def explain_resolution(interpretation: dict[str, Any], index: LinkIndex) -> tuple[str | None, str]:
    """The policy an interpretation explains, and the signal that decided it.

    In order: an explicit ``interprets`` (doc id, doc number or title; wins, and when it names
    nothing in the index there is no link); the titles cited in 《》 in the title; the title
    itself without its 解读 words; then the lead: titles introduced as the subject
    (印发《X》, 《X》（…号，以下简称…）) and doc numbers. Several candidates for one citation go
    to :func:`_choose` (issuer named, else the version in force at the interpretation's date).

    :returns: ``(policy id or None, reason)``.
    """
    title = _clean_title(interpretation.get("title", ""))
    body = interpretation.get("body", "") or ""
    lead = _compact(body[: _LEAD_CHARS * 3])[: _LEAD_CHARS * 2]
    context = title + lead
    explicit = (interpretation.get("interprets") or "").strip()
    if explicit:
        cands = index.by_reference(explicit)
        if not cands:
            return None, f"explicit reference {explicit!r} not in the index"
        chosen, why = _choose(cands, interpretation, context)
        return (chosen.id if chosen else None), f"explicit: {why}"

    def by_title(cited: str) -> tuple[Candidate | None, str] | None:
        cands = index.by_title.get(normalize_title(cited), [])
        return _choose(cands, interpretation, context) if cands else None

    title_cites = cited_titles(title)
    if title_cites:
        for cited in title_cites:
            found = by_title(cited)
            if found and found[0]:
                return found[0].id, f"title cites 《{cited}》 ({found[1]})"
        return None, "the title's citation is not in the index"
    without_suffix = _INTERP_SUFFIX.sub("", _outside_quotes(title))
    subject = _INTERP_PREFIX.sub("", without_suffix)
    subject = re.sub(r"^.{0,30}?负责人就", "", subject)
    if subject != title and len(normalize_title(subject)) >= 6:
        found = by_title(subject)
        if found and found[0]:
            return found[0].id, f"title names the policy ({found[1]})"
        if without_suffix != title and _POLICY_ENDINGS.search(_strip_trailing_brackets(subject)):
            # "X若干措施解读": X is the subject; when X is absent, what the lead cites is context
            return None, "the policy the title names is not in the index"
    numbers = cited_doc_numbers(lead)
    for cited in _subject_citations(lead):
        found = by_title(cited)
        if found and found[0]:
            return found[0].id, f"lead cites 《{cited}》 ({found[1]})"
    for number in numbers[:3]:
        cands = index.by_number.get(number, [])
        if cands:
            chosen, why = _choose(cands, interpretation, context)
            if chosen:
                return chosen.id, f"lead quotes {number} ({why})"
    return None, "no cited policy in the index"


# ---------------------------------------------------------------------------------- the pass


@dataclass
class LinkSummary:
    """What one :func:`refresh_links` pass did."""

    interpretations: int = 0
    linked: int = 0  # interpretations with a policy after the pass
    changed: list[str] = field(default_factory=list)  # ids whose interprets_id was set or changed
    cleared: list[str] = field(default_factory=list)  # ids whose interprets_id was removed


#: The stored fields link resolution reads (the body only for interpretations, and only its lead).
LINK_FIELDS = (
    "id", "title", "doc_number", "issuer", "written_date", "published_date", "validity",
    "is_interpretation", "interprets", "interprets_id",
)  # fmt: skip


def link_view(stored: dict[str, Any]) -> dict[str, Any]:
    """What :func:`plan_links` reads of a document's stored fields.

    Small enough to keep for every document of an index (:mod:`indexer.digests` does):
    a policy is its :data:`LINK_FIELDS`, an interpretation those and its body's lead.
    """
    view = {name: stored[name] for name in LINK_FIELDS if name in stored}
    if stored.get("is_interpretation") or stored.get("interprets"):
        view["body"] = (stored.get("body") or "")[: _LEAD_CHARS * 3]
    if not stored.get("is_interpretation"):
        # what LinkIndex files a policy under: normalising 10^5 titles again on every
        # sync took 3 s (a digest is kept, and changes only when its segment does)
        view["title_keys"] = tuple(sorted(title_keys(stored.get("title", "") or "")))
    return view


def plan_links(documents: list[dict[str, Any]]) -> tuple[LinkSummary, list[tuple[dict[str, Any], str | None]]]:
    """Decide every interpretation's link from stored fields, without writing.

    :param documents: every document's stored fields, or their :func:`link_view`.
    :returns: the summary and the ``(stored fields, new interprets_id or None)`` to write.
    """
    index = LinkIndex(documents)
    summary = LinkSummary()
    writes: list[tuple[dict[str, Any], str | None]] = []
    for stored in documents:
        current = stored.get("interprets_id") or None
        if stored.get("is_interpretation") or stored.get("interprets"):
            summary.interpretations += 1
            target, why = explain_resolution(stored, index)
            logger.debug("link %s -> %s: %s", stored.get("id"), target, why)
        else:
            target = None  # no longer an interpretation: nothing to point at
        summary.linked += bool(target)
        if target != current:
            writes.append((stored, target))
            (summary.changed if target else summary.cleared).append(stored["id"])
    return summary, writes


def refresh_links(engine: "SearchEngine", *, timeout: float = 0.0) -> LinkSummary:
    """Recompute every interpretation's policy and write ``interprets_id`` where it changed.

    Cheap when nothing changed: the documents are read from the segment digests (only a
    new segment's stored fields are read), no writer. Run it after each sync so
    late-arriving, changed or deleted policies are reflected.

    :param engine: the index.
    :param timeout: seconds to wait for the writer lock.
    :raises IndexLocked: when another writer holds the index past ``timeout``.
    """
    if not engine.exists():
        return LinkSummary()
    summary, writes = plan_links(engine.link_views())
    if writes:
        with engine.writer(timeout=timeout) as session:
            for stored, target in writes:
                whole = engine.stored(stored["id"])  # the document is re-added whole
                if whole is not None:
                    session.set_fields(whole, interprets_id=target)
    logger.info(
        "links: %d interpretations, %d linked, %d set, %d cleared",
        summary.interpretations, summary.linked, len(summary.changed), len(summary.cleared),
    )
    return summary
