"""Assemble an N-document benchmark corpus: real documents read in place plus generated ones.

The corpus is a list of file paths (``manifest.txt`` in the corpus folder):

* **real files, in place**: lawrefbook Markdown from ``../shared/corpus/lawrefbook`` (never
  copied; the manifest points at them);
* **real records**: ``records_govcn.jsonl`` policies and the State Council work reports, which
  are JSONL and not files, are rendered as one ``.txt`` each into the corpus folder
  (``/tmp/govsearch-bench/…``, outside the repository) so the file pipeline reads them;
* **generated documents** fill the rest: a GB/T 9704-like header (issuer, 发文字号, title,
  addressees), a body from a word-bigram chain trained on the real texts (so words and common
  phrases occur with realistic frequencies), and a body length drawn from the real
  length distribution (clipped to 400-20000 characters).

Real documents are at most ``--real-share`` of N (default 30 %) so the mix at 10k and 100k
is mostly the generated portal-like documents. Generated files are the only ones
:func:`mutate` ever changes (for the incremental reindex measurement): the shared corpus is
read-only to us.

Usage::

    .venv/bin/python benchmarks/make_big_corpus.py --docs 10000 [--out /tmp/govsearch-bench]

The corpus is cached: a second call with the same N and seed returns at once.
"""

from __future__ import annotations

import argparse
import bisect
import json
import logging
import pickle
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "corpus"
DEFAULT_OUT = Path("/tmp/govsearch-bench")

logger = logging.getLogger(__name__)

_ISSUERS = [
    "国务院办公厅", "国家发展改革委", "财政部", "人力资源社会保障部", "住房城乡建设部", "生态环境部",
    "教育部", "民政部", "交通运输部", "农业农村部", "商务部", "国家卫生健康委", "应急管理部",
    "市场监管总局", "国家医保局", "北京市人民政府", "上海市人民政府办公厅", "广东省人民政府",
    "浙江省住房和城乡建设厅", "江苏省财政厅", "四川省人民政府办公厅", "湖北省人力资源和社会保障厅",
    "海南省住房公积金管理局", "成都市人民政府", "深圳市人民政府办公厅",
]
_PREFIXES = ["国办发", "发改", "财", "人社部发", "建", "环", "教", "民发", "交", "农", "商", "国卫", "应急",
             "国市监", "医保发", "京政发", "沪府办", "粤府", "浙建", "苏财", "川办发", "鄂人社", "琼公积金", "成府发", "深府办"]
_DOC_TYPES = ["通知", "意见", "办法", "规定", "决定", "实施方案", "批复", "公告", "通告"]
_TOPICS = ["住房公积金", "营商环境", "社会保险", "就业创业", "生态环境保护", "乡村振兴", "医疗保障",
           "养老服务", "安全生产", "数字政府", "财政资金管理", "义务教育", "城市更新", "交通运输", "市场监管"]


def real_sources(shared: Path = SHARED) -> tuple[list[Path], list[tuple[str, str]]]:
    """(real files read in place, real (title, text) records) found in the shared corpus.

    :param shared: the shared corpus folder.
    :returns: empty lists when it is absent.
    """
    files: list[Path] = []
    records: list[tuple[str, str]] = []
    law = shared / "lawrefbook"
    if law.is_dir():
        files = sorted(p.resolve() for p in law.rglob("*.md") if p.name != "README.md")
    rec = shared / "cn_realestate_policy" / "records_govcn.jsonl"
    if rec.is_file():
        for line in rec.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r.get("full_text") and len(r["full_text"]) > 200:
                records.append(((r.get("title") or "").strip("《》"), r["full_text"]))
    rep = shared / "gov_work_reports" / "government_work_reports.jsonl"
    if rep.is_file():
        for line in rep.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r.get("content"):
                records.append((r.get("title", ""), r["content"]))
    return files, records


