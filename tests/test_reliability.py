"Reliability: killed runs resume where they stopped, two processes train as one, caches never serve bad files."
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from conftest import BIN, ROOT, child_env, kill_when, printed
from train_job import train

JOB = Path(__file__).with_name('train_job.py')
RUN_JOB = [sys.executable, str(JOB)]  # run as a script (`__main__`), while this process imports it as `train_job`


def job_env() -> dict:
    "One thread, like the in-process runs (`one_thread`): float sums depend on the thread count."
    env = child_env(OMP_NUM_THREADS='1')
    return {**env, 'PYTHONPATH': os.pathsep.join([str(JOB.parent), env['PYTHONPATH']])}


def weights(record: dict) -> dict:
    return load_file(Path(record['model_dir']) / 'model.safetensors')


def losses(record: dict) -> list[float]:
    history = json.loads((Path(record['run_dir']) / record['outputs']['log_history']).read_text())
    return [h['loss'] for h in history if 'loss' in h]


def steps_logged(root: Path) -> list[int]:
    return [int(line) for line in (root / 'steps.log').read_text().split()]


def stage_dir(root: Path, name: str) -> Path:
    [run_dir] = [p for p in (root / 'runs' / 'stages').glob(f'{name}-*') if p.is_dir()]
    return run_dir


