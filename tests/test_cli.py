"The `posttrain` console script as a user runs it."
import json


def test_score_command_end_to_end(run, tmp_path):
    pairs, scores = tmp_path / 'pairs.jsonl', tmp_path / 'scores.jsonl'
    prompt = [{'role': 'user', 'content': 'Name a prime number.'}]
    pairs.write_text('\n'.join(json.dumps({'id': i, 'prompt': prompt, 'response': r})
                               for i, r in [('x', 'Seven.'), ('y', 'Seven is prime, so: 7.')]) + '\n')
    result = run('posttrain', 'score', '--model', 'tiny', '--input', pairs, '--output', scores, '--max-response-tokens', '4')
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in scores.read_text().splitlines()]
    assert [r['id'] for r in rows] == ['x', 'y']
    assert [r['n_tokens'] for r in rows] == [4, 4] and all(r['sum_logprob'] < 0 for r in rows)


def test_score_command_reports_bad_input_once(run, tmp_path):
    pairs, scores = tmp_path / 'pairs.jsonl', tmp_path / 'scores.jsonl'
    pairs.write_text('{"prompt": [{"role": "user", "content": "hi"}], "response": "ok"}\n{"prompt": [}\n')
    result = run('posttrain', 'score', '--model', 'tiny', '--input', pairs, '--output', scores)
    assert result.returncode == 2
    assert f'{pairs}:2:' in result.stderr and 'Traceback' not in result.stderr
    assert not scores.exists()


def test_unknown_model_name(run, tmp_path):
    pairs = tmp_path / 'pairs.jsonl'
    pairs.write_text('{"prompt": [{"role": "user", "content": "hi"}], "response": "ok"}\n')
    result = run('posttrain', 'score', '--model', 'gpt-17', '--input', pairs, '--output', tmp_path / 'out.jsonl')
    assert result.returncode == 2 and "unknown model 'gpt-17'" in result.stderr


def test_hub_id_while_offline(run, tmp_path):
    "HF_HUB_OFFLINE=1 (set for every test) and a hub id that is not cached: one line that says offline mode is on."
    pairs = tmp_path / 'pairs.jsonl'
    pairs.write_text('{"prompt": [{"role": "user", "content": "hi"}], "response": "ok"}\n')
    result = run('posttrain', 'score', '--model', 'posttrain-tests/no-such-model', '--input', pairs,
                 '--output', tmp_path / 'out.jsonl')
    assert result.returncode == 2 and result.stderr.count('\n') == 1 and 'Traceback' not in result.stderr
    assert ("model 'posttrain-tests/no-such-model' is not in the local hub cache, and offline mode is on (HF_HUB_OFFLINE=1)"
            in result.stderr)
    assert not (tmp_path / 'out.jsonl').exists()


def test_score_validates_its_input_before_the_model(run, tmp_path):
    "The model cannot load (an uncached hub id offline), yet the error is the input's: it was read first."
    pairs = tmp_path / 'pairs.jsonl'
    pairs.write_text('{"prompt": [{"role": "user", "content": "hi"}], "response": "ok"}\n{"prompt": []}\n')
    result = run('posttrain', 'score', '--model', 'posttrain-tests/no-such-model', '--input', pairs,
                 '--output', tmp_path / 'out.jsonl')
    assert result.returncode == 2 and result.stderr.count('\n') == 1
    assert f'{pairs}:2: prompt: expected a non-empty list of chat messages' in result.stderr


def test_grape_shows_progress_while_scoring(run, tmp_path):
    pool = tmp_path / 'pool.jsonl'
    question = [{'role': 'user', 'content': 'What is 2+2?'}]
    pool.write_text(''.join(json.dumps({'id': f'q{i}', 'prompt': question, 'responses': [
        {'source': 'terse', 'content': 'Answer: 4'}, {'source': 'verbose', 'content': 'Two and two make four.\nAnswer: 4'}]})
        + '\n' for i in range(3)))
    result = run('posttrain', 'grape', '--model', 'tiny', '--dtype', 'float32', '--pool', pool,
                 '--output', tmp_path / 'out.jsonl')
    assert result.returncode == 0, result.stderr
    assert 'scoring: 100%' in result.stderr and '3/3' in result.stderr, result.stderr
    assert result.stdout.startswith('grape: kept 3 responses for 3 instructions; 0 responses marked correct: false left out')


def subcommand_parsers() -> dict:
    from posttrain.cli import build_parser
    (commands,) = [a for a in build_parser()._actions if a.dest == 'command']
    return {name: commands.choices[name] for name in ('score', 'grape')}


def test_help_shows_every_default():
    "Every option that is not required says in its help what happens without it."
    for name, parser in subcommand_parsers().items():
        optional = [a for a in parser._actions if not a.required and a.dest != 'help']
        assert len(optional) >= 3, name
        for action in optional: assert '(default: ' in action.help, (name, action.dest, action.help)
    help_text = subcommand_parsers()['grape'].format_help()
    assert '(default: grape)' in help_text and '(default: 8192)' in help_text and '--keep-incorrect' in help_text


def test_score_help_has_a_description(run):
    result = run('posttrain', 'score', '--help')
    assert result.returncode == 0 and 'Score each pair of a JSONL file' in result.stdout
    assert '(default: auto)' in result.stdout and '(default: the whole response)' in result.stdout
