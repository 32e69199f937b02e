"""`OpenAITeacher` over real HTTP: `transformers serve` on the tiny model, and small stub servers for the failures
a real server is hard to make produce on demand (malformed bodies, slow replies, 5xx, partly failing batches)."""
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import BIN, child_env, completion, teacher_for
from posttrain.inversion import TeacherError, invert
from posttrain.launch import free_port
from posttrain.models import model_path
from posttrain.tasks import build_suite

SERVE_DEADLINE_S = 90


def ask(*texts: str) -> list[list[dict]]:
    return [[{'role': 'user', 'content': text}] for text in texts]


def wait_until_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    "Poll `url` until it answers 200; fail with the server's log if it exits or the deadline passes."
    deadline = time.monotonic() + SERVE_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f'transformers serve exited with {process.returncode}:\n{log.read_text()}')
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200: return
        except OSError: time.sleep(0.5)
    pytest.fail(f'transformers serve not ready after {SERVE_DEADLINE_S} s:\n{log.read_text()}')


@pytest.fixture(scope='module')
def served_tiny(tmp_path_factory):
    "`transformers serve` on the tiny registry model, offline on CPU; yields (base URL, model name to request)."
    folder = str(model_path('tiny'))  # the server is pinned to this model; requests must name it
    port, logs = free_port(), tmp_path_factory.mktemp('serve')
    env = child_env(HF_HUB_CACHE=str(tmp_path_factory.mktemp('hub-cache')))
    log = logs / 'serve.log'
    with open(log, 'w') as out:
        process = subprocess.Popen([str(BIN / 'transformers'), 'serve', folder, '--host', '127.0.0.1', '--port', str(port),
                                    '--device', 'cpu'], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_ready(f'http://127.0.0.1:{port}/health', process, log)
        yield f'http://127.0.0.1:{port}/v1', folder
    finally:
        process.terminate()
        try: process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_served_model_batch_then_cache(served_tiny, tmp_path):
    url, model = served_tiny
    conversations = ask('What is 2 + 2?', 'Name a prime number.', 'Say hello.')
    replies = teacher_for(url, model=model, max_tokens=8, cache_dir=tmp_path, max_workers=2).complete(conversations)
    assert len(replies) == 3 and all(isinstance(r, str) and r for r in replies)
    assert len(list(tmp_path.glob('*.json'))) == 3
    # the same requests to a port where nothing listens: every reply must come from the cache
    offline = teacher_for(f'http://127.0.0.1:{free_port()}/v1', model=model, max_tokens=8, cache_dir=tmp_path, max_retries=0)
    assert offline.complete(conversations) == replies


def test_served_model_through_invert(served_tiny):
    url, model = served_tiny
    forward = build_suite('formula_forward', 'train', 3)
    inversion = invert(forward, teacher_for(url, model=model, max_tokens=8), progress=False)
    assert inversion.kept == [] and inversion.counts['count'].sum() == 3  # random weights: nothing survives


def test_server_down_is_a_clear_error():
    url = f'http://127.0.0.1:{free_port()}/v1'
    start = time.monotonic()
    with pytest.raises(TeacherError) as error: teacher_for(url, max_retries=2).complete(ask('hi'))
    assert time.monotonic() - start < 5
    message = str(error.value)
    assert message.startswith(f"teacher 'm' at {url}: cannot connect (is the server running?)"), message
    assert '(tried 3 times)' in message and '0 of 1 replies were received' in message


def test_timeout_is_a_clear_error(stub):
    slow = stub(lambda body: (time.sleep(3), completion('late'))[1])
    start = time.monotonic()
    with pytest.raises(TeacherError) as error: teacher_for(slow.url, timeout=0.3, max_retries=1).complete(ask('hi'))
    assert time.monotonic() - start < 2.5
    assert f"teacher 'm' at {slow.url}: no reply within the 0.3 s timeout (tried 2 times)" in str(error.value)
    assert len(slow.bodies) == 2


@pytest.mark.parametrize('reply, what', [
    ((200, b'<html>502 Bad Gateway</html>'), 'malformed reply: the body is not JSON'),
    ((200, b'{"id": "x", "choices": []}'), 'malformed reply: no choices'),
    (completion(None, 'length'), "malformed reply: empty content (finish_reason='length')"),
    (completion(''), "malformed reply: empty content (finish_reason='stop')"),
    ((200, b'"just a string"'), "malformed reply: not a chat completion: 'just a string'"),
])
def test_malformed_reply_is_a_clear_error(stub, reply, what):
    bad = stub(lambda body: reply)
    with pytest.raises(TeacherError) as error: teacher_for(bad.url, max_retries=3).complete(ask('hi'))
    assert f"teacher 'm' at {bad.url}: {what}" in str(error.value)
    assert len(bad.bodies) == 1, 'a malformed reply is not retried'


def test_transient_errors_are_retried_with_backoff(stub):
    statuses = iter([503, 429])  # then 200
    def respond(body):
        status = next(statuses, 200)
        return completion('ok') if status == 200 else (status, b'{"error": {"message": "busy"}}')
    flaky = stub(respond)
    start = time.monotonic()
    assert teacher_for(flaky.url, max_retries=2, backoff=0.1).complete(ask('hi')) == ['ok']
    assert len(flaky.bodies) == 3 and time.monotonic() - start >= 0.1 + 0.2


def test_retries_are_bounded_and_client_errors_not_retried(stub):
    down = stub(lambda body: (500, b'{"error": {"message": "boom"}}'))
    with pytest.raises(TeacherError) as error: teacher_for(down.url, max_retries=2).complete(ask('hi'))
    assert 'HTTP 500' in str(error.value) and '(tried 3 times)' in str(error.value) and len(down.bodies) == 3
    missing = stub(lambda body: (404, b'{"error": {"message": "no such model"}}'))
    with pytest.raises(TeacherError) as error: teacher_for(missing.url, max_retries=2).complete(ask('hi'))
    assert 'HTTP 404' in str(error.value) and len(missing.bodies) == 1


def test_failed_batch_keeps_received_replies(stub, tmp_path):
    failing = {'bad'}
    def respond(body):
        text = body['messages'][-1]['content']
        return (400, b'{"error": {"message": "rejected"}}') if text in failing else completion(text.upper())
    server = stub(respond)
    conversations = ask('a', 'b', 'bad', 'c', 'd')
    with pytest.raises(TeacherError) as error:
        teacher_for(server.url, max_workers=1, cache_dir=tmp_path).complete(conversations)
    cached = len(list(tmp_path.glob('*.json')))
    assert cached >= 2 and f'{cached} of 5 replies were received and cached' in str(error.value)
    failing.clear()
    asked_before = len(server.bodies)
    assert teacher_for(server.url, max_workers=1, cache_dir=tmp_path).complete(conversations) == ['A', 'B', 'BAD', 'C', 'D']
    assert len(server.bodies) - asked_before == 5 - cached, 'the rerun asks only for the missing replies'