def kill_after_first_checkpoint(root: Path, method: str, timeout: float = 240) -> Path:
    "Run `method` in a subprocess, SIGKILL it once its first checkpoint is complete; return its run folder."
    kill_when([*RUN_JOB, root, method, '--hang-after-save'], printed('checkpoint '), timeout=timeout,
              env=job_env())
    return stage_dir(root, method)


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    """In-process runs use one thread, like the subprocesses (`job_env`): float sums depend on the thread count, so a
    run resumed here from a checkpoint written by a subprocess must use the same count to match bit for bit."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


GATHERED = []  # the models each uninterrupted run asked accelerate to gather for saving


@pytest.fixture(scope='module')
def uninterrupted(tmp_path_factory):
    "Each method run start to end, in this process: the reference the other runs must match."
    from accelerate import Accelerator
    real = Accelerator.get_state_dict
    def spy(self, model, unwrap=True):
        GATHERED.append(model)
        return real(self, model, unwrap)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Accelerator, 'get_state_dict', spy)
        return {method: train(tmp_path_factory.mktemp(f'{method}-whole'), method) for method in ('sft', 'dpo')}


def test_models_are_saved_from_gathered_weights(uninterrupted):
    """Saving goes through `accelerator.get_state_dict` (which gathers ZeRO-3 shards) once per run, not through the
    live parameters. (ZeRO-3 itself needs GPUs and deepspeed: not exercised here.)"""
    assert [type(model).__name__ for model in GATHERED] == ['LlamaForCausalLM', 'LlamaForCausalLM']


@pytest.mark.parametrize('method', ['sft', 'dpo'])
def test_killed_training_resumes_from_its_checkpoint(method, uninterrupted, tmp_path):
    run_dir = kill_after_first_checkpoint(tmp_path, method)
    assert not (run_dir / 'record.json').exists(), 'a killed stage must not look finished'
    assert [p.name for p in (run_dir / 'checkpoints').glob('checkpoint-*')] == ['checkpoint-2']
    assert steps_logged(tmp_path) == [1, 2]

    resumed, whole = train(tmp_path, method), uninterrupted[method]
    assert steps_logged(tmp_path) == [1, 2, 3, 4], 'the rerun resumes at step 3 instead of starting over'
    assert resumed['hash'] == whole['hash'] and resumed['outputs']['steps'] == 4
    assert losses(resumed) == pytest.approx(losses(whole), rel=1e-5)
    assert resumed['outputs']['final_loss'] == pytest.approx(whole['outputs']['final_loss'], rel=1e-5)
    ours, reference = weights(resumed), weights(whole)
    assert ours.keys() == reference.keys()
    assert all(torch.allclose(ours[k], reference[k], rtol=1e-5, atol=1e-6) for k in ours)
    assert train(tmp_path, method)['timings'] == resumed['timings'], 'a finished stage is not run again'


def test_two_processes_train_like_one(uninterrupted, tmp_path):
    "accelerate launch, two CPU processes of 2 examples each: the loss curve of one process of 4, no deadlock."
    result = subprocess.run(
        [BIN / 'accelerate', 'launch', '--config_file', ROOT / 'configs/accelerate/cpu-2proc.yaml',
         '--main_process_port', '29611', JOB, tmp_path, 'sft', '--batch-size', '2', '--twice'],
        env=job_env(), capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for rank in (0, 1) for line in (tmp_path / f'records-{rank}.jsonl').read_text().splitlines()]
    assert len(records) == 4 and all(r == records[0] for r in records), \
        'every process returns the one record, and the second call on each is a cache hit'
    run_dir = stage_dir(tmp_path, 'sft')
    record = json.loads((run_dir / 'record.json').read_text())
    assert {k: v for k, v in records[0].items() if k != 'model_dir'} == record
    assert record['outputs']['steps'] == 4 and steps_logged(tmp_path) == [1, 2, 3, 4]
    assert losses(record) == pytest.approx(losses(uninterrupted['sft']), rel=1e-4)
    ours, reference = weights(records[0]), weights(uninterrupted['sft'])
    assert all(torch.allclose(ours[k], reference[k], rtol=1e-4, atol=1e-5) for k in ours)


GRAPE_JOB = '''
import sys, time
import posttrain.grape as grape
from posttrain.cli import main
grape.score_pool.__kwdefaults__['chunk_size'] = 2
real, calls = grape._pool_rows, []
def pool_rows(*args, **kwargs):  # hang in the second chunk, once the first is on disk
    calls.append(1)
    if len(calls) == 2:
        print('first chunk saved', flush=True)
        time.sleep(600)
    return real(*args, **kwargs)
grape._pool_rows = pool_rows
sys.exit(main(sys.argv[1:]))
'''


@pytest.fixture
def pool_file(tmp_path):
    from posttrain.data import write_jsonl
    from posttrain.grape import build_pool
    pool = build_pool('formula_forward', n=5)
    assert len(pool) == 5
    return write_jsonl(tmp_path / 'pool.jsonl', pool, kind='pool')


def test_killed_grape_scoring_resumes(pool_file, tmp_path, monkeypatch, capsys):
    import posttrain.grape as grape
    from posttrain.cli import main
    from posttrain.data import read_jsonl
    monkeypatch.setitem(grape.score_pool.__kwdefaults__, 'chunk_size', 2)  # 5 instructions: chunks of 2, 2, 1
    argv = ['grape', '--model', 'tiny', '--dtype', 'float32', '--pool', str(pool_file)]
    assert main([*argv, '--output', str(tmp_path / 'whole.jsonl')]) == 0

    output = tmp_path / 'selected.jsonl'
    partial = grape.partial_scores_path(output)
    kill_when([sys.executable, '-c', GRAPE_JOB, *argv, '--output', output], printed('first chunk saved'), timeout=240,
              env=job_env())
    assert not output.exists() and len(partial.read_text().splitlines()) == 2, 'header and one chunk, no output'

    chunks = []
    real = grape._pool_rows
    monkeypatch.setattr(grape, '_pool_rows', lambda model, tokenizer, records, *a, **k: chunks.append(len(records))
                        or real(model, tokenizer, records, *a, **k))
    assert main([*argv, '--output', str(output)]) == 0
    assert chunks == [2, 1], 'the saved chunk is reused, only the other two are scored'
    assert 'resuming: 1 chunks' in capsys.readouterr().err
    assert read_jsonl(output) == read_jsonl(tmp_path / 'whole.jsonl') and not partial.exists()


def test_training_is_deterministic_bit_for_bit(uninterrupted, tmp_path):
    "The same SFT stage from scratch in a fresh root: the same losses and weights, bit for bit (CPU, one thread count)."
    again, first = train(tmp_path, 'sft'), uninterrupted['sft']
    assert losses(again) == losses(first)
    ours, reference = weights(again), weights(first)
    assert all(torch.equal(ours[k], reference[k]) for k in reference)
