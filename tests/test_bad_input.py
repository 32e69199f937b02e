"""Bad input wherever it enters (the data loaders, `posttrain score`, `posttrain grape`): one clear error naming the
file, line and field, exit status 2 from the CLI, and no output left that could pass for a finished one."""
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from posttrain.cli import main
from posttrain.data import DataError, load_preferences, load_s1k, load_tulu_sft, read_jsonl, read_records

PROMPT = [{'role': 'user', 'content': 'What is 2 + 3?'}]
PAIR = {'id': 'a', 'prompt': PROMPT, 'response': 'Answer: 5'}
POOL = {'id': 'a', 'prompt': PROMPT, 'responses': [{'source': 'terse', 'content': 'Answer: 5'},
                                                   {'source': 'stepwise', 'content': '2 + 3 = 5.\nAnswer: 5'}]}
HUGE = 'word ' * 9000  # valid data, longer than the tiny model's context (8192 tokens)


def lines(*records) -> bytes:
    return b''.join(r if isinstance(r, bytes) else json.dumps(r).encode() + b'\n' for r in records)


# name: (score input, grape pool, what the error must say after `file:`)
CASES = {
    'empty file': (b'', b'', None),
    'blank lines only': (b'\n \n', b'\n \n', None),
    'truncated line': (lines(PAIR, json.dumps(PAIR)[:30].encode()), lines(POOL, json.dumps(POOL)[:30].encode()),
                       '2: malformed JSON'),
    'not an object': (lines(PAIR, [1, 2]), lines(POOL, [1, 2]), '2: expected a JSON object, got list'),
    'wrong type': (lines(PAIR, {**PAIR, 'response': 5}),
                   lines(POOL, {**POOL, 'responses': [{'source': 's', 'content': 5}, POOL['responses'][1]]}),
                   ('2: response: expected a string, got int', '2: responses[0].content: expected a string, got int')),
    'NaN': (lines(PAIR, b'{"id": NaN}\n'), lines(POOL, b'{"id": NaN}\n'), '2: malformed JSON: NaN is not valid JSON'),
    'not UTF-8': (lines(PAIR, b'{"id": "\xff\xfe"}\n'), lines(POOL, b'{"id": "\xff\xfe"}\n'), '2: not UTF-8'),
    'huge field': (lines(PAIR, b'\n', {**PAIR, 'response': HUGE}),
                   lines(POOL, b'\n', {**POOL, 'responses': [POOL['responses'][0], {'source': 'x', 'content': HUGE}]}),
                   ("3: prompt + response is", "3: responses[1]: prompt + response is")),
}


def leftovers(folder: Path, output: Path) -> list[str]:
    "Files beside `output` other than the input and partial-score files, which say in their name that they are partial."
    return [p.name for p in folder.iterdir() if p.suffix != '.in' and not p.name.endswith('.scores-partial.jsonl')]


@pytest.mark.parametrize('command', ['score', 'grape'])
@pytest.mark.parametrize('case', list(CASES))
def test_cli_bad_input(command, case, tmp_path, capsys):
    score_input, pool, expected = CASES[case]
    source, output = tmp_path / 'data.in', tmp_path / 'out.jsonl'
    source.write_bytes(score_input if command == 'score' else pool)
    where = ['--input', source] if command == 'score' else ['--pool', source]
    rc = main([command, '--model', 'tiny', '--dtype', 'float32', *map(str, where), '--output', str(output)])
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert rc == 2 and err.startswith(f'posttrain {command}: error: {source}')
    if expected is None: assert err.endswith(('no pairs to score', 'no instructions in the pool'))
    else:
        expected = expected if isinstance(expected, str) else expected[command == 'grape']
        assert f'{source}:{expected}' in err, err
    assert not output.exists() and leftovers(tmp_path, output) == []


def test_cli_error_is_one_line_without_traceback(run, tmp_path):
    "Through the console script, as a user meets it."
    pool = tmp_path / 'pool.jsonl'
    pool.write_bytes(CASES['wrong type'][1])
    result = run('posttrain', 'grape', '--model', 'tiny', '--pool', pool, '--output', tmp_path / 'out.jsonl')
    assert result.returncode == 2 and 'Traceback' not in result.stderr
    assert f'{pool}:2: responses[0].content: expected a string, got int' in result.stderr


