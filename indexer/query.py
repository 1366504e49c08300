"""User text + filters -> Whoosh query objects. The one query pipeline of the project.

The site, the API and the CLI all reach this through :meth:`SearchEngine.search`.
Malformed syntax never raises: anything that cannot be read as syntax is plain text.

Stages, in order:

1. **normalise**: full-width ASCII to half-width, traditional to simplified (OpenCC
   ``t2s``), whitespace squeezed, length cut.
2. **fields** ``title:`` ``issuer:`` ``doc_number:`` (and 标题/发文机关/文号), with a
   quoted or bare value; a field name without a value is plain text.
3. **document numbers** in any spelling (〔2024〕 [2024] （2024） 2024年, with or without
   第…号) become an exact ``doc_number`` term (plus a low-weight body citation).
4. **quoted phrases** are required as phrases (in a question they only rank: quotes
   there emphasise a name).
5. **plain words**: jieba tokens without question words; each becomes a *concept*: the
   word, its synonyms (:mod:`indexer.synonyms`), the Chinese of typed pinyin
   (:mod:`indexer.pinyin`) or the correction of a typo (:mod:`indexer.spelling`),
   matched in title, body and issuer with the weights of :data:`RANKING`.
6. **short queries** require every concept (strict), relaxed to any of them when that
   finds nothing; **questions** (long, or worded as questions) rank by BM25F over any
   concept, times the share of concepts held; the engine then re-ranks their best hits by
   the question's wording (:mod:`indexer.overlap`).
7. **proximity**: neighbouring words close together in the body or title add a boost.

Ranking weights live in one :class:`Ranking` (:data:`RANKING`), chosen on the train
split of ``benchmarks/eval_ncp.py`` (see docs/search.md).
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh import query as q
from whoosh import scoring
from whoosh.util.times import datetime_to_long

from indexer.analysis import PUNCTUATION, normalize_width, tokenize
from indexer.array_search import numeric_column
from indexer.docnumber import find_doc_numbers, parse_doc_number
from indexer.errors import InvalidParameter
from indexer.models import FACET_FIELDS, SearchRequest
from indexer.pinyin import Vocabulary, is_pinyin_like
from indexer.places import place_forms
from indexer.spelling import Speller
from indexer.synonyms import Synonyms, default_synonyms, find_synonym_spans

logger = logging.getLogger(__name__)

#: Fields a plain word is looked up in.
TEXT_FIELDS: tuple[str, ...] = ("title", "body", "issuer_text")

#: Power-user field prefixes, Chinese and English, to schema fields.
FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "标题": "title",
    "issuer": "issuer_text",
    "发文机关": "issuer_text",
    "doc_number": "doc_number",
    "文号": "doc_number",
    "发文字号": "doc_number",
    "body": "body",
    "正文": "body",
}

#: Words citizens wrap questions in; they carry no meaning for retrieval.
QUESTION_WORDS: frozenset[str] = frozenset(
    """怎么 怎样 怎么样 如何 什么 为什么 吗 呢 吧 啊 有何 有哪些 哪些 哪个 哪里 哪儿 多少 是否 能否 可否 可以 能不能 是不是
    请问 想问 我想 我 我们 你 您 的 了 和 与 及 或 在 是 有 对 对于 关于 中 为 要 需要 应该 应当 会 该 就 都 还 也 又 被 把 给
    一下 一些 这个 那个 这些 那些 其 之 等 个 吗 呀 么 啥 咋 如何是好 哪 谁 几 何 怎 么样 有没有 要不要 需不需要 什么样""".split()
)

#: Question words cut out of the text *before* word segmentation: left in, jieba glues them
#: to their neighbours (人社部门有何 -> 人社部 / 门有何) and the content word is lost.
QUESTION_PHRASES: tuple[str, ...] = tuple(
    sorted(
        """有哪些 有什么 是什么 为什么 怎么样 怎么办 如何 怎么 怎样 什么 哪些 哪几个 哪几 哪个 有何 是否 能否 可否 多少 多久
        请问 有没有 要不要 需不需要 能不能 是不是 吗 呢""".split(),
        key=len,
        reverse=True,
    )
)
#: Particles that end a question (吗, 呢): one only counts as the last word jieba finds in a
#: piece of text; inside a word (吗啡, 毛呢, 呢绒) it is no question.
_FINAL_PARTICLES: tuple[str, ...] = ("吗", "呢")
_QUESTION_SPLIT = re.compile("|".join(map(re.escape, (p for p in QUESTION_PHRASES if p not in _FINAL_PARTICLES))))

#: Statuses (有效性) of documents no longer in force.
NOT_IN_FORCE: tuple[str, ...] = ("已废止", "已修改")


@dataclass
class Ranking:
    """Every ranking weight, by name. Defaults are the values chosen on the train split.

    Short keyword queries (at most ``strict_max_terms`` concepts) and long questions are
    weighted separately: a short query names a document (its title), a question is
    answered by body text.

    :ivar title_weight: short queries: query-time multiplier of a title match (on top of the schema's field boost).
    :ivar issuer_weight: short queries: multiplier of an issuer match.
    :ivar body_weight: short queries: multiplier of a body match (questions weigh the body 1).
    :ivar question_title_weight: questions: multiplier of a title match.
    :ivar question_issuer_weight: questions: multiplier of an issuer match (0 leaves the issuer out).
    :ivar synonym_weight: a synonym, pinyin reading or typo correction counts this much of the word typed (0: none).
    :ivar proximity_weight: short queries: boost of two neighbouring query words found within ``proximity_slop`` words.
    :ivar question_proximity_weight: the same for questions (0: no proximity clauses).
    :ivar proximity_slop: how many words apart still counts as near.
    :ivar strict_max_terms: queries with more concepts than this are questions (ranked, not all
        required); so is a query worded as a question (a question word or mark) with two or more.
    :ivar not_in_force_factor: score multiplier of documents repealed or amended (已废止/已修改).
    :ivar age_penalty: share of the score an old document loses (linearly over ``age_penalty_years``).
    :ivar age_penalty_years: age at which the whole ``age_penalty`` applies.
    :ivar bm25_b: BM25F length normalisation.
    :ivar bm25_k1: BM25F term-frequency saturation.
    :ivar title_b: BM25F length normalisation of the title: near 1, a title made of little
        more than the words typed beats a longer one containing them (劳动合同法 vs
        劳动合同法实施条例).
    :ivar title_rerank_depth: short queries: how many top hits are re-scored by title coverage (0: none).
    :ivar coverage_weight: questions: a hit's score is multiplied by ``1 + coverage_weight *
        share``, ``share`` being the share of the question's content words it holds (in
        some form): BM25's sum alone lets two frequent words outweigh a third, rarer one.
    :ivar overlap_depth: questions: how many top hits are re-scored by the question's
        character n-grams they hold (:mod:`indexer.overlap`; 0: none).
    :ivar overlap_weight: questions: a re-scored hit gets ``overlap_weight * share`` of the
        top score added, ``share`` being the idf-weighted share of the question's character
        bigrams it holds (idf among the re-scored hits).
    :ivar overlap_long_weight: the same for the question's 3- and 4-character n-grams
        (longer runs copied from the answering text).
    :ivar title_coverage_weight: short queries: a hit's score is multiplied by
        ``1 + title_coverage_weight * coverage`` (:func:`title_coverage`); a title equal to
        the query (normalised, synonyms allowed) ranks first (0: no re-rank).
    """

    # Chosen by the coordinate search of `benchmarks/eval_ncp.py --tune` on train questions only
    # (all 600, run of 2026-11-29 23:2x through SearchEngine.search; docs/search.md has the
    # table): with the share of question words held (coverage_weight) counted, bm25_k1 2.4 ->
    # 3.0 and bm25_b 0.9 -> 1.0 helped, and question proximity 0.5 (it had hurt before the
    # proximity bonus went to the best 300 matches) raised MRR@10+Recall@10 1.811 -> 1.843;
    # coverage_weight 0 -> 16: 1.825 -> 1.854; then question proximity 1.0: 1.849, 2.0: 1.850
    # (k1 4, question title 0.1 or 0.5, slop 3, coverage 8: no better). Question proximity
    # stays 0.5: within 0.01 of 2.0 on train, and better on the labelled set's questions
    # (success@1 0.500 vs 0.417). Two values of that search are overruled by the
    # labelled set (benchmarks/eval_queries.json), because the ncp questions contain neither
    # abbreviations nor typos: synonym_weight 0 (1.811 vs 1.808 at 0.8) would drop 社保 ->
    # 社会保险, and strict_max_terms 2 (1.852 vs 1.843) would treat a three-word typo such as
    # 劳动合通法 as a question, where spelling is off (typo success@1 0.8 -> 0.0).
    # body_weight 0.3 (short queries only) was chosen on the labelled set (the law itself above
    # texts citing it). title_coverage_weight 2: the re-rank for short queries (a citizen
    # typing 劳动合同法 names the law); 0.5-2 tie on train, 2 is best on the labelled set.
    # The wording re-rank (overlap_*) was searched on all 600 train questions on 2026-12-02
    # (docs/search.md): overlap_long_weight 0 -> 0.5: 1.8705 -> 1.8818, overlap_weight 0.5
    # (0: 1.8785), depth 20 (15: 1.8820 is a tie; 10: 1.8750, 30: 1.8795); k1, b, question
    # title weight, coverage and question proximity were searched again and stayed.
    title_weight: float = 2.0
    issuer_weight: float = 1.0
    body_weight: float = 0.3
    question_title_weight: float = 0.25
    question_issuer_weight: float = 0.0
    synonym_weight: float = 0.8
    proximity_weight: float = 0.5
    question_proximity_weight: float = 0.5
    proximity_slop: int = 2
    strict_max_terms: int = 4
    not_in_force_factor: float = 0.7
    age_penalty: float = 0.1
    age_penalty_years: float = 20.0
    bm25_b: float = 1.0
    bm25_k1: float = 3.0
    title_b: float = 0.75
    title_rerank_depth: int = 50
    title_coverage_weight: float = 2.0
    coverage_weight: float = 16.0
    overlap_depth: int = 20
    overlap_weight: float = 0.5
    overlap_long_weight: float = 0.5


#: The ranking in use. The evaluation script replaces it while tuning.
RANKING = Ranking()

# kept for callers of v1
STRICT_MAX_TERMS = RANKING.strict_max_terms

#: Most concepts (content words) a query is expanded to; the rest of a very long query is
#: ignored, so the cost of a search is bounded whatever is pasted into the box.
MAX_CONCEPTS = 32
#: Most alternative forms (synonyms, readings) per concept.
MAX_FORMS = 4
#: Most words marked in snippets and on the document page.
MAX_MARKED_TERMS = 40

_FIELD_CLAUSE = re.compile(r"(?P<field>" + "|".join(map(re.escape, FIELD_ALIASES)) + r")[:：]\s*(?:\"(?P<quoted>[^\"]*)\"|(?P<bare>[^\s\"]+))")
_QUOTED = re.compile(r"[\"“”「」『』]([^\"“”「」『』]+)[\"“”「」『』]")
_QUESTION_MARK = re.compile(r"[?？]")
_PUNCT = PUNCTUATION


@dataclass
class ParsedQuery:
    """What the user asked for, as Whoosh queries."""

    text: str  # the normalised query text
    strict: q.Query | None  # every word required; None = match everything
    relaxed: q.Query | None = None  # fallback when strict finds nothing (or the ranking query for questions)
    terms: list[str] = field(default_factory=list)  # words to mark on a document page
    doc_numbers: list[str] = field(default_factory=list)  # canonical doc numbers recognised
    notes: list[str] = field(default_factory=list)
    is_question: bool = False
    corrected: str = ""  # the query with typos corrected, when some were found
    expansions: dict[str, list[str]] = field(default_factory=dict)  # word -> synonyms / readings used
    concepts: list[q.Query] = field(default_factory=list)  # one query per content word (with its forms)
    chunks: list[str] = field(default_factory=list)  # the plain text without punctuation and question phrases


_converter_lock = threading.Lock()
_converter: Any = None


def to_simplified(text: str) -> str:
    """Traditional Chinese characters to simplified (OpenCC ``t2s``); other text unchanged.

    :param text: any text.
    """
    global _converter
    if not text or text.isascii():
        return text
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                import opencc  # noqa: PLC0415 - loads its dictionaries; only needed for Chinese text

                _converter = opencc.OpenCC("t2s")
    return _converter.convert(text)


def normalize_query(text: str, max_chars: int = 500) -> str:
    """Width-fold, traditional -> simplified, squeeze whitespace and cut to ``max_chars``.

    :param text: what was typed.
    :param max_chars: longer input is cut (before conversion, so the cost is bounded).
    """
    text = normalize_width((text or "")[: max_chars * 2])
    text = " ".join(text.split())[:max_chars]
    return to_simplified(text)


@dataclass
class _Concept:
    """One idea of the query: the words typed plus alternatives, each with a weight."""

    forms: list[tuple[list[str], float]]  # (tokens, weight); the first is what was typed
    label: str


def parse_user_query(
    text: str,
    *,
    scope: str = "all",
    max_chars: int = 500,
    vocabulary: Vocabulary | None = None,
    speller: Speller | None = None,
    synonyms: Synonyms | None = None,
    ranking: Ranking | None = None,
) -> ParsedQuery:
    """Turn what a citizen typed into Whoosh queries.

    :param text: raw query text, any syntax or none.
    :param scope: ``all`` | ``title`` | ``body`` | ``doc_number``: where plain words are looked for.
    :param max_chars: longer input is cut.
    :param vocabulary: the index's words, for pinyin readings; None skips pinyin.
    :param speller: for typo corrections; None skips them.
    :param synonyms: synonym groups; None means the shipped file.
    :param ranking: weights; None means :data:`RANKING`.
    """
    rk = ranking or RANKING
    norm = normalize_query(text, max_chars)
    if not norm:
        return ParsedQuery(text="", strict=None)
    syn = synonyms if synonyms is not None else default_synonyms()
    fields = _scope_fields(scope)
    required: list[q.Query] = []
    terms: list[str] = []
    notes: list[str] = []
    doc_numbers: list[str] = []

    rest = norm
    # field:value clauses
    for m in list(_FIELD_CLAUSE.finditer(rest)):
        fieldname = FIELD_ALIASES[m.group("field")]
        value = m.group("quoted") if m.group("quoted") is not None else m.group("bare")
        clause = _field_clause(fieldname, value, terms, doc_numbers)
        if clause is not None:
            required.append(clause)
        rest = rest.replace(m.group(0), " ", 1)

    # doc numbers typed in any spelling (searched exactly, whole query or inside it)
    whole = parse_doc_number(rest.strip()) if rest.strip() else None
    if whole is not None:
        found = [(whole, 0, len(rest))]
        rest_after = ""
    else:
        found = find_doc_numbers(rest)
        rest_after = rest
        for _, start, end in sorted(found, key=lambda f: -f[1]):
            rest_after = rest_after[:start] + " " + rest_after[end:]
    for number, _, _ in found:
        doc_numbers.append(number.canonical)
        required.append(_doc_number_query(number.canonical, fields))
    rest = rest_after
    if doc_numbers:
        notes.append("按发文字号检索：" + "、".join(_unique(doc_numbers)))

    # quoted phrases: required, except Chinese quotes in a question, which wrap a name for
    # emphasis (“八闽健康码”的用途是什么): there its words are ordinary words and the phrase
    # only ranks (the document may segment or word the name otherwise). ASCII quotes are
    # the search operator and stay required ("优化营商环境" 如何)
    asked = _is_asked(norm)
    phrases: list[q.Query] = []
    bonus: list[q.Query] = []
    for m in list(_QUOTED.finditer(rest)):
        words = tokenize(m.group(1))
        if asked and not m.group(0).startswith('"'):
            if len(words) > 1 and rk.question_proximity_weight > 0:
                # weighed like a question's proximity clauses (the words side by side)
                bonus.append(_phrase(fields, words, rk, rk.question_proximity_weight, question=True))
            continue
        if words:
            terms.extend(words)
            phrases.append(_phrase(fields, words))
        rest = rest.replace(m.group(0), " ", 1)

    # plain words -> concepts
    chunks = _text_chunks(rest)
    concepts, corrected_chunks, expansions = _concepts(rest, chunks, syn, vocabulary, speller, rk, notes)
    for c in concepts:
        for tokens, _ in c.forms:
            terms.extend(tokens)
    # long, or asked as a question (question words, a question mark) about two ideas or more
    is_question = len(concepts) > rk.strict_max_terms or (asked and len(concepts) > 1)
    word_clauses = [_concept_query(fields, c, rk, question=is_question) for c in concepts]

    strict: q.Query | None
    relaxed: q.Query | None = None
    if is_question:
        # Ranked by BM25F over every content word: a document answering the question holds
        # most of them, and ranks first by the sum. (Whoosh's Or ignores ``minmatch``, and a
        # required share of words cost recall on train: see docs/search.md.)
        ranked = q.Or(word_clauses)
        strict = q.And(required + [ranked]) if required else ranked
    else:
        clauses = required + phrases + word_clauses
        if not clauses:
            # only punctuation or question words: search them as typed rather than everything
            clauses = [_word(fields, w, rk) for w in tokenize(norm)[:MAX_CONCEPTS]]
        strict = q.And(clauses) if clauses else None
        # when all of it together finds nothing: any of the words; what the user marked as
        # exact (a quoted phrase, a document number, a field) stays required
        exact = required + phrases
        if len(word_clauses) > 1:
            relaxed = q.And(exact + [q.Or(word_clauses)]) if exact else q.Or(word_clauses)
    boost = _proximity(fields, concepts, rk, question=is_question)
    if bonus:
        boost = q.Or(([boost] if boost is not None else []) + bonus)
    if boost is not None:
        strict = q.AndMaybe(strict, boost) if strict is not None else None
        relaxed = q.AndMaybe(relaxed, boost) if relaxed is not None else None
    corrected = ""
    if corrected_chunks is not None:
        corrected = corrected_chunks
    return ParsedQuery(
        text=norm,
        strict=strict,
        relaxed=relaxed,
        terms=_unique(terms)[:MAX_MARKED_TERMS],
        doc_numbers=_unique(doc_numbers),
        notes=notes,
        is_question=is_question,
        corrected=corrected,
        expansions=expansions,
        concepts=word_clauses,
        chunks=chunks,
    )


def _concepts(
    text: str,
    chunks: list[str],
    syn: Synonyms,
    vocabulary: Vocabulary | None,
    speller: Speller | None,
    rk: Ranking,
    notes: list[str],
) -> tuple[list[_Concept], str | None, dict[str, list[str]]]:
    """Concepts of the plain text, the text with typos corrected (None if none), expansions used.

    :param chunks: ``text`` cut by :func:`_text_chunks` (the caller keeps them for the re-rank).
    """
    concepts: list[_Concept] = []
    expansions: dict[str, list[str]] = {}
    corrected_text = text
    any_correction = False
    seen: set[str] = set()
    chunk_tokens = [tokenize(c) for c in chunks]
    content = sum(1 for toks in chunk_tokens for t in toks if t not in QUESTION_WORDS)
    if content > rk.strict_max_terms:
        # a long question is ranked by many words; a rare one there is more likely a name than
        # a typo, and citizens asking in sentences type Chinese, not pinyin
        speller = None
        pinyin_vocabulary = None
    else:
        pinyin_vocabulary = vocabulary
    known = vocabulary.frequency if vocabulary is not None else None
    for tokens in chunk_tokens:
        if len(concepts) >= MAX_CONCEPTS:
            break
        spans = {s: (e, w) for s, e, w in find_synonym_spans(tokens, syn)}
        fixes: dict[int, tuple[int, str]] = {}
        if speller is not None:
            for s, e, corr in speller.correct_tokens(tokens)[0]:
                if any(t in QUESTION_WORDS for t in tokens[s:e]):
                    continue
                if corr.kind == "near_form" and _split_forms(tokens[s:e], known):
                    # it reads as two words the index holds (身份证法 = 身份证 + 法): a
                    # look-alike (身份证明) is no better a guess than what was typed
                    continue
                if not any(s < se and ss < e for ss, (se, _) in spans.items()):
                    original, replacement = corr.original, corr.replacement
                    # a single character left after the fix belongs to it (劳动合通 + 法 ->
                    # 劳动合同法, which the index holds as 劳动 + 合同法): one concept, not a
                    # dangling 法 required anywhere in the document
                    while (
                        e < len(tokens)
                        and len(tokens[e]) == 1
                        and known is not None
                        and all(known(t) > 0 for t in tokenize(replacement + tokens[e]))
                    ):
                        original, replacement, e = original + tokens[e], replacement + tokens[e], e + 1
                    fixes[s] = (e, replacement)
                    corrected_text = corrected_text.replace(original, replacement, 1)
                    any_correction = True
        i = 0
        while i < len(tokens):
            if i in spans:
                end, word = spans[i]
                alts = _known_alternatives(syn.expand(word), known) if rk.synonym_weight > 0 else []
                forms = [(tokens[i:end], 1.0)] + [(tokenize(a) or [a], rk.synonym_weight) for a in alts]
                expansions[word] = alts
                label = word
            elif i in fixes:
                end, replacement = fixes[i]
                label = "".join(tokens[i:end])
                fixed = tokenize(replacement) or [replacement]
                forms = [(tokens[i:end], 1.0)] + _split_forms(tokens[i:end], known)
                forms += [(fixed, 1.0)] + _split_forms(fixed, known)
                expansions[label] = [replacement]
                notes.append(f"{label} → {replacement}")
            else:
                end = i + 1
                word = tokens[i]
                if word in QUESTION_WORDS:
                    i = end
                    continue
                label = word
                forms = [([word], 1.0)] + _split_forms([word], known)
                # a place typed in one form stands for the other (陕西省 / 陕西)
                forms += [([f], 1.0) for f in place_forms(word) if f != word][:MAX_FORMS]
                readings = _pinyin_readings(word, pinyin_vocabulary)
                if readings:
                    expansions[word] = readings
                    notes.append(f"拼音 {word} → {'/'.join(readings)}")
                    for reading in readings:
                        forms.append((tokenize(reading) or [reading], 1.0))
                        for alt in _known_alternatives(syn.expand(reading), known) if rk.synonym_weight > 0 else []:
                            forms.append((tokenize(alt) or [alt], rk.synonym_weight))
            i = end
            if label in seen:
                continue
            seen.add(label)
            concepts.append(_Concept(forms=forms[: MAX_FORMS + 1], label=label))
            if len(concepts) >= MAX_CONCEPTS:
                break
    return concepts, (corrected_text if any_correction else None), expansions


def _text_chunks(text: str) -> list[str]:
    """``text`` cut at punctuation and at question phrases (the pieces that carry meaning)."""
    return [c for part in _PUNCT.split(text) if part for c in _QUESTION_SPLIT.split(_without_particle(part)) if c]


def _without_particle(part: str) -> str:
    """``part`` without a final 吗/呢 that jieba reads as a word of its own (not 吗啡, 毛呢)."""
    if part.endswith(_FINAL_PARTICLES) and tokenize(part)[-1:] == [part[-1]]:
        return part[:-1]
    return part


def _is_asked(text: str) -> bool:
    """Whether ``text`` is worded as a question: a question mark or a question word."""
    return bool(_QUESTION_MARK.search(text)) or any(
        _QUESTION_SPLIT.search(part) or _without_particle(part) != part for part in _PUNCT.split(text) if part
    )


def _split_forms(tokens: list[str], known: Callable[[str], int] | None) -> list[tuple[list[str], float]]:
    """A word no document holds, as the phrase of two words the index has (身份证法 -> 身份证 法).

    jieba's dictionary has words that documents never yield, because there the characters
    belong to a longer word (居民身份证法 is cut 居民身份证 / 法): typed alone, such a word
    finds nothing. Its longest known head and a known tail, adjacent, find what it names.
    """
    if known is None or len(tokens) != 1:
        return []
    word = tokens[0]
    if len(word) < 3 or known(word) > 0:
        return []
    for cut in range(len(word) - 1, 0, -1):
        head, tail = word[:cut], word[cut:]
        if known(head) > 0 and known(tail) > 0:
            return [([head, tail], 1.0)]
    return []


def _pinyin_readings(word: str, vocabulary: Vocabulary | None) -> list[str]:
    """Chinese words for a pinyin-looking token the index knows better in Chinese."""
    if vocabulary is None or not is_pinyin_like(word) or len(word) < 2:
        return []
    readings = vocabulary.from_pinyin(word, limit=2)
    own = vocabulary.frequency(word)
    return [r for r in readings if vocabulary.frequency(r) > own]


def _known_alternatives(alternatives: list[str], known: Any) -> list[str]:
    """Synonyms the index holds (all of them when there is no vocabulary to ask), at most MAX_FORMS."""
    if known is not None:
        alternatives = [a for a in alternatives if known(a) > 0 or all(known(t) > 0 for t in (tokenize(a) or [a]))]
    return alternatives[:MAX_FORMS]


def _concept_query(fields: tuple[str, ...], concept: _Concept, rk: Ranking, *, question: bool = False) -> q.Query:
    """One flat, field-weighted Or per concept: a term per (form, field), a phrase for multi-word forms."""
    subs: list[q.Query] = []
    for tokens, weight in concept.forms:
        if len(tokens) == 1:
            if fields == ("doc_number",):
                subs.append(q.Term("doc_number", tokens[0]))
                continue
            for f in fields:
                fw = _field_weight(f, rk, question)
                if fw > 0:
                    subs.append(q.Term(f, tokens[0], boost=weight * fw))
        else:
            subs.append(_phrase(fields, tokens, rk, weight, question=question))
    if not subs:  # every field weighed 0: fall back to the body
        subs = [q.Term("body", concept.forms[0][0][0])]
    return subs[0] if len(subs) == 1 else q.Or(subs)


def _proximity(fields: tuple[str, ...], concepts: list[_Concept], rk: Ranking, *, question: bool = False) -> q.Query | None:
    """Optional clauses rewarding neighbouring concepts found close together."""
    weight = rk.question_proximity_weight if question else rk.proximity_weight
    if weight <= 0 or len(concepts) < 2:
        return None
    near_fields = [f for f in fields if f in ("title", "body")]
    clauses: list[q.Query] = []
    for a, b in zip(concepts, concepts[1:]):
        words = a.forms[0][0] + b.forms[0][0]
        if len(words) < 2:
            continue
        for f in near_fields:
            boost = weight * _field_weight(f, rk, question)
            if boost > 0:
                clauses.append(q.Phrase(f, words, slop=rk.proximity_slop, boost=boost))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else q.Or(clauses)


def _field_weight(fieldname: str, rk: Ranking, question: bool = False) -> float:
    if fieldname == "title":
        return rk.question_title_weight if question else rk.title_weight
    if fieldname == "issuer_text":
        return rk.question_issuer_weight if question else rk.issuer_weight
    if fieldname == "body":
        # the body is the yardstick of a question's weights; short queries weigh it by body_weight
        return 1.0 if question else rk.body_weight
    return 1.0


class RankingWeighting(scoring.BM25F):
    """BM25F (``bm25_b``/``bm25_k1``) times document priors: validity and age.

    The priors are factors in (0, 1] applied in ``final()``: documents repealed or amended
    (已废止/已修改) are multiplied by ``not_in_force_factor``, and older documents lose up to
    ``age_penalty`` of their score linearly over ``age_penalty_years``. Whoosh turns its
    block-quality skipping off for weightings with ``final()``, so every match is scored
    and totals stay exact. The values come from sortable columns, read once per searcher
    into lists (a list index per match, not a column lookup).
    """

    use_final = True

    def __init__(self, ranking: Ranking | None = None, today: date | None = None) -> None:
        rk = ranking or RANKING
        super().__init__(B=rk.bm25_b, K1=rk.bm25_k1, title_B=rk.title_b)
        self.ranking = rk
        self.today = today or date.today()
        self._priors: tuple[int, list[float]] | None = None

    def final(self, searcher: Any, docnum: int, score: float) -> float:
        priors = self._priors
        if priors is None or priors[0] != id(searcher):
            priors = self._priors = (id(searcher), self.document_priors(searcher))
        factors = priors[1]
        return score * float(factors[docnum]) if docnum < len(factors) else score

    def document_priors(self, searcher: Any) -> np.ndarray:
        """The prior factor of every document of ``searcher``'s reader (one segment or all).

        Read segment by segment: Whoosh-Reloaded 2.7.5's ``MultiReader.column_reader``
        leaves out segments without a file for the column (a segment whose documents all
        lack a validity), so index-wide lookups land in the wrong segment or past its end.
        """
        reader = searcher.reader()
        parts = [self._segment_priors(leaf) for leaf, _ in reader.leaf_readers()]
        return np.concatenate(parts) if parts else np.ones(0)

    def _segment_priors(self, reader: Any) -> np.ndarray:
        rk = self.ranking
        count = reader.doc_count_all()
        factors = np.ones(count)
        if rk.not_in_force_factor < 1.0 and reader.has_column("validity"):
            validity = reader.column_reader("validity")
            out_of_force = np.fromiter((validity[d] in NOT_IN_FORCE for d in range(count)), dtype=bool, count=count)
            factors[out_of_force] *= rk.not_in_force_factor
        if rk.age_penalty > 0 and "sort_date" in reader.schema:
            horizon = max(rk.age_penalty_years, 1.0)
            if reader.has_column("sort_date"):
                raw = numeric_column(reader.column_reader("sort_date", translate=False), count).astype(np.float64)
            else:  # a segment of undated documents only has no column file
                raw = np.full(count, np.inf)
            # microseconds since datetime.min, whole days as date.days would count them
            dated = raw <= _LATEST_KEY  # undated documents hold the column's out-of-range default
            days = (_days_since_min(self.today) - np.floor(np.where(dated, raw, 0) / _USECS_PER_DAY))
            years = np.where(dated, np.maximum(0.0, days / 365.25), horizon / 2)  # undated: middle age
            factors *= 1.0 - rk.age_penalty * np.minimum(years, horizon) / horizon
        return factors


_USECS_PER_DAY = 86_400 * 1_000_000
_LATEST_KEY = float(datetime_to_long(datetime.max))


def _days_since_min(day: date) -> float:
    return float(datetime_to_long(datetime.combine(day, time.min)) // _USECS_PER_DAY)


#: Prefixes dropped from a title before measuring coverage: they name the state or the
#: issuer, not the document (中华人民共和国劳动合同法 is what a citizen calls 劳动合同法).
TITLE_PREFIXES: tuple[str, ...] = ("中华人民共和国",)
#: Endings naming the kind of document (关于…的通知), dropped before measuring coverage.
TITLE_ENDINGS: tuple[str, ...] = tuple(
    sorted(
        """的通知 的决定 的意见 的公告 的通告 的批复 的复函 的函 的通报 的报告 的请示 的决议 的命令 的指示
        通知 公告 通告""".split(),
        key=len,
        reverse=True,
    )
)
_TITLE_NOISE = re.compile(r"[\s《》〈〉<>“”\"'‘’「」『』、，,.。:：;；·\-—_]+")
#: A version note at the end of a title: （2018年修正） (2020修订) 〔2019〕 and the like.
_TITLE_VERSION = re.compile(r"[(（〔\[][^()（）〔〕\[\]]*[)）〕\]]$")


@lru_cache(maxsize=65536)  # the re-rank asks for the same titles query after query
def title_core(title: str) -> str:
    """The part of a title that names the document, for comparing it with a query.

    Normalised like a query (width, simplified script), without spaces, quotes and 《》,
    without a trailing version note, 中华人民共和国, an issuer before 关于 (and 关于
    itself), 印发/转发, and endings like 的通知. Never empty when the title is not.

    :param title: a document title (or a query).
    """
    text = _TITLE_NOISE.sub("", normalize_query(title))
    full = text
    while True:
        cut = _TITLE_VERSION.sub("", text)
        if cut == text or not cut:
            break
        text = cut
    for prefix in TITLE_PREFIXES:
        text = text.replace(prefix, "")
    if "关于" in text:
        text = text.split("关于", 1)[1]
    for lead in ("印发", "转发"):
        if text.startswith(lead):
            text = text[len(lead) :]
    for ending in TITLE_ENDINGS:
        if text.endswith(ending):
            if len(text) > len(ending):
                text = text[: -len(ending)]
            break
    return text or full


def title_coverage(title: str, parsed: ParsedQuery) -> tuple[float, bool]:
    """How much of a hit's title the query covers, and whether the two are the same name.

    The coverage is the share of the title's characters (of :func:`title_core`) covered by
    the words typed, their synonyms, readings and corrections, times the share of the
    words typed that the title holds (in some form): 劳动合同法 covers all of the title
    劳动合同法 and 5/9 of 劳动合同法实施条例. The name is the same when the cores are
    equal, or when both shares are whole (个税法 and 个人所得税法 through a synonym).

    :param title: the hit's title.
    :param parsed: the parsed query (its text, terms and expansions).
    :returns: (coverage in [0, 1], same name).
    """
    core = title_core(title)
    typed = title_core(parsed.text)
    if not core or not typed:
        return 0.0, False
    if core == typed:
        return 1.0, True
    forms = {typed, *parsed.terms}
    for word, alternatives in parsed.expansions.items():
        forms.add(word)
        forms.update(a for a in alternatives)
    covered = [False] * len(core)
    for form in forms:
        form = form.strip()
        if not form:
            continue
        start = core.find(form)
        while start >= 0:
            for i in range(start, start + len(form)):
                covered[i] = True
            start = core.find(form, start + 1)
    title_share = sum(covered) / len(core)
    # the words as typed, chunk by chunk (pinyin syllables stay apart: shehui baoxian)
    spaced = " ".join(title_core(chunk) for chunk in parsed.text.split())
    words = [w for w in _typed_words(spaced) if w.strip()] or [typed]
    held = 0
    for w in words:
        if w in core:
            held += 1
            continue
        alternatives = [a for label, alts in parsed.expansions.items() if w in label for a in alts]
        if any(a and a in core for a in alternatives):
            held += 1
    query_share = held / len(words)
    return title_share * query_share, title_share >= 1.0 and query_share >= 1.0


def build_filter(request: SearchRequest) -> q.Query | None:
    """Facet filters (OR within a field, AND across fields) and the date range."""
    parts: list[q.Query] = []
    for fieldname, values in request.filters.items():
        if fieldname not in FACET_FIELDS:
            continue
        values = [v for v in values if v]
        if values:
            parts.append(q.Or([q.Term(fieldname, v) for v in values]))
    if request.date_from or request.date_to:
        start = datetime.combine(request.date_from, time.min) if request.date_from else None
        end = datetime.combine(request.date_to, time.max) if request.date_to else None
        parts.append(q.DateRange("sort_date", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else q.And(parts)


def _scope_fields(scope: str) -> tuple[str, ...]:
    if scope == "title":
        return ("title",)
    if scope == "body":
        return ("body",)
    if scope == "doc_number":
        return ("doc_number",)
    return TEXT_FIELDS


@lru_cache(maxsize=4096)
def _typed_words(typed: str) -> tuple[str, ...]:
    """:func:`_content_words` of a query's title core, once per query rather than once per hit."""
    return tuple(_content_words(typed))


