"""The hub-smoke preset end to end: the local Hub (olah serving the fixture repositories), the fixture teacher
behind `transformers serve` (pulled from that hub by its id), and `posttrain reproduce --preset hub-smoke` with that
teacher as the r1k notebooks' teacher and GRAPE's generator (Tables 1 and 6): the paper preset's code path at smoke size. Everything it starts, it stops.

    python tests/hub/run_hub_smoke.py [--root DIR] [--only NAME ...] [--force]

`--root` is the project root to run in (default: this repository, so the outputs land in `figures/hub-smoke/`);
`make hub-smoke` runs it, and `tests/test_hub_smoke.py` runs it in a temporary project.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

if __package__:
    from .server import LocalHub
    from .teacher import TEACHER_ID
else:  # run as a script: python tests/hub/run_hub_smoke.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.hub.server import LocalHub
    from tests.hub.teacher import TEACHER_ID

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVE_DEADLINE_S = 300


@contextlib.contextmanager
def served(model_id: str, env: dict, log: Path, deadline_s: float = SERVE_DEADLINE_S):
    """`transformers serve` pinned to hub model `model_id` (pulled through `env`'s HF_ENDPOINT) on CPU; yields its base
    URL once /health answers (within `deadline_s`), and stops it (its process group) on exit."""
    from posttrain.launch import free_port
    port = free_port()
    with open(log, 'w') as out:
        process = subprocess.Popen([str(BIN / 'transformers'), 'serve', model_id, '--host', '127.0.0.1', '--port',
                                    str(port), '--device', 'cpu'], env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + deadline_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f'transformers serve {model_id} exited with {process.returncode}:\n{log.read_text()}')
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f'http://127.0.0.1:{port}/health', timeout=2): break
            if time.monotonic() > deadline:
                raise TimeoutError(f'transformers serve {model_id} not ready after {deadline_s} s:\n{log.read_text()}')
            time.sleep(0.5)
        yield f'http://127.0.0.1:{port}/v1'
    finally:
        with contextlib.suppress(ProcessLookupError): os.killpg(process.pid, signal.SIGTERM)
        try: process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError): os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def served_parameters(url: str) -> dict[str, str]:
    "The notebook parameters that name the served fixture teacher: r1k's teacher and GRAPE's one generator."
    return {'teacher_base_url': url, 'teacher_model': TEACHER_ID, 'generator_base_url': url, 'generator_models': TEACHER_ID}


def run_parameters(root: Path, only: list[str] | None = None) -> set[str]:
    "The names the parameters cells of the hub-smoke run's notebooks set."
    from posttrain.reproduce import notebook_parameters, plan
    return {name for job in plan('hub-smoke', only) for name in notebook_parameters(root / 'nbs' / job.notebook, root)}


def reproduce_command(served_url: str | None, names: set[str], only: list[str] | None = None,
                      force: bool = False, params: dict | None = None) -> list[str]:
    """`posttrain reproduce --preset hub-smoke`, with the served fixture teacher (if any) as r1k's teacher and GRAPE's
    generator (those of `served_parameters` that the run's notebooks take, `names`), and `params` besides."""
    given = (served_parameters(served_url) if served_url else {}) | (params or {})
    served = [arg for name, value in given.items() if name in names for arg in ('--param', f'{name}={value}')]
    return [str(BIN / 'posttrain'), 'reproduce', '--preset', 'hub-smoke', *served, *(['--only', *only] if only else []),
            *(['--force'] if force else [])]


def run_hub_smoke(root: Path | str = ROOT, only: list[str] | None = None, force: bool = False,
                  env: dict | None = None, hub_dir: Path | str | None = None,
                  params: dict | None = None) -> subprocess.CompletedProcess:
    """Start the local Hub and the served teacher, run the hub-smoke preset in project `root` (its output captured),
    stop both. `env` is the base environment (default: this process's); the hub's switches are set on it. `params`
    are more notebook parameters (`--param NAME=VALUE`), each given to the notebooks that take it."""
    root = Path(root)
    logs = root / 'runs' / 'hub-smoke'
    logs.mkdir(parents=True, exist_ok=True)
    with LocalHub(hub_dir) as hub, contextlib.ExitStack() as stack:
        hub_env = hub.env(env)
        names = run_parameters(root, only)
        needed = names & {'teacher_base_url', 'generator_base_url'}  # a notebook of the run asks a served model
        url = stack.enter_context(served(TEACHER_ID, hub_env, logs / 'teacher-serve.log')) if needed else None
        # HF_ALLOW_CODE_EVAL: lm-eval's humaneval runs a check when it loads (the contamination notebook reads its prompts)
        env = {**hub_env, 'POSTTRAIN_ROOT': str(root), 'HF_ALLOW_CODE_EVAL': '1'}
        return subprocess.run(reproduce_command(url, names, only, force, params), env=env,
                              cwd=root, capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--root', default=str(ROOT), help='project root to run in (default: this repository)')
    parser.add_argument('--only', nargs='+', metavar='NAME', help='notebooks or artifacts (default: all of hub-smoke)')
    parser.add_argument('--force', action='store_true', help='run even notebooks that are up to date')
    args = parser.parse_args(argv)
    done = run_hub_smoke(args.root, args.only, args.force)
    print(done.stdout, end='')
    print(done.stderr, end='', file=sys.stderr)
    return done.returncode


if __name__ == '__main__':
    sys.exit(main())