def mutations(data: bytes, n: int, seed: int = 0):
    "`n` damaged copies of `data`: cut at a random byte, a byte overwritten, a span deleted or doubled."
    rng = random.Random(seed)
    for _ in range(n):
        i, j = sorted(rng.randrange(len(data)) for _ in range(2))
        yield rng.choice([data[:i], data[:i] + bytes([rng.randrange(256)]) + data[i + 1:], data[:i] + data[j:],
                          data[:j] + data[i:]])


def test_fuzzed_pools_give_data_errors_only(tmp_path, capsys):
    "Random damage to a pool file: it reads as valid, or fails with a DataError naming the file; the CLI agrees."
    good = lines(POOL, {**POOL, 'id': 'b'}, {**POOL, 'id': 'c'})
    outcomes = {'valid': 0, 'error': 0}
    for k, data in enumerate(mutations(good, 60)):
        pool, output = tmp_path / f'pool{k}.jsonl', tmp_path / f'out{k}.jsonl'
        pool.write_bytes(data)
        try: read_jsonl(pool, kind='pool')
        except DataError as e:
            assert str(e).startswith(str(pool)), e
            outcomes['error'] += 1
        else: outcomes['valid'] += 1
        rc = main(['grape', '--strategy', 'random', '--model', 'tiny', '--pool', str(pool), '--output', str(output)])
        assert (rc == 0) == output.exists()
        assert rc in (0, 2) and (rc == 0 or f'error: {pool}' in capsys.readouterr().err)
    assert outcomes['error'] > 30 and outcomes['valid'] > 0, outcomes


SFT_ROW = {'messages': [{'role': 'user', 'content': 'q'}, {'role': 'assistant', 'content': 'a'}]}


def damaged_files(folder: Path) -> dict[str, tuple[Path, str]]:
    "Damaged data files, each with what the error must say."
    parquet = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist([SFT_ROW, SFT_ROW]), parquet)
    files = {
        'empty.jsonl': (b'', 'empty.jsonl: no rows'),
        'empty list.json': (b'[]', 'empty list.json: no rows'),
        'truncated.json': (json.dumps([SFT_ROW, SFT_ROW]).encode()[:-12], 'truncated.json:1: malformed JSON'),
        'truncated.jsonl': (lines(SFT_ROW, json.dumps(SFT_ROW)[:20].encode()), 'truncated.jsonl:2: malformed JSON'),
        'truncated.parquet': (parquet.getvalue().to_pybytes()[:-30], 'truncated.parquet: not a readable Parquet file'),
        'wrong type.jsonl': (lines(SFT_ROW, {'messages': 'hi'}),
                             'wrong type.jsonl:2: messages: expected a non-empty list of chat messages'),
        'not utf8.jsonl': (lines(SFT_ROW, b'\xff\n'), 'not utf8.jsonl:2: not UTF-8'),
        'not utf8.json': (b'[\xff]', 'not utf8.json: not UTF-8'),
        'scalar.json': (b'5', 'scalar.json: expected a list of objects, got int'),
    }
    for name, (data, _) in files.items(): (folder / name).write_bytes(data)
    return {name: (folder / name, message) for name, (_, message) in files.items()}


@pytest.mark.parametrize('loader', [load_tulu_sft, load_preferences, load_s1k, lambda source: read_records(source, 'sft')],
                         ids=['tulu_sft', 'preferences', 's1k', 'read_records'])
def test_loaders_name_the_damaged_file(loader, tmp_path):
    "Every loader names the file; the rows are Tulu's shape, so the Tulu loader's message is checked in full."
    for name, (path, message) in damaged_files(tmp_path).items():
        with pytest.raises(DataError) as error: loader(path)
        assert str(error.value).startswith(str(path)), (name, str(error.value))
        if loader is load_tulu_sft: assert str(error.value).startswith(f'{tmp_path}/{message}'), (name, str(error.value))