def _content_words(text: str) -> list[str]:
    """Tokens of ``text`` without punctuation and question words (in order, once each).

    Cut like the query itself (:func:`_text_chunks`): question phrases out before jieba,
    or it glues them to their neighbours (人社部门有何 -> 人社部 / 门有何).
    """
    return _unique([w for chunk in _text_chunks(text) for w in tokenize(chunk) if w not in QUESTION_WORDS])


def _word(fields: tuple[str, ...], word: str, rk: Ranking | None = None, weight: float = 1.0) -> q.Query:
    rk = rk or RANKING
    if fields == ("doc_number",):
        return q.Term("doc_number", word)
    subs = [q.Term(f, word, boost=weight * _field_weight(f, rk)) for f in fields]
    return subs[0] if len(subs) == 1 else q.Or(subs)


def _phrase(
    fields: tuple[str, ...], words: list[str], rk: Ranking | None = None, weight: float = 1.0, *, question: bool = False
) -> q.Query:
    rk = rk or RANKING
    text_fields = [f for f in fields if f in ("title", "body")] or ["title", "body"]
    if len(words) == 1:
        return _word(tuple(text_fields), words[0], rk, weight)
    subs = [q.Phrase(f, words, boost=weight * (_field_weight(f, rk, question) or 1.0)) for f in text_fields]
    return subs[0] if len(subs) == 1 else q.Or(subs)