class BigramModel:
    """A word-bigram chain over jieba tokens of real texts, with a length distribution."""

    def __init__(self, texts: list[str], lengths: list[int]) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        follow: dict[str, Counter[str]] = defaultdict(Counter)
        for text in texts:
            prev = "。"
            for word in jieba.cut(text.replace("\n", "。"), HMM=True):
                if word.isspace():
                    continue
                follow[prev][word] += 1
                prev = word
        self.table: dict[str, tuple[list[str], list[int]]] = {}
        for word, counter in follow.items():
            words, counts = zip(*counter.most_common(60))
            cum, total = [], 0
            for c in counts:
                total += c
                cum.append(total)
            self.table[word] = (list(words), cum)
        self.starts = [w for w in self.table if len(w) >= 2][:5000] or ["政府"]
        self.lengths = sorted(min(max(n, 400), 20000) for n in lengths)

    def body(self, rng: random.Random, chars: int) -> str:
        """About ``chars`` characters of chained words, paragraphs ending in 。."""
        out: list[str] = []
        size = 0
        word = "。"
        para = 0
        while size < chars:
            entry = self.table.get(word)
            if entry is None:
                word = rng.choice(self.starts)
            else:
                words, cum = entry
                word = words[bisect.bisect_right(cum, rng.random() * cum[-1])]
            if word in "\n" or (word == "。" and (not out or out[-1] in "。\n")):
                continue
            out.append(word)
            size += len(word)
            para += len(word)
            if word == "。" and para > 150 and rng.random() < 0.3:
                out.append("\n")
                para = 0
        return "".join(out).strip() + "\n"

    def length(self, rng: random.Random) -> int:
        """A body length drawn from the real length distribution."""
        return self.lengths[rng.randrange(len(self.lengths))]


