"""The README's recipes run as written: every fenced bash or python block of README.md is run in a fresh temporary
project (a copy of `nbs/` and `settings.ini`, named by `POSTTRAIN_ROOT`), or is listed in `SKIPPED` with the reason.
Two substitutions keep them quick, and are the only changes: the `smoke` preset for `cpu`, and the random `tiny`
model for `smollm2-135m-instruct`. Each test checks what the recipe wrote, not only that it exited with 0."""
import json
import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from conftest import BIN, ROOT, child_env

README = (ROOT / 'README.md').read_text()
BLOCKS = [(language, code) for language, code in re.findall(r'^```(\w+)\n(.*?)^```$', README, flags=re.S | re.M)]
SUBSTITUTIONS = {'smollm2-135m-instruct': 'tiny', 'cpu': 'smoke'}

SKIPPED = {  # first line of a block -> why it is not run here
    'make reproduce': 'the cpu preset runs for 45 minutes, and `make test` runs this file',
    'import lm_eval, posttrain.evaluate': "lm-eval's arc_challenge task downloads its dataset from the hub",
    'posttrain reproduce --preset paper': 'the paper preset needs GPUs, the hub and a served R1; tests/test_hub_smoke.py '
                                          'runs the same command at hub-smoke against the local Hub and a served teacher',
}


def block(first_line: str) -> tuple[str, str]:
    "The one README block that starts with `first_line`, as (language, code) with the substitutions made."
    found = [(language, code) for language, code in BLOCKS if code.startswith(first_line)]
    assert len(found) == 1, f'expected one README block starting with {first_line!r}, found {len(found)}'
    language, code = found[0]
    for old, new in SUBSTITUTIONS.items(): code = code.replace(old, new)
    return language, code


@pytest.fixture(scope='module')
def project(tmp_path_factory):
    "A fresh project root: a copy of the notebooks and settings, nothing run yet."
    root = tmp_path_factory.mktemp('readme')
    shutil.copytree(ROOT / 'nbs', root / 'nbs', ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    shutil.copy(ROOT / 'settings.ini', root)
    return root


def run(project, first_line: str) -> subprocess.CompletedProcess:
    "Run the README block starting with `first_line` in `project`, with the project's environment on PATH."
    language, code = block(first_line)
    command = ['bash', '-euo', 'pipefail', '-c', code] if language == 'bash' else [sys.executable, '-c', code]
    env = child_env(POSTTRAIN_ROOT=str(project), PATH=f'{BIN}{os.pathsep}{os.environ["PATH"]}')
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f'{first_line}: rc {result.returncode}\n{result.stdout}\n{result.stderr}'
    return result


def test_every_block_is_run_or_skipped_with_a_reason():
    tested = [first for first in RUN] + list(SKIPPED)
    for language, code in BLOCKS:
        assert language in ('bash', 'python'), f'a README block in {language}: run it here or skip it with a reason'
        assert sum(code.startswith(first) for first in tested) == 1, f'README block not run nor skipped:\n{code}'


@pytest.fixture(scope='module')
def executed(project):
    "The papermill recipe, run once: the executed base-model notebook of the smoke preset."
    run(project, 'mkdir -p runs/cpu')
    return project / 'runs' / 'smoke' / 'base_model_eval.ipynb'


def test_papermill_recipe_runs_a_notebook_into_a_fresh_project(project, executed):
    import nbformat
    nb = nbformat.read(executed, as_version=4)
    assert nb.metadata.papermill.parameters == {'preset': 'smoke'}
    assert not [o for c in nb.cells if c.cell_type == 'code' for o in c.outputs if o.output_type == 'error']
    table = pd.read_csv(project / 'figures' / 'smoke' / 'base_model_eval.csv')
    assert len(table) >= 4, 'one row per offline suite'
    record = json.loads((project / 'figures' / 'smoke' / 'base_model_eval.provenance.json').read_text())
    assert record['preset'] == 'smoke' and record['notebook'] == 'nbs/bench/base_model_eval.ipynb'


def test_library_snippet_scores_two_responses(project):
    language, code = block('from posttrain.models import load_model')
    code += '\nimport json; print(json.dumps(rows))'
    result = subprocess.run([sys.executable, '-c', code], cwd=project, capture_output=True, text=True, timeout=600,
                            env=child_env(POSTTRAIN_ROOT=str(project)))
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout.splitlines()[-1])
    assert len(rows) == 2 and all(r['mean_logprob'] < 0 and r['n_tokens'] >= 1 for r in rows), rows
    assert rows[0]['n_tokens'] < rows[1]['n_tokens'], "'4' is shorter than 'Four, since 2+2=4.'"


def test_score_recipe_writes_a_score_per_pair(project):
    run(project, "cat > pairs.jsonl <<'EOF'")
    scores = [json.loads(line) for line in (project / 'scores.jsonl').read_text().splitlines()]
    assert [s['id'] for s in scores] == ['short', 'long'] and all(s['mean_logprob'] < 0 for s in scores), scores


def test_grape_recipe_keeps_one_verified_response(project):
    run(project, "cat > pool.jsonl <<'EOF'")
    selected = [json.loads(line) for line in (project / 'selected.jsonl').read_text().splitlines()]
    assert len(selected) == 1 and selected[0]['id'] == 'q1', selected
    assert selected[0]['source'] in ('terse', 'wordy'), 'a response marked correct: false is never kept'
    assert selected[0]['messages'][-1]['role'] == 'assistant' and selected[0]['meta']['strategy'] == 'grape'


def test_list_and_report_recipe(project, executed):
    result = run(project, 'posttrain reproduce --preset cpu --list')
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ['name', 'paper'] and any(line.startswith('base_model_eval ') for line in lines)
    index = project / 'figures' / 'smoke' / 'site' / 'index.html'
    assert f'{index} (1 notebooks rendered)' in result.stdout, result.stdout
    assert 'href="notebooks/base_model_eval.html"' in index.read_text()
    assert (index.parent / 'notebooks' / 'base_model_eval.html').stat().st_size > 10_000


def test_scaling_recipe_commands_parse():
    """The scale-out commands need GPUs and a SLURM cluster, so here each one parses and the config it names exists;
    tests/test_launch.py (launched stages) and tests/test_slurm.py (`--executor slurm --wait`, `--status`) run the same
    options at smoke size."""
    from posttrain.cli import build_parser
    _, code = block('# a laptop or CI')
    commands = [line.split('  #')[0].split() for line in code.splitlines() if line.startswith('posttrain ')]
    assert len(commands) == 4
    for command in commands:
        args = build_parser().parse_args(command[1:])
        assert not args.accelerate_config or (ROOT / args.accelerate_config).is_file(), args.accelerate_config
    assert [build_parser().parse_args(c[1:]).executor for c in commands] == ['local'] * 2 + ['slurm'] * 2


RUN = ['mkdir -p runs/cpu', 'from posttrain.models import load_model', "cat > pairs.jsonl <<'EOF'",
       "cat > pool.jsonl <<'EOF'", 'posttrain reproduce --preset cpu --list', '# a laptop or CI']
