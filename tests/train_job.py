"""A small training stage for the reliability tests: SFT or DPO of the tiny model through `train_stage`.

    python tests/train_job.py ROOT sft|dpo [--batch-size N] [--hang-after-save] [--twice]

Prints the stage record as JSON on its last line, and appends it to ROOT/records-RANK.jsonl. `--hang-after-save` stops the run (sleeping) right after its
first checkpoint is complete, so a test can kill it there. Run under `accelerate launch` for several processes;
`--batch-size` is per process."""
import argparse
import json
import os
import time

from transformers import TrainerCallback

from posttrain.preference import preference_pairs
from posttrain.tasks import build_suite
from posttrain.train import TrainConfig, train_stage


class StepLog(TrainerCallback):
    "Append each optimizer step this process takes to `path`, one number a line: shows where a resumed run started."
    def __init__(self, path):
        self.path = path

    def on_step_end(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            with open(self.path, 'a') as f: f.write(f'{state.global_step}\n')


class HangAfterSave(TrainerCallback):
    "Announce the first complete checkpoint on stdout, then wait to be killed."
    def on_save(self, args, state, control, **kwargs):
        print(f'checkpoint {state.global_step} saved', flush=True)
        time.sleep(600)


def data(method: str) -> list[dict]:
    "8 forward formula problems: as SFT records, or as preference pairs (chosen: the solution; rejected: a wrong one)."
    if method == 'sft': return build_suite('formula_forward', 'train', 8, seed=0)
    return preference_pairs('formula_forward', 'train', 8, seed=0)


def train(root, method: str, batch_size: int = 4, hang_after_save: bool = False) -> dict:
    "The stage record of `method` on the tiny model; each step taken is logged to `root/steps.log`."
    # batch_size is part of the spec: two processes of 2 are a different stage from one process of 4
    cfg = TrainConfig(epochs=2, learning_rate=3e-3 if method == 'sft' else 1e-3, batch_size=batch_size, lora_r=None,
                      dtype='float32', save_strategy='epoch', max_length=256)
    steps = StepLog(f'{root}/steps.log')
    callbacks = lambda run_dir: [steps, *([HangAfterSave()] if hang_after_save else [])]
    extra = {'beta': 0.6} if method == 'dpo' else {}
    return train_stage(method, 'tiny', data(method), cfg, callbacks=callbacks, root=root, **extra)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('root')
    parser.add_argument('method', choices=['sft', 'dpo'])
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--hang-after-save', action='store_true')
    parser.add_argument('--twice', action='store_true', help='ask for the stage again: the second call is a cache hit')
    args = parser.parse_args()
    for _ in range(2 if args.twice else 1):
        record = json.dumps(train(args.root, args.method, args.batch_size, args.hang_after_save))
        print(record, flush=True)
        with open(f"{args.root}/records-{os.environ.get('RANK', '0')}.jsonl", 'a') as f: f.write(record + '\n')


if __name__ == '__main__':
    main()