def model(records: list[tuple[str, str]], files: list[Path], cache: Path) -> BigramModel:
    """The bigram model, trained once and cached in ``cache``."""
    if cache.is_file():
        # the state, not the object: a pickled class would be bound to whichever script was __main__
        with cache.open("rb") as fh:
            state = pickle.load(fh)
        m = BigramModel.__new__(BigramModel)
        m.__dict__.update(state)
        return m
    rng = random.Random(0)
    sample = [t for _, t in rng.sample(records, min(400, len(records)))] if records else []
    texts = [t[:20000] for t in sample]
    texts += [p.read_text(encoding="utf-8", errors="replace")[:8000] for p in rng.sample(files, min(200, len(files)))]
    lengths = [len(t) for _, t in records] + [p.stat().st_size // 3 for p in files]
    if not texts:
        texts = ["各地区各部门要认真贯彻落实党中央国务院决策部署，优化营商环境，做好住房公积金管理工作。"]
        lengths = [3000]
    m = BigramModel(texts, lengths or [3000])
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as fh:
        pickle.dump(dict(m.__dict__), fh)
    return m


def generated_doc(n: int, version: int, rng: random.Random, m: BigramModel, scale: float = 1.0) -> str:
    """One generated official document; ``n`` makes its 发文字号 and title unique.

    :param scale: body length factor applied to the length drawn from the real distribution.
    """
    k = n % len(_ISSUERS)
    issuer, prefix = _ISSUERS[k], _PREFIXES[k]
    year = 2005 + (n * 7919) % 21
    topic = _TOPICS[(n // 3) % len(_TOPICS)]
    doc_type = _DOC_TYPES[(n // 7) % len(_DOC_TYPES)]
    title = f"{issuer}关于{topic}第{n}号事项的{doc_type}"
    month, day = 1 + n % 12, 1 + n % 28
    body = m.body(rng, max(200, int(m.length(rng) * scale)))
    return (
        f"{issuer}文件\n\n{prefix}〔{year}〕{n % 997 + 1}号\n\n{title}\n\n各有关单位：\n\n"
        f"{body}\n版本{version}。\n\n{issuer}\n{year}年{month}月{day}日\n"
    )


def build(n_docs: int, out: Path = DEFAULT_OUT, *, seed: int = 1, real_share: float = 0.3, mean_chars: int = 0) -> list[Path]:
    """The paths of an ``n_docs`` corpus, building it under ``out/corpus-N`` if not cached.

    :param n_docs: documents wanted.
    :param out: cache folder (outside the repository).
    :param seed: generator seed.
    :param real_share: most real documents as a share of ``n_docs``.
    :param mean_chars: scale generated bodies so their mean length is about this many
        characters (0: the real distribution's own mean, about 4 000 characters = 12 KB).
    :returns: every path of the corpus (real files in place, rendered records, generated files).
    """
    folder = corpus_folder(n_docs, out, seed, mean_chars)
    manifest = folder / "manifest.txt"
    if manifest.is_file():
        return [Path(p) for p in manifest.read_text(encoding="utf-8").splitlines() if p]
    started = time.perf_counter()
    files, records = real_sources()
    m = model(records, files, out / "bigram-model.pkl")
    scale = mean_chars / (sum(m.lengths) / len(m.lengths)) if mean_chars else 1.0
    rng = random.Random(seed)
    n_real = int(n_docs * real_share)
    n_rec = min(len(records), n_real // 2)
    n_files = min(len(files), n_real - n_rec)
    paths = sorted(rng.sample(files, n_files))
    (folder / "records").mkdir(parents=True, exist_ok=True)
    for i, (title, text) in enumerate(rng.sample(records, n_rec)):
        p = folder / "records" / f"rec{i:06d}.txt"
        p.write_text(f"{title}\n\n{text}\n", encoding="utf-8")
        paths.append(p)
    gen = folder / "gen"
    for i in range(n_docs - len(paths)):
        sub = gen / f"{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        p = sub / f"doc{i:06d}.txt"
        p.write_text(generated_doc(i, 0, rng, m, scale), encoding="utf-8")
        paths.append(p)
    manifest.write_text("\n".join(str(p) for p in paths) + "\n", encoding="utf-8")
    logger.info("built %s: %d docs (%d in place, %d records, %d generated) in %.1f s",
                folder, len(paths), n_files, n_rec, len(paths) - n_files - n_rec, time.perf_counter() - started)
    return paths


def corpus_folder(n_docs: int, out: Path = DEFAULT_OUT, seed: int = 1, mean_chars: int = 0) -> Path:
    """Where :func:`build` keeps the corpus of ``n_docs`` documents."""
    return out / (f"corpus-{n_docs}-s{seed}" + (f"-c{mean_chars}" if mean_chars else ""))


def roots(paths: list[Path], folder: Path) -> list[Path]:
    """What to hand ``sync_paths``: the corpus folder's own subfolders whole, the in-place real files one by one."""
    own = [d for d in (folder / "records", folder / "gen") if d.is_dir()]
    prefix = str(folder) + "/"
    return own + [p for p in paths if not str(p).startswith(prefix)]


def mutate(paths: list[Path], share: float, *, seed: int = 2, version: int = 1, mean_chars: int = 0) -> list[Path]:
    """Rewrite ``share`` of the *generated* files (new body, same number); returns them."""
    rng = random.Random(seed + version)
    generated = [p for p in paths if p.name.startswith("doc") and p.parent.parent.name == "gen"]
    chosen = rng.sample(generated, max(1, int(len(paths) * share)))
    m = model([], [], DEFAULT_OUT / "bigram-model.pkl")
    scale = mean_chars / (sum(m.lengths) / len(m.lengths)) if mean_chars else 1.0
    for p in chosen:
        p.write_text(generated_doc(int(p.stem[3:]), version, rng, m, scale), encoding="utf-8")
    return chosen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mean-chars", type=int, default=0, help="mean body length of generated documents (0: as the real ones)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    paths = build(args.docs, args.out, seed=args.seed, mean_chars=args.mean_chars)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} documents, {size / 1e6:.1f} MB, manifest {corpus_folder(args.docs, args.out, args.seed, args.mean_chars) / 'manifest.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
