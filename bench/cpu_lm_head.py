"""TRL's fused LM head on a CPU, with TRL's default tiles against `posttrain.train.cpu_lm_head`, side by side.

    python bench/cpu_lm_head.py --rounds 2

Every measurement runs in its own process (the glibc setting of `cpu_lm_head` is process-wide and cannot be
undone), and rounds alternate the arms so that load from other jobs falls on both alike. Workloads:

- `head-tiny`: forward and backward of the fused head alone, 768 tokens x 64 hidden (the `tiny` model of smoke runs);
- `head-135m`: the same at 4096 tokens x 576 hidden (SmolLM2-135M, a batch of 8 x 512 tokens);
- `dpo-135m`: `posttrain.train.dpo` of SmolLM2-135M-Instruct with LoRA as in the cpu preset (batch 4 pairs), the
  trainer's own `train_runtime`.

Prints one JSON line per measurement (wall, user and system seconds, minor page faults), then a table of the
median of each arm and the ratio tuned / default."""
from __future__ import annotations

import argparse
import contextlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ARMS = ('trl-default', 'cpu-tuned')
HEAD_SHAPES = {'head-tiny': (768, 64), 'head-135m': (4096, 576)}
VOCAB = 49_152


def fused_head_seconds(tokens: int, hidden: int, steps: int) -> float:
    "Seconds for `steps` forward + backward passes of TRL's fused log-prob head, after one untimed pass."
    import torch
    import trl.trainer.utils as trl_utils
    torch.manual_seed(0)
    states = torch.randn(tokens, hidden, requires_grad=True)
    weight = (torch.randn(VOCAB, hidden) * 0.02).requires_grad_()
    labels = torch.randint(0, VOCAB, (tokens,))
    outputs = ('log_probs', 'entropy', 'mean_logits', 'is_top1')  # what TRL's DPOTrainer asks for

    def step():
        log_probs, *_ = trl_utils._ChunkedLogProbFunction.apply(
            states, weight, None, labels, 1.0, trl_utils._CHUNKED_LOGPROB_CHUNK_SIZE, None, 1.0, outputs)
        log_probs.sum().backward()

    step()
    start = time.perf_counter()
    for _ in range(steps): step()
    return time.perf_counter() - start


def dpo_seconds(steps: int) -> float:
    "The trainer's `train_runtime` for `steps` DPO steps of SmolLM2-135M-Instruct with LoRA 16, batch 4 pairs."
    from posttrain.papers.smoltulu import PREFERENCE_SCALES
    from posttrain.preference import preference_pairs
    from posttrain.train import TrainConfig, dpo
    pairs = preference_pairs(PREFERENCE_SCALES['smoke'].suites, 'train', steps)[:4 * steps]
    cfg = TrainConfig(batch_size=4, lora_r=16, learning_rate=1e-5, max_length=512, save_strategy='no')
    with tempfile.TemporaryDirectory(prefix='lm-head-bench-') as scratch:
        result = dpo('smollm2-135m-instruct', pairs, scratch, cfg, beta=0.6)
        history = json.loads(result['log_history'].read_text())
    return next(h['train_runtime'] for h in history if 'train_runtime' in h)


def child(arm: str, workload: str, steps: int) -> dict:
    "One measurement in this process; the default arm runs TRL as shipped."
    import torch

    import posttrain.train as train
    if arm == 'trl-default': train.cpu_lm_head = lambda device: contextlib.nullcontext()
    before = resource.getrusage(resource.RUSAGE_SELF)
    if workload in HEAD_SHAPES:
        with train.cpu_lm_head(torch.device('cpu')):
            seconds = fused_head_seconds(*HEAD_SHAPES[workload], steps)
    else:
        seconds = dpo_seconds(steps)
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {'arm': arm, 'workload': workload, 'steps': steps, 'seconds': round(seconds, 3),
            'user_s': round(after.ru_utime - before.ru_utime, 2), 'system_s': round(after.ru_stime - before.ru_stime, 2),
            'minor_faults': after.ru_minflt - before.ru_minflt}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument('--steps', type=int, default=3, help='timed steps per measurement')
    parser.add_argument('--workloads', nargs='+', default=[*HEAD_SHAPES, 'dpo-135m'])
    parser.add_argument('--child', nargs=2, metavar=('ARM', 'WORKLOAD'), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child, args.steps)))
        return
    rows = []
    for workload in args.workloads:
        for round_ in range(args.rounds):
            for arm in ARMS if round_ % 2 == 0 else ARMS[::-1]:
                out = subprocess.run([sys.executable, __file__, '--child', arm, workload, '--steps', str(args.steps)],
                                     check=True, capture_output=True, text=True).stdout
                rows.append(json.loads(out.strip().splitlines()[-1]))
                print(json.dumps(rows[-1]), flush=True)
    print(f"\n| workload | {ARMS[0]} s | {ARMS[1]} s | ratio tuned / default | system s (default -> tuned) |")
    print('|---|---|---|---|---|')
    def median(workload: str, key: str) -> list[float]:
        return [statistics.median(r[key] for r in rows if r['workload'] == workload and r['arm'] == arm) for arm in ARMS]

    for workload in args.workloads:
        (default, tuned), (default_system, tuned_system) = median(workload, 'seconds'), median(workload, 'system_s')
        print(f"| {workload} | {default:.2f} | {tuned:.2f} | {tuned / default:.2f} | {default_system:.1f} -> {tuned_system:.1f} |")


if __name__ == '__main__':
    main()
