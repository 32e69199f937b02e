"""A local Hugging Face Hub for the tests: olah (https://github.com/vtuber-plan/olah) serving the fixture repositories
of fixtures.py offline on 127.0.0.1.

    with LocalHub() as hub:
        subprocess.run([...], env=hub.env())   # HF_ENDPOINT=hub.endpoint, HF_HOME=<scratch>/hf, not offline

olah lives in its own venv, `.venv-hub` at the project root (`make hub-venv`; created here if missing), because it pins
packages (psutil) that conflict with the project's. By hand: `python -m tests.hub.server [--port N] [--dir D]` (or `python tests/hub/server.py ...`) serves
until Ctrl-C and prints the `export` line to use.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

if __package__:
    from .fixtures import write_fixture_hub
else:  # run as a script: python tests/hub/server.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.hub.fixtures import write_fixture_hub

ROOT = Path(__file__).resolve().parents[2]
HUB_VENV = ROOT / '.venv-hub'
OLAH_VERSION = '0.5.4'
OFFLINE_VARS = ('HF_HUB_OFFLINE', 'HF_DATASETS_OFFLINE', 'TRANSFORMERS_OFFLINE')
READY_PATH = '/api/datasets/openai/gsm8k/revision/main'
LAUNCHER = Path(__file__).with_name('olah_local.py')  # olah-cli with two Hub answers fixed for local mirrors


def ensure_hub_venv(venv: Path = HUB_VENV) -> Path:
    "The `olah-cli` of `venv`, creating the venv (`python3 -m venv` + `pip install olah==0.5.4`) if it has none."
    cli = venv / 'bin' / 'olah-cli'
    if cli.exists(): return cli
    python3 = shutil.which('python3') or sys.executable
    for cmd in ([python3, '-m', 'venv', str(venv)], [str(venv / 'bin' / 'pip'), 'install', '-q', f'olah=={OLAH_VERSION}']):
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode: raise RuntimeError(f'could not set up the hub venv ({" ".join(cmd)}):\n{out.stderr[-2000:]}')
    if not cli.exists(): raise RuntimeError(f'olah=={OLAH_VERSION} installed into {venv} but {cli} is missing')
    return cli


def _free_port() -> int:
    try:
        from posttrain.launch import free_port
    except ImportError:  # the library is not importable (e.g. run with another interpreter): the same thing
        import socket
        def free_port():
            with socket.socket() as s:
                s.bind(('127.0.0.1', 0))
                return s.getsockname()[1]
    return free_port()


def _port_taken(port: int) -> bool:
    import socket
    with socket.socket() as s:
        return s.connect_ex(('127.0.0.1', port)) == 0


def _status(url: str, timeout: float = 2.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r: return r.status
    except urllib.error.HTTPError as e: return e.code
    except (urllib.error.URLError, OSError): return None


class LocalHub:
    """olah serving the fixture repositories under `dir` (a new temporary folder if None, removed on stop) on
    127.0.0.1:`port` (a free one if None). `start()`/`stop()`, or use it as a context manager."""

    def __init__(self, dir: Path | str | None = None, port: int | None = None, *, models: bool = True,
                 timeout: float = 60.0):
        self._given_dir, self.port, self.models, self.timeout = dir, port, models, timeout
        self.dir: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.fixtures: dict = {}

    @property
    def endpoint(self) -> str: return f'http://127.0.0.1:{self.port}'

    @property
    def hf_home(self) -> Path: return self.dir / 'hf'

    def env(self, base: dict | None = None, **extra: str) -> dict:
        "A full environment for a subprocess that uses this hub: HF_ENDPOINT and HF_HOME set, the offline switches removed."
        env = {k: v for k, v in (os.environ if base is None else base).items() if k not in OFFLINE_VARS}
        return {**env, 'HF_ENDPOINT': self.endpoint, 'HF_HOME': str(self.hf_home), 'HF_HUB_DISABLE_TELEMETRY': '1', **extra}

    def log_tail(self, n: int = 40) -> str:
        log = self.dir / 'olah.log' if self.dir else None
        return '\n'.join(log.read_text(errors='replace').splitlines()[-n:]) if log and log.exists() else '(no log)'

    def start(self) -> LocalHub:
        cli = ensure_hub_venv()
        self.dir = Path(self._given_dir) if self._given_dir else Path(tempfile.mkdtemp(prefix='posttrain-hub-'))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.fixtures = write_fixture_hub(self.dir / 'mirrors', models=self.models)
        self.port = self.port or _free_port()
        if _port_taken(self.port): raise OSError(f'port {self.port} on 127.0.0.1 is already in use: choose another (or none)')
        (self.dir / 'repos').mkdir(exist_ok=True)
        (self.dir / 'olah.toml').write_text(
            f'[basic]\nhost = "127.0.0.1"\nport = {self.port}\nrepos-path = "{self.dir / "repos"}"\n'
            f'mirrors-path = ["{self.dir / "mirrors"}"]\n\n[accessibility]\noffline = true\n')
        with open(self.dir / 'olah.log', 'wb') as log:
            self.proc = subprocess.Popen([str(cli.with_name('python')), str(LAUNCHER), '-c', str(self.dir / 'olah.toml')], cwd=self.dir, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + self.timeout
        while (code := _status(self.endpoint + READY_PATH)) != 200:
            if self.proc.poll() is not None:
                tail = self.log_tail()
                self.stop()
                raise RuntimeError(f'olah exited (rc {self.proc.returncode}) before serving; log tail:\n{tail}')
            if time.monotonic() > deadline:
                tail = self.log_tail()
                self.stop()
                raise TimeoutError(f'olah did not answer GET {READY_PATH} with 200 within {self.timeout} s '
                                   f'(last status {code}); log tail:\n{tail}')
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try: os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError: pass
            try: self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try: os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError: pass
                self.proc.wait()
        if self.dir is not None and self._given_dir is None: shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> LocalHub: return self.start()

    def __exit__(self, *exc) -> None: self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description='Serve the test fixture repositories as a local Hugging Face Hub.')
    parser.add_argument('--port', type=int, default=None, help='port on 127.0.0.1 (default: a free one)')
    parser.add_argument('--dir', default=None, help='folder for the repositories, config and log (default: a temporary one, removed on exit)')
    parser.add_argument('--no-models', action='store_true', help='serve the datasets only')
    args = parser.parse_args(argv)
    hub = LocalHub(args.dir, args.port, models=not args.no_models)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `kill` stops olah too, like Ctrl-C
    hub.start()
    print(f'serving {len(hub.fixtures["datasets"])} datasets and {len(hub.fixtures["models"])} models from {hub.dir}')
    print(f'export HF_ENDPOINT={hub.endpoint} HF_HOME={hub.hf_home}; unset {" ".join(OFFLINE_VARS)}', flush=True)
    try:
        while hub.proc.poll() is None: time.sleep(1)
        print(f'olah exited (rc {hub.proc.returncode}); log tail:\n{hub.log_tail()}', file=sys.stderr)
    except (KeyboardInterrupt, SystemExit): pass
    finally: hub.stop()


if __name__ == '__main__':
    main()
