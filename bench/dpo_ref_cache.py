"""DPO step time with cached reference log-probs against TRL's reference forward, side by side in one process.

    python bench/dpo_ref_cache.py --model smollm2-135m-instruct --pairs-per-suite 8 --batch-size 4 --steps 4 --rounds 2

Prints one JSON line: the median step seconds of each arm and their ratio (cached / TRL reference forward).
Both arms train the same pairs from the same model with full fine-tuning (the reference is a second model in
memory for TRL's arm), length-normalised DPO with beta = 5; rounds alternate the arms so shared-machine load
falls on both alike."""
from __future__ import annotations

import argparse
import json
import tempfile

from posttrain.papers.smoltulu import PREFERENCE_SCALES
from posttrain.preference import PAPER_BETA, dpo_step_seconds, preference_pairs
from posttrain.train import TrainConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', default='smollm2-135m-instruct')
    parser.add_argument('--pairs-per-suite', type=int, default=8)
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--steps', type=int, default=4, help='steps per round and arm (the first is not timed)')
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument('--lora-r', type=int, default=None, help='LoRA rank; default full fine-tuning')
    parser.add_argument('--dtype', default='auto')
    args = parser.parse_args()
    pairs = preference_pairs(PREFERENCE_SCALES['smoke'].suites, 'train', args.pairs_per_suite)
    cfg = TrainConfig(batch_size=args.batch_size, lora_r=args.lora_r, learning_rate=1e-6, max_length=1024,
                      dtype=args.dtype)
    with tempfile.TemporaryDirectory(prefix='dpo-bench-') as scratch:
        result = dpo_step_seconds(args.model, pairs, cfg, steps=args.steps, rounds=args.rounds, beta=PAPER_BETA,
                                  scratch=scratch)
    print(json.dumps({'model': args.model, 'batch_size': args.batch_size, 'lora_r': args.lora_r, **result}))


if __name__ == '__main__':
    main()
