"""The smoke preset run twice from scratch gives the same tables, byte for byte (on CPU).

Wall-clock columns (r1k_table1's 'train s') are the one thing allowed to differ. Covered by default: `r1k_data` (task generation, the symbolic teacher's inversion and verification, the split into
D_f / D_r / D_0.5k / probe and DPO sets: every table the data stage writes). With POSTTRAIN_SLOW_TESTS=1 also
`r1k_sft` (SFT of the tiny model on each set, lm-eval accuracy: Table 1 and its claims), about a minute a run.
Each run gets its own POSTTRAIN_ROOT and model cache, so nothing is shared between them but the code."""
import os
import re
import subprocess
from pathlib import Path

import pandas as pd

from conftest import BIN, ROOT, child_env

NOTEBOOKS = ['r1k_data'] + (['r1k_sft'] if os.environ.get('POSTTRAIN_SLOW_TESTS') else [])


def fresh_root(root: Path) -> dict:
    "A project root that shares only the notebooks (linked in) and settings with the repository; its environment."
    root.mkdir()
    (root / 'nbs').symlink_to(ROOT / 'nbs')
    (root / 'settings.ini').write_bytes((ROOT / 'settings.ini').read_bytes())
    return child_env(POSTTRAIN_ROOT=str(root), POSTTRAIN_CACHE=str(root / 'cache'), OMP_NUM_THREADS='1')


def start_reproduce(root: Path, notebooks: list[str]) -> subprocess.Popen:
    "`posttrain reproduce --preset smoke --only NOTEBOOKS` into a fresh project root (`fresh_root`)."
    env = fresh_root(root)
    return subprocess.Popen([BIN / 'posttrain', 'reproduce', '--preset', 'smoke', '--only',
                             *notebooks], env=env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


TIMING = re.compile(r'(^|\s)(s|seconds)$|wall')  # columns of wall-clock time, such as r1k_table1's 'train s'


def tables(root: Path) -> dict[str, object]:
    """The tables and figure data of a run: the bytes of each .csv and .md, except that a table with timing columns
    is compared without them (as a DataFrame: its .md shows the same numbers). Provenance files hold times."""
    folder, out = root / 'figures' / 'smoke', {}
    for csv in sorted(folder.glob('*.csv')):
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        timings = [c for c in table.columns if TIMING.search(c)]
        if timings: out[csv.name] = table.drop(columns=timings).to_csv(index=False).encode()
        else: out |= {p.name: p.read_bytes() for p in (csv, csv.with_suffix('.md')) if p.exists()}  # a plot's data: no .md
    return out


def test_smoke_tables_are_identical_across_fresh_runs(tmp_path):
    runs = [start_reproduce(tmp_path / name, NOTEBOOKS) for name in ('first', 'second')]  # side by side
    for run in runs:
        log = run.communicate(timeout=600)[0]
        assert run.returncode == 0, log[-3000:]
    first, second = tables(tmp_path / 'first'), tables(tmp_path / 'second')
    assert {'r1k_data.csv', 'r1k_data.md'} <= first.keys() and first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
