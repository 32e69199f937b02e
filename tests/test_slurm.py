"""The SLURM executor against a real one-node SLURM cluster (Debian's slurm-wlm, started by `.ci/slurm.sh`;
`make test-slurm` starts it, runs this file with POSTTRAIN_SLURM_TESTS=1 and stops it). Without that variable these
tests are skipped; with it and no SLURM they fail.

- `r1k_data` and `r1k_sft` at the smoke preset through `posttrain reproduce --executor slurm --wait` write the same
  tables as the local driver, from fresh project roots, with the SLURM job id in the provenance;
- a job requeued (as a preemption does) in the middle of a training stage resumes from its last checkpoint;
- a missing partition, a job that dies without output, and `--status` report as the local driver reports."""
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN, ROOT
from test_determinism import fresh_root, start_reproduce, tables

pytestmark = pytest.mark.skipif(not os.environ.get('POSTTRAIN_SLURM_TESTS'),
                                reason='needs the SLURM cluster of `make test-slurm`')
NOTEBOOKS = ['r1k_data', 'r1k_sft']


@pytest.fixture(scope='module', autouse=True)
def slurm_is_up():
    assert shutil.which('sbatch'), 'POSTTRAIN_SLURM_TESTS is set but SLURM is not on PATH: run .ci/slurm.sh start'
    assert re.search(r'idle|mixed|alloc', subprocess.run(['sinfo', '-h', '-o', '%T'], capture_output=True,
                                                         text=True).stdout), 'the SLURM node is not up'


def posttrain(root: Path, env: dict, *args, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([BIN / 'posttrain', 'reproduce', '--preset', 'smoke', *args], env=env, cwd=root,
                          capture_output=True, text=True, timeout=timeout)


def test_slurm_jobs_write_what_the_local_driver_writes(tmp_path):
    local = start_reproduce(tmp_path / 'local', NOTEBOOKS)
    env = fresh_root(tmp_path / 'slurm')
    result = posttrain(tmp_path / 'slurm', env, '--executor', 'slurm', '--wait', '--only', *NOTEBOOKS)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert local.wait(timeout=900) == 0, local.stdout.read()[-3000:]
    jobs = json.loads((tmp_path / 'slurm' / 'runs' / 'smoke' / 'slurm.json').read_text())['jobs']
    assert list(jobs) == NOTEBOOKS
    ours, theirs = tables(tmp_path / 'slurm'), tables(tmp_path / 'local')
    assert {'r1k_data.csv', 'r1k_table1.csv'} <= ours.keys() and ours.keys() == theirs.keys()
    assert [name for name in ours if ours[name] != theirs[name]] == []
    for name, job in jobs.items():
        state = json.loads((tmp_path / 'slurm' / 'runs' / 'smoke' / f'{name}.state.json').read_text())
        assert state['slurm_job'] == job['job_id']
    # the second job waited for the first: it was submitted depending on it
    script = (Path(jobs['r1k_sft']['log_folder']) / f"{jobs['r1k_sft']['job_id']}_submission.sh").read_text()
    assert f"--dependency=afterany:{jobs['r1k_data']['job_id']}" in script
    status = posttrain(tmp_path / 'slurm', env, '--executor', 'slurm', '--status')
    assert status.returncode == 0 and status.stdout.count('COMPLETED') == 2 and status.stdout.count(' ran ') == 2, status.stdout


def runs_of_the_notebook(root: Path) -> list[list[int]]:
    "The optimizer steps each run of the slow-training notebook logged, one list per run."
    runs = []
    for line in (root / 'steps.log').read_text().split():
        if line == 'start': runs.append([])
        else: runs[-1].append(int(line))
    return runs


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline: pytest.fail(f'{what} did not happen within {timeout} s')
        time.sleep(0.5)
    return value


def test_a_requeued_training_job_resumes_from_its_checkpoint(tmp_path):
    from posttrain.reproduce import Artifact
    from posttrain.slurm import job_state, submit, wait
    root = tmp_path / 'project'
    (root / 'nbs').mkdir(parents=True)
    shutil.copy(ROOT / 'tests' / 'slurm_training.ipynb', root / 'nbs')
    (root / 'settings.ini').write_bytes((ROOT / 'settings.ini').read_bytes())
    manifest = [Artifact('slow_training', 'ours', 'test', 'a slow SFT stage', 'slurm_training.ipynb',
                         ('slow_training.txt',), ('smoke',), reason='a test of the SLURM executor',
                         data={'smoke': ('analogue', 'a few generated examples')})]
    [job] = submit('smoke', manifest=manifest, root=root).values()
    checkpoints = lambda: [p for p in root.glob('runs/stages/sft-*/checkpoints/checkpoint-*') if (p / 'trainer_state.json').exists()]
    wait_for(checkpoints, 300, 'a first checkpoint')
    subprocess.run(['scontrol', 'requeue', job['job_id']], check=True)  # what a preemption with requeue does
    # SLURM holds a requeued job for two minutes (its BeginTime); a cluster waits them out, this test need not
    wait_for(lambda: job_state(job['job_id']) == 'PENDING', 60, 'the job back in the queue')
    subprocess.run(['scontrol', 'update', f"JobId={job['job_id']}", 'StartTime=now'], check=True)
    [run] = wait('smoke', root)
    assert run.status == 'ran', run.error
    first, second = runs_of_the_notebook(root)
    assert first[0] == 1 and second[-1] == 12, (first, second)
    assert second[0] > 1, f'the requeued job started again from step 1 instead of resuming: {first}, {second}'
    assert (second[0] - 1) % 2 == 0 and second[0] - 1 <= first[-1], 'it resumed from a saved epoch (2 steps each)'


def test_bad_slurm_options_and_a_job_that_dies(tmp_path):
    env = fresh_root(tmp_path / 'project')
    result = posttrain(tmp_path / 'project', env, '--executor', 'slurm', '--partition', 'nope', '--only', 'r1k_data')
    assert result.returncode == 2 and '--partition nope: no such partition; this cluster has debug' in result.stderr
    assert not (tmp_path / 'project' / 'runs' / 'smoke' / 'slurm.json').exists(), 'nothing was submitted'
    result = posttrain(tmp_path / 'project', env, '--partition', 'debug', '--only', 'r1k_data')
    assert result.returncode == 2 and '--partition needs --executor slurm' in result.stderr
    no_slurm = {**env, 'PATH': str(BIN)}
    result = posttrain(tmp_path / 'project', no_slurm, '--executor', 'slurm', '--only', 'r1k_data')
    assert result.returncode == 2 and 'no SLURM on this machine' in result.stderr, result.stderr
    # a job killed outright (as the OOM killer or a failed node does) writes no result: --status says so, with its log
    result = posttrain(tmp_path / 'project', env, '--executor', 'slurm', '--only', 'r1k_sft')
    assert result.returncode == 0, result.stderr
    job_id = json.loads((tmp_path / 'project' / 'runs' / 'smoke' / 'slurm.json').read_text())['jobs']['r1k_sft']['job_id']
    def status(showing: str) -> str | None:
        shown = posttrain(tmp_path / 'project', env, '--executor', 'slurm', '--status').stdout
        return shown if showing in shown else None
    wait_for(lambda: status('RUNNING'), 60, 'the job running')
    time.sleep(3)
    subprocess.run(['scancel', '--signal=KILL', '--full', job_id], check=True)
    shown = wait_for(lambda: status(' failed '), 60, 'the killed job reported')
    assert re.search(rf'SLURM job {job_id} ended [A-Z_]+ without a result; its log: \S+{job_id}_0_log.err', shown), shown
