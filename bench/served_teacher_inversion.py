"""r1k's inversion with a real served teacher: SmolLM2-135M-Instruct behind `transformers serve` (an OpenAI-compatible
server) as `OpenAITeacher`, against the exact `SymbolicTeacher`, on the same forward problems.

    python bench/served_teacher_inversion.py --problems 4 --out bench/results-cpu-2026-12-02-served-teacher.md

`--problems` defaults to the r1k `cpu` preset's training problems (`R1kScale.n_pairs`). Both teachers go through
`posttrain.inversion.invert`: the two-step construction (a reverse question, then its solution) and the round-trip
check that keeps what passes and counts the rest by reason. Greedy decoding (temperature 0), at most `--max-tokens`
tokens a reply. Writes a markdown report of the counts, the wall times and the machine; prints it too."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


from posttrain.core import package_versions
from posttrain.inversion import OpenAITeacher, SymbolicTeacher, invert
from posttrain.launch import free_port
from posttrain.models import cpu_name, model_path
from posttrain.papers.r1k import scale_of
from posttrain.tasks import build_suite

MODEL = 'smollm2-135m-instruct'


def serve(folder: str, log: Path, deadline_s: float = 300) -> tuple[subprocess.Popen, str]:
    "`transformers serve` on `folder` on CPU; the process and the base URL once /health answers."
    port = free_port()
    with open(log, 'w') as out:
        process = subprocess.Popen([str(Path(sys.executable).parent / 'transformers'), 'serve', folder, '--host',
                                    '127.0.0.1', '--port', str(port), '--device', 'cpu'], stdout=out,
                                   stderr=subprocess.STDOUT)
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if process.poll() is not None: sys.exit(f'transformers serve exited:\n{log.read_text()}')
        try:
            with urllib.request.urlopen(f'http://127.0.0.1:{port}/health', timeout=2): return process, f'http://127.0.0.1:{port}/v1'
        except OSError: time.sleep(0.5)
    process.kill()
    sys.exit(f'transformers serve not ready after {deadline_s} s:\n{log.read_text()}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--problems', type=int, default=scale_of('cpu').n_pairs)
    parser.add_argument('--max-tokens', type=int, default=512)
    parser.add_argument('--out', type=Path)
    args = parser.parse_args()
    forward = build_suite('formula_forward', 'train', args.problems, seed=0)
    folder = str(model_path(MODEL))
    counts, seconds = {}, {}
    started = time.time()
    counts['symbolic'] = invert(forward, SymbolicTeacher(), progress=False).counts
    seconds['symbolic'] = time.time() - started
    with tempfile.TemporaryDirectory() as scratch:
        process, url = serve(folder, Path(scratch) / 'serve.log')
        try:
            teacher = OpenAITeacher(folder, base_url=url, api_key_env=None, max_tokens=args.max_tokens, max_workers=2)
            started = time.time()
            served = invert(forward, teacher, progress=False)
            seconds['served'] = time.time() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
    counts['served'] = served.counts
    examples = served.rejected[:2]
    table = counts['symbolic'].rename(columns={'count': 'SymbolicTeacher'}).merge(
        counts['served'].rename(columns={'count': f'{MODEL} served'}), on='outcome')
    versions = package_versions(['transformers', 'openai', 'torch'])
    report = '\n'.join([
        f'# r1k inversion: served SmolLM2-135M-Instruct against the symbolic teacher ({time.strftime("%Y-%m-%d")})', '',
        f'{args.problems} forward formula problems (`build_suite(\'formula_forward\', \'train\', {args.problems}, seed=0)`, '
        f'the r1k cpu preset\'s training problems), each inverted in two requests (reverse question, then its solution) '
        f'and kept only if the round trip recovers the hidden value (`posttrain.inversion.invert`). The served teacher: '
        f'`transformers serve` of the embedded SmolLM2-135M-Instruct on CPU, greedy, at most {args.max_tokens} tokens a '
        f'reply, through `OpenAITeacher` (the `openai` client).', '',
        table.to_markdown(index=False), '',
        f"Wall time: symbolic {seconds['symbolic']:.1f} s, served {seconds['served']:.1f} s. "
        f'Machine: {cpu_name()}, {os.cpu_count()} CPUs; {versions}.', '',
        'What the served model answered, for the first rejected examples (reason, then its reply to the first request):', '',
        *[f"- `{r['reason']}`: {r['replies'][0][:300]!r}" for r in examples],
        '', 'The symbolic teacher stays the offline default: a 135M model does not do this construction.'])
    print(report)
    if args.out: args.out.write_text(report + '\n')


if __name__ == '__main__':
    main()
