"A grid sweep killed mid-way resumes: finished cells are read from their records, only the others run."
import json
import sys
from pathlib import Path

from conftest import kill_when
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
    # kill the sweep once its first cell is finished
    kill_when([sys.executable, '-c', SWEEP, tmp_path], lambda _: _finished(tmp_path, 'grid-eval'), timeout=600)
    finished = _finished(tmp_path, 'grid-sft') + _finished(tmp_path, 'grid-eval')
    assert 1 <= len(_finished(tmp_path, 'grid-eval')) < len(grid_scale('smoke').cells), 'the kill came too late'
    before = _records(tmp_path, finished)

    scale = grid_scale('smoke')
    frame = sweep(scale, grid_data(scale), root=tmp_path)

    assert len(frame) == len(scale.cells) and frame.final_loss.notna().all()
    assert _records(tmp_path, finished) == before  # finished stages were read, not recomputed
    assert len(_finished(tmp_path, 'grid-sft')) == len(_finished(tmp_path, 'grid-eval')) == len(scale.cells)
    assert set(finished) <= set(frame.train_stage) | set(frame.eval_stage)
    assert all(name.endswith('-' + json.loads(text)['hash'][:12]) for name, text in before.items()), \
        'each record is the one of its own folder'
