"""The r1k teacher fixture (tests/hub/teacher.py) served for real: `transformers serve posttrain-fixtures/r1k-teacher`
pulls the model from the local hub by its id, and r1k's two-step inversion (`posttrain.inversion.invert` with an
`OpenAITeacher`) of the fixture s1K-1.1 rows, loaded through the hub by their real id, keeps all six. The model is
trained on first use (about a minute on two cores) and cached."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from hub.fixtures import S1K_PROBLEMS, S1K_REVERSE
from hub.run_hub_smoke import served
from hub.teacher import TEACHER_ID
from posttrain.inversion import REJECTION_REASONS, OpenAITeacher, invert
from test_teacher_http import SERVE_DEADLINE_S


@pytest.fixture(scope='module')
def served_teacher(local_hub, tmp_path_factory):
    "`transformers serve` pinned to the teacher's hub id, which it pulls from the local hub; yields the base URL."
    with served(TEACHER_ID, local_hub.env(), tmp_path_factory.mktemp('serve-teacher') / 'serve.log',
                deadline_s=SERVE_DEADLINE_S) as url:
        yield url


@pytest.fixture(scope='module')
def s1k_records(local_hub) -> list[dict]:
    "The fixture s1K-1.1 rows as `load_s1k` maps them, loaded by id through the hub (in a subprocess: this one is offline)."
    code = "import json; from posttrain.data import load_s1k; print(json.dumps(load_s1k('simplescaling/s1K-1.1')))"
    out = subprocess.run([sys.executable, '-c', code], env=local_hub.env(), cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_teacher_is_a_hub_model(local_hub):
    assert local_hub.fixtures['models'][TEACHER_ID]['files'] == [
        '.gitattributes', 'README.md', 'chat_template.jinja', 'config.json', 'generation_config.json', 'model.safetensors',
        'tokenizer.json', 'tokenizer_config.json']


def test_served_teacher_keeps_every_fixture_problem(served_teacher, s1k_records):
    assert [r['messages'][0]['content'] for r in s1k_records] == [q for q, _, _ in S1K_PROBLEMS]
    # the server is pinned to the id it was started with: requests must name that same id
    teacher = OpenAITeacher(TEACHER_ID, served_teacher, api_key_env=None, max_tokens=128)
    inversion = invert(s1k_records, teacher, progress=False)
    counts = dict(zip(inversion.counts['outcome'], inversion.counts['count']))
    assert counts == {'kept': 6, **{reason: 0 for reason in REJECTION_REASONS}}, inversion.rejected
    kept = inversion.kept
    assert [k['meta']['forward_id'] for k in kept] == [r['id'] for r in s1k_records]
    assert [k['meta']['hidden_value'] for k in kept] == [h for _, h, _ in S1K_REVERSE]
    assert [k['messages'][0]['content'] for k in kept] == [q for q, _, _ in S1K_REVERSE]
    assert [k['messages'][1]['content'] for k in kept] == [f'{w}\nAnswer: {h}' for _, h, w in S1K_REVERSE]
    assert [k['answer'] for k in kept] == [h for _, h, _ in S1K_REVERSE]