def _doc_number_query(canonical: str, fields: tuple[str, ...]) -> q.Query:
    exact = q.Term("doc_number", canonical)
    if fields == ("doc_number",):
        return exact
    # a document that cites the number in its body matches too, ranked far below the exact one
    cited = q.Phrase("body", tokenize(canonical), boost=0.2) if len(tokenize(canonical)) > 1 else None
    return q.Or([exact, cited]) if cited is not None else exact


def _field_clause(fieldname: str, value: str, terms: list[str], doc_numbers: list[str]) -> q.Query | None:
    value = value.strip()
    if not value:
        return None
    if fieldname == "doc_number":
        number = parse_doc_number(value)
        if number is not None:
            doc_numbers.append(number.canonical)
            return q.Term("doc_number", number.canonical)
        return q.Prefix("doc_number", value)
    words = tokenize(value)
    terms.extend(words)
    if not words:
        return None
    if len(words) == 1:
        return q.Term(fieldname, words[0])
    return q.Phrase(fieldname, words) if fieldname != "issuer_text" else q.And([q.Term(fieldname, w) for w in words])


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]


def parse_date(value: str | None, name: str) -> date | None:
    """A ``YYYY-MM-DD`` (or ``YYYY``) request parameter as a date; empty means none.

    :raises InvalidParameter: naming the parameter.
    """
    if not value:
        return None
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return date(int(value), 1, 1) if name.endswith("from") else date(int(value), 12, 31)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidParameter(name, f"not a date (YYYY-MM-DD): {value!r}") from None
