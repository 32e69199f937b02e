"""Bad input wherever it enters (the data loaders, `posttrain score`, `posttrain grape`): one clear error naming the
file, line and field, exit status 2 from the CLI, and no output left that could pass for a finished one."""
import codecs
import json
import os
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
    'huge field': (lines(PAIR, b'\n', {**PAIR, 'id': 'huge', 'response': HUGE}),
                   lines(POOL, b'\n', {**POOL, 'id': 'huge', 'responses': [POOL['responses'][0], {'source': 'x', 'content': HUGE}]}),
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


def cli(command: str, source: Path, output: Path, *options, model: str | Path = 'tiny') -> int:
    "`posttrain score` or `posttrain grape` in-process, on `source` (the --input or --pool)."
    where = '--input' if command == 'score' else '--pool'
    return main([command, '--model', str(model), '--dtype', 'float32', where, str(source), '--output', str(output),
                 *map(str, options)])


def one_error(capsys) -> str:
    "The single stderr line of a failed command (no traceback, nothing else)."
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and 'Traceback' not in err, err
    return err.strip()


def valid_input(command: str, *records) -> bytes:
    return lines(*(records or ([PAIR, {**PAIR, 'id': 'b'}] if command == 'score' else [POOL, {**POOL, 'id': 'b'}])))


@pytest.fixture
def empty_model(tmp_path) -> Path:
    "A model folder with nothing in it: any command that gets as far as loading it fails on that."
    (folder := tmp_path / 'model').mkdir()
    return folder


COMMANDS = ['score', 'grape']


@pytest.mark.parametrize('command', COMMANDS)
def test_folder_as_input(command, tmp_path, capsys):
    rc = cli(command, tmp_path, tmp_path / 'out.jsonl')
    assert rc == 2 and one_error(capsys) == f'posttrain {command}: error: {tmp_path}: a folder, not a JSONL file'
    assert list(tmp_path.iterdir()) == []


def unwritable_folder(tmp_path: Path) -> Path:
    "A folder this user cannot create files in: a read-only one, or (root can write anywhere else) sysfs."
    if os.geteuid() == 0: return Path('/sys')
    (folder := tmp_path / 'locked').mkdir(mode=0o555)
    return folder


OUTPUTS = {  # name: (output path from the input file, what the error says)
    'the input itself': (lambda source: source, 'is also an input: writing it would destroy the input'),
    'the input by another name': (lambda source: source.parent / 'sub' / '..' / source.name, 'is also an input'),
    'a file as folder': (lambda source: source / 'out.jsonl', 'is not a folder'),
    'a folder': (lambda source: source.parent, 'is a folder, not a file'),
    'an unwritable folder': (lambda source: unwritable_folder(source.parent) / 'out.jsonl', 'cannot write in'),
}


@pytest.mark.parametrize('command', COMMANDS)
@pytest.mark.parametrize('case', list(OUTPUTS))
def test_output_checked_before_the_model_loads(command, case, tmp_path, empty_model, capsys):
    "The model folder is empty, so an error about the output shows that it was checked first."
    (source := tmp_path / 'data.jsonl').write_bytes(valid_input(command))
    output, message = OUTPUTS[case]
    before = source.read_bytes(), sorted(tmp_path.iterdir())
    assert cli(command, source, output(source), model=empty_model) == 2
    error = one_error(capsys)
    assert error.startswith(f'posttrain {command}: error: {output(source)}: ') and message in error, error
    assert (source.read_bytes(), sorted(tmp_path.iterdir())) == before


@pytest.mark.parametrize('command', COMMANDS)
def test_input_checked_before_the_model_loads(command, tmp_path, empty_model, capsys):
    (source := tmp_path / 'data.jsonl').write_bytes(valid_input(command) + b'{"id": "c"}\n')
    assert cli(command, source, tmp_path / 'out.jsonl', model=empty_model) == 2
    assert one_error(capsys).startswith(f'posttrain {command}: error: {source}:3: ')


@pytest.mark.parametrize('command', COMMANDS)
def test_empty_model_folder(command, tmp_path, empty_model, capsys):
    (source := tmp_path / 'data.jsonl').write_bytes(valid_input(command))
    assert cli(command, source, tmp_path / 'out.jsonl', model=empty_model) == 2
    assert one_error(capsys) == (f'posttrain {command}: error: model folder {empty_model} has no config.json: '
                                 'not a saved model (save one with save_pretrained)')
    assert not (tmp_path / 'out.jsonl').exists()


@pytest.mark.parametrize('command', COMMANDS)
def test_duplicate_ids_name_both_lines(command, tmp_path, capsys):
    record = PAIR if command == 'score' else POOL
    (source := tmp_path / 'data.jsonl').write_bytes(lines(record, {**record, 'id': 'b'}, b'\n', record))
    assert cli(command, source, tmp_path / 'out.jsonl') == 2
    assert one_error(capsys) == (f"posttrain {command}: error: {source}:4: id: duplicate id 'a', "
                                 f'first used at {source}:1')
    assert not (tmp_path / 'out.jsonl').exists()


def test_pairs_without_id_cannot_clash(tmp_path, capsys):
    "A missing id is null in the score row: never a row number that another pair may have as its id."
    unnamed = {k: v for k, v in PAIR.items() if k != 'id'}
    (source := tmp_path / 'pairs.jsonl').write_bytes(lines({**PAIR, 'id': '1'}, unnamed, {**PAIR, 'id': '0'}))
    assert cli('score', source, tmp_path / 'scores.jsonl') == 0
    assert [r['id'] for r in read_jsonl(tmp_path / 'scores.jsonl')] == ['1', None, '0']


@pytest.mark.parametrize('command', COMMANDS)
def test_byte_order_mark_is_accepted(command, tmp_path):
    (source := tmp_path / 'data.jsonl').write_bytes(codecs.BOM_UTF8 + valid_input(command))
    assert cli(command, source, tmp_path / 'out.jsonl') == 0
    assert len(read_jsonl(tmp_path / 'out.jsonl')) == 2


@pytest.mark.parametrize('command', COMMANDS)
def test_max_response_tokens_cuts_before_the_context_check(command, tmp_path):
    "A response longer than the context is scored when it is cut to fit."
    case = CASES['huge field'][0 if command == 'score' else 1]
    (source := tmp_path / 'data.jsonl').write_bytes(case)
    assert cli(command, source, tmp_path / 'out.jsonl', '--max-response-tokens', 16) == 0
    rows = read_jsonl(tmp_path / 'out.jsonl')
    if command == 'score': assert rows[0]['n_tokens'] < 16 and rows[1]['n_tokens'] == 16 and rows[1]['truncated'], rows
    else: assert all(r['meta']['n_tokens'] <= 16 and r['meta']['max_response_tokens'] == 16 for r in rows)


@pytest.mark.parametrize('value', ['0', '-1', 'all'])
def test_max_response_tokens_below_one_is_rejected(value, tmp_path, capsys):
    (source := tmp_path / 'pairs.jsonl').write_bytes(valid_input('score'))
    with pytest.raises(SystemExit) as exit: cli('score', source, tmp_path / 'out.jsonl', '--max-response-tokens', value)
    assert exit.value.code == 2 and 'argument --max-response-tokens: ' in one_error(capsys)
    assert not (tmp_path / 'out.jsonl').exists()


CORRECT, WRONG = 'Answer: 5', 'Answer: 6'


def labelled_pool(n: int, seed: int = 0) -> list[dict]:
    "`n` instructions with four responses each, exactly one of them marked correct, at a random place."
    rng, pool = random.Random(seed), []
    for i in range(n):
        right = rng.randrange(4)
        pool.append({'id': f'q{i}', 'prompt': PROMPT, 'responses': [
            {'source': f's{k}', 'content': CORRECT if k == right else f'{WRONG} ({"wrong " * k}{i})', 'correct': k == right}
            for k in range(4)]})
    return pool


@pytest.mark.parametrize('strategy', ['grape', 'sum', 'lowest', 'random', 'all', '3x', 'best_source'])
def test_grape_leaves_out_incorrect_responses(strategy, tmp_path, capsys):
    pool = labelled_pool(6)
    (source := tmp_path / 'pool.jsonl').write_bytes(lines(*pool))
    assert cli('grape', source, tmp_path / 'out.jsonl', '--strategy', strategy) == 0
    kept = read_jsonl(tmp_path / 'out.jsonl', kind='sft')
    assert kept and all(r['messages'][-1]['content'] == CORRECT for r in kept), strategy
    assert '18 responses marked correct: false left out' in capsys.readouterr().out
    assert cli('grape', source, tmp_path / 'all.jsonl', '--strategy', strategy, '--keep-incorrect') == 0
    if strategy in ('all', 'lowest'):
        assert any(r['messages'][-1]['content'] != CORRECT for r in read_jsonl(tmp_path / 'all.jsonl'))


def test_original_source_without_a_correct_response_is_left_out(tmp_path, capsys):
    pool = labelled_pool(8, seed=1)
    (source := tmp_path / 'pool.jsonl').write_bytes(lines(*pool))
    assert cli('grape', source, tmp_path / 'out.jsonl', '--strategy', 'original', '--source', 's0') == 0
    kept = read_jsonl(tmp_path / 'out.jsonl')
    assert [r['id'] for r in kept] == [p['id'] for p in pool if p['responses'][0]['correct']] and kept
    assert '(instructions left with none: 0)' in capsys.readouterr().out


def test_pool_with_only_incorrect_responses(tmp_path, empty_model, capsys):
    "Nothing could be selected: an error before the model loads, unless --keep-incorrect."
    pool = [{**p, 'responses': [{**r, 'correct': False} for r in p['responses']]} for p in labelled_pool(2)]
    (source := tmp_path / 'pool.jsonl').write_bytes(lines(*pool))
    assert cli('grape', source, tmp_path / 'out.jsonl', model=empty_model) == 2
    assert one_error(capsys) == (f'posttrain grape: error: {source}: every response is marked "correct": false, '
                                 'so none can be selected (see --keep-incorrect)')
    assert cli('grape', source, tmp_path / 'out.jsonl', '--keep-incorrect', '--strategy', 'random') == 0
