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
