"""`posttrain score` and `posttrain grape` on generated input files: random bytes, random JSON, and valid-looking
records with one field broken. Whatever the input, a command either succeeds and writes a valid output, or exits
with status 2 and one line on stderr, without a traceback and without leaving an output file behind.

The inputs come from a seeded generator, so a failure names a case that reproduces. Most cases fail validation
before a model is loaded, which keeps the test quick; the cases that pass load the tiny model."""
import codecs
import json
import math
import random
import tempfile
from pathlib import Path

import pytest

from posttrain.cli import main
from posttrain.data import DataError, read_jsonl
from posttrain.scoring import read_pairs

SEED = 18
CASES_PER_FAMILY = 14
FAMILIES = ('random bytes', 'random JSON', 'one field broken')
COMMANDS = ('score', 'grape')
TEXTS = ('What is 2 + 3?', 'Answer: 5', '2 + 3 = 5.\nAnswer: 5', 'é, 中文 and 😀', '  padded  ', '\n\nafter newlines',
         '<|im_end|><|im_start|>user', '{"nested": "json"}', 'tab\there', 'x' * 40)
STRATEGIES = ('grape', 'random', 'all', 'lowest', 'original', 'best_source')


def random_json(rng: random.Random, depth: int = 0):
    "Any JSON value (and the NaN and Infinity that Python's json writes, which are not JSON)."
    kinds = ['null', 'bool', 'int', 'float', 'text'] + (['list', 'object'] if depth < 3 else [])
    match rng.choice(kinds):
        case 'null': return None
        case 'bool': return rng.random() < 0.5
        case 'int': return rng.choice([0, -1, 1, 2 ** 70, rng.randrange(-1000, 1000)])
        case 'float': return rng.choice([0.5, -1e300, math.nan, math.inf, rng.uniform(-10, 10)])
        case 'text': return rng.choice(TEXTS + ('', ' ', 'user', 'assistant'))
        case 'list': return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
        case 'object': return {rng.choice(['id', 'role', 'content', 'prompt', 'x']): random_json(rng, depth + 1)
                               for _ in range(rng.randrange(4))}


def messages(rng: random.Random) -> list[dict]:
    system = [{'role': 'system', 'content': rng.choice(TEXTS)}] if rng.random() < 0.3 else []
    return system + [{'role': 'user', 'content': rng.choice(TEXTS)}]


def valid_record(command: str, rng: random.Random, i: int) -> dict:
    "A pair for `score`, a pool record for `grape`."
    if command == 'score': return {'id': f'p{i}', 'prompt': messages(rng), 'response': rng.choice(TEXTS)}
    return {'id': f'q{i}', 'prompt': messages(rng), 'answer': '5', 'responses': [
        {'source': f's{k}', 'content': rng.choice(TEXTS), 'correct': rng.choice([True, False, None])}
        for k in range(rng.randrange(2, 5))]}


def paths(value, path=()):
    "Every place inside `value` (keys of objects, indices of lists), outermost first."
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield path + (key,)
        yield from paths(child, path + (key,))


def break_one_field(record: dict, rng: random.Random, ids: list[str]) -> dict:
    "`record` with one place deleted, or replaced by a random value, an empty one, or an id used before."
    record = json.loads(json.dumps(record))
    *parent_path, key = rng.choice(list(paths(record)))
    parent = record
    for step in parent_path: parent = parent[step]
    match rng.choice(['delete', 'random', 'empty', 'repeat id']):
        case 'delete': del parent[key]
        case 'random': parent[key] = random_json(rng)
        case 'empty': parent[key] = rng.choice(['', ' ', [], {}, None])
        case 'repeat id': record['id'] = rng.choice(ids)
    return record


