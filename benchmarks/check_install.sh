#!/usr/bin/env bash
# Install govsearch with `pip install .` into a fresh venv for each Python given, then check
# that the C block cut was built and gives jieba's words, and that the demo corpus indexes
# and searches. Run on purpose (minutes per Python), e.g.:
#   benchmarks/check_install.sh python3.10 python3.11 python3.12 python3.13
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
for python in "$@"; do
  work="$(mktemp -d)"
  "$python" -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet --upgrade pip
  "$work/venv/bin/pip" install --quiet "$root"
  (cd "$work" && "$work/venv/bin/python" - <<'PY'
import random
import sys
import warnings

warnings.simplefilter("ignore")
import jieba

from indexer import analysis, segmentation

analysis.load_user_dictionary()
assert segmentation.implementation() == "c", "the C extension was not built"
words = [w for w, f in jieba.dt.FREQ.items() if f]
rng = random.Random(1)
for _ in range(2000):
    block = "".join(rng.choice(words) for _ in range(rng.randint(1, 8)))[rng.randint(0, 2):]
    if block:
        assert segmentation.cut_block(block) == list(jieba.dt._Tokenizer__cut_DAG(block)), block
print(sys.version.split()[0], ": C block cut built, jieba's words on 2000 random blocks")
PY
  )
  "$work/venv/bin/govsearch" index "$root/corpus" --index "$work/index" | tail -1
  "$work/venv/bin/govsearch" search "公积金 提取" --index "$work/index" | sed -n 1p  # sed reads all: no SIGPIPE under pipefail
  rm -rf "$work"
done
