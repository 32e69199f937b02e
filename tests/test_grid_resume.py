"A grid sweep killed mid-way resumes: finished cells are read from their records, only the others run."
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from posttrain.papers.smoltulu import grid_data, grid_scale, sweep

SWEEP = '''
import sys
from posttrain.papers.smoltulu import grid_data, grid_scale, sweep
scale = grid_scale('smoke')
sweep(scale, grid_data(scale), root=sys.argv[1])
'''


def _finished(root: Path, stage: str) -> list[str]:
    return sorted(p.parent.name for p in (root / 'runs' / 'stages').glob(f'{stage}-*/record.json'))


def _records(root: Path, names: list[str]) -> dict[str, str]:
    return {name: (root / 'runs' / 'stages' / name / 'record.json').read_text() for name in names}


def test_killed_sweep_resumes_without_rerunning_finished_cells(tmp_path):
    env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'HF_DATASETS_OFFLINE': '1'}
    child = subprocess.Popen([sys.executable, '-c', SWEEP, str(tmp_path)], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    try:
        while not _finished(tmp_path, 'grid-eval'):  # kill the sweep once its first cell is finished
            assert child.poll() is None, 'the sweep ended before it could be killed'
            assert time.time() < deadline, 'the first cell did not finish in time'
            time.sleep(0.2)
    finally:
        child.kill()
        child.wait()
    finished = _finished(tmp_path, 'grid-sft') + _finished(tmp_path, 'grid-eval')
    assert 1 <= len(_finished(tmp_path, 'grid-eval')) < 4, 'the kill came after the sweep had finished'
    before = _records(tmp_path, finished)

    scale = grid_scale('smoke')
    frame = sweep(scale, grid_data(scale), root=tmp_path)

    assert len(frame) == len(scale.cells) and frame.final_loss.notna().all()
    assert _records(tmp_path, finished) == before  # finished stages were read, not recomputed
    assert len(_finished(tmp_path, 'grid-sft')) == len(_finished(tmp_path, 'grid-eval')) == len(scale.cells)
    assert set(finished) <= set(frame.train_stage) | set(frame.eval_stage)
    assert all(json.loads(text)['hash'] for text in before.values())
