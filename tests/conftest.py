import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def run():
    "Run a command from the repository root with the project's venv first on PATH; returns the CompletedProcess."
    def _run(*args, check=False, **kwargs):
        env = {**os.environ, 'PATH': f'{BIN}{os.pathsep}{os.environ["PATH"]}', 'HF_HUB_OFFLINE': '1'}
        return subprocess.run([str(a) for a in args], cwd=ROOT, env=env, capture_output=True, text=True, check=check,
                              **kwargs)
    return _run