def generated_input(command: str, family: str, rng: random.Random) -> bytes:
    "One input file of `family`, sometimes behind a byte-order mark or with blank lines."
    match family:
        case 'random bytes':
            data = rng.randbytes(rng.randrange(1, 120))
            return b'\n'.join(data[i:i + 30] for i in range(0, len(data), 30))
        case 'random JSON': lines = [json.dumps(random_json(rng)) for _ in range(rng.randrange(1, 4))]
        case 'one field broken':
            records = [valid_record(command, rng, i) for i in range(rng.randrange(1, 4))]
            if rng.random() < 0.8:
                k = rng.randrange(len(records))
                records[k] = break_one_field(records[k], rng, [r['id'] for r in records])
            lines = [json.dumps(r, ensure_ascii=rng.random() < 0.5) for r in records]
    if rng.random() < 0.3: lines.insert(rng.randrange(len(lines) + 1), '')
    return (codecs.BOM_UTF8 if rng.random() < 0.2 else b'') + '\n'.join(lines).encode() + b'\n'


def cases() -> list[tuple[str, str, int, bytes, list[str]]]:
    "(command, family, number, input bytes, extra options) of every case, from the seeded generator."
    rng, out = random.Random(SEED), []
    for command in COMMANDS:
        for family in FAMILIES:
            for n in range(CASES_PER_FAMILY):
                options = []
                if command == 'grape':
                    options = ['--strategy', rng.choice(STRATEGIES), '--source', 's1']
                    if rng.random() < 0.2: options.append('--keep-incorrect')
                out.append((command, family, n, generated_input(command, family, rng), options))
    return out


CASES = cases()


def check_outcome(command: str, rc: int, stderr: str, folder: Path, source: Path, output: Path):
    "Success with a valid output, or status 2 and exactly one stderr line, with nothing written."
    if rc == 0:
        assert sorted(folder.iterdir()) == sorted([source, output]), sorted(folder.iterdir())
        assert read_jsonl(output, kind='score' if command == 'score' else 'sft')
        return
    assert rc == 2, (rc, stderr)
    assert 'Traceback' not in stderr and len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith(f'posttrain {command}: error: '), stderr
    assert list(folder.iterdir()) == [source], 'a failed command wrote something'


@pytest.mark.parametrize('command,family,n,data,options', CASES,
                         ids=[f'{c}-{f.replace(" ", "_")}-{n}' for c, f, n, _, _ in CASES])
def test_generated_input(command, family, n, data, options, tmp_path, capsys):
    source, output = tmp_path / 'input.jsonl', tmp_path / 'output.jsonl'
    source.write_bytes(data)
    where = '--input' if command == 'score' else '--pool'
    rc = main([command, '--model', 'tiny', '--dtype', 'float32', where, str(source), '--output', str(output), *options])
    check_outcome(command, rc, capsys.readouterr().err, tmp_path, source, output)


def test_the_generator_reaches_both_outcomes():
    "A fuzz test whose inputs all fail (or all pass) validation tests little: each command must see both."
    readers = {'score': read_pairs, 'grape': lambda path: read_jsonl(path, kind='pool', unique_ids=True)}
    outcomes = {command: [] for command in COMMANDS}
    with tempfile.TemporaryDirectory() as folder:
        for command, _, _, data, _ in CASES:
            (source := Path(folder) / 'input.jsonl').write_bytes(data)
            try: outcomes[command].append(bool(readers[command](source)))
            except DataError: outcomes[command].append(False)
    assert all(3 <= sum(valid) <= len(valid) - 30 for valid in outcomes.values()), outcomes


@pytest.mark.parametrize('k', [0, len(CASES) - 1])
def test_console_script(k, run, tmp_path):
    "A few cases through the installed `posttrain` script, as a user meets it: the same outcome rules."
    command, _, _, data, options = CASES[k]
    source, output = tmp_path / 'input.jsonl', tmp_path / 'output.jsonl'
    source.write_bytes(data)
    where = '--input' if command == 'score' else '--pool'
    result = run('posttrain', command, '--model', 'tiny', '--dtype', 'float32', where, source, '--output', output, *options)
    check_outcome(command, result.returncode, result.stderr, tmp_path, source, output)
