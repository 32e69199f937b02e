"""What the test files share: the offline environment, the project root, subprocesses killed at a chosen moment,
a stub OpenAI-compatible chat server, and a local Hugging Face Hub serving fixture repositories (tests/hub)."""
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OFFLINE = {'HF_HUB_OFFLINE': '1', 'HF_DATASETS_OFFLINE': '1'}  # nothing here may reach the hub
os.environ.update(OFFLINE)  # before any test module imports huggingface_hub, which reads them once


def child_env(**extra: str) -> dict:
    "The environment of a subprocess: this one, offline, the repository's `lib` first on PYTHONPATH, then `extra`."
    return {**os.environ, **OFFLINE, 'PYTHONPATH': os.pathsep.join([str(ROOT / 'lib'), os.environ.get('PYTHONPATH', '')]),
            **extra}


@pytest.fixture
def run():
    "Run a command from the repository root with the project's venv first on PATH; returns the CompletedProcess."
    def _run(*args, check=False, **kwargs):
        env = child_env(PATH=f'{BIN}{os.pathsep}{os.environ["PATH"]}')
        return subprocess.run([str(a) for a in args], cwd=ROOT, env=env, capture_output=True, text=True, check=check,
                              **kwargs)
    return _run


def printed(prefix: str) -> Callable[[list[str]], bool]:
    "A `kill_when` condition: the child printed a line starting with `prefix`."
    return lambda lines: any(line.startswith(prefix) for line in lines)


def kill_when(args: Sequence, ready: Callable[[list[str]], bool], *, timeout: float, env: dict | None = None,
              cwd: Path = ROOT) -> list[str]:
    """Start `args` and SIGKILL it as soon as `ready(its stdout lines so far)` is true (checked every 0.1 s); fail if
    it exits first or `timeout` seconds pass. The child is killed and reaped whatever happens. Returns its stdout."""
    proc = subprocess.Popen([str(a) for a in args], env=env or child_env(), cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    lines = []
    def read():  # in a thread, so that waiting has a deadline and the pipe never fills
        for line in proc.stdout: lines.append(line)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + timeout
        while not ready(lines):
            if proc.poll() is not None: pytest.fail(f'the child ended (rc {proc.returncode}) before it could be killed')
            if time.monotonic() > deadline: pytest.fail(f'the child was not ready to be killed within {timeout} s')
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL, f'the child ended by itself (rc {proc.returncode}) before the kill'
    finally:
        proc.kill()
        proc.wait()
        reader.join(timeout=10)
    return lines


def completion(content: str | None, finish_reason: str = 'stop') -> tuple[int, bytes]:
    "A 200 chat-completions reply with one choice."
    return 200, json.dumps({'id': 'x', 'object': 'chat.completion', 'created': 0, 'model': 'm', 'choices': [
        {'index': 0, 'message': {'role': 'assistant', 'content': content}, 'finish_reason': finish_reason}]}).encode()


class StubServer:
    "A chat-completions server in a thread: `respond(request body) -> (status, body bytes)`; `bodies` lists requests."

    def __init__(self, respond):
        self.respond, self.bodies = respond, []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                stub.bodies.append(body)
                status, data = stub.respond(body)
                try:
                    self.send_response(status)
                    self.send_header('Content-Type', 'application/json')
                    self.send_header('Content-Length', str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError): pass  # the client gave up waiting

            def log_message(self, *args): pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads, self.server.block_on_close = True, False
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f'http://127.0.0.1:{self.server.server_address[1]}/v1'

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    "Start stub servers with `stub(respond)`; all are stopped after the test."
    servers = []
    def start(respond):
        servers.append(StubServer(respond))
        return servers[-1]
    yield start
    for server in servers: server.close()


def teacher_for(url: str, **kwargs):
    "An `OpenAITeacher` for `url` with no API key and a short backoff; `model` defaults to 'm'."
    from posttrain.inversion import OpenAITeacher
    return OpenAITeacher(kwargs.pop('model', 'm'), url, api_key_env=None, **{'backoff': 0.01, **kwargs})


@pytest.fixture(scope='session')
def local_hub():
    "olah serving the fixture repositories of tests/hub on 127.0.0.1 (see tests/hub/README.md); `.env()` for subprocesses."
    from hub.server import LocalHub
    with LocalHub() as hub: yield hub
