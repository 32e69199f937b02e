"""Where an SFT step of SmolLM2-135M goes on one GPU: ms/step with TRL's default gradient checkpointing on and
off (same trainer arguments as `posttrain.train.sft` otherwise), and a torch.profiler table of a few steps.

    python3 bench/sft_step_profile.py --out DIR
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from trl import SFTConfig, SFTTrainer

from gpu_proof import MODEL, StepClock, sft_records
from posttrain.data import to_dataset
from posttrain.models import load_model, to_prompt_completion
from posttrain.train import TrainConfig, trainer_arguments


def trainer(records, out: Path, cfg: TrainConfig, callbacks, **overrides) -> SFTTrainer:
    model, tokenizer = load_model(MODEL, cfg.dtype)
    args = SFTConfig(**(trainer_arguments(out, cfg) | overrides), completion_only_loss=True)
    return SFTTrainer(model=model.train(), args=args, train_dataset=to_dataset([to_prompt_completion(r) for r in records]),
                      processing_class=tokenizer, callbacks=callbacks)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--out', type=Path, required=True)
    args = parser.parse_args()
    records = sft_records(128)  # 640 examples, 10 steps of 64
    cfg = TrainConfig(batch_size=64, lora_r=None, dtype='bfloat16', save_strategy='no', learning_rate=2e-5)
    result = {}
    for checkpointing in (True, False):
        clock = StepClock()
        trainer(records, Path('/tmp/profile') / str(checkpointing), cfg, [clock],
                gradient_checkpointing=checkpointing).train()
        steps = sorted(clock.times)
        result[f'gradient_checkpointing={checkpointing}'] = {
            'ms_per_step': 1000 * (clock.times[steps[-1]] - clock.times[steps[2]]) / (steps[-1] - steps[2]),
            'peak_mem_gib': torch.cuda.max_memory_allocated() / 2**30}
        torch.cuda.reset_peak_memory_stats()
    t = trainer(records[:256], Path('/tmp/profile/prof'), cfg, [], max_steps=4, gradient_checkpointing=True)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA]) as prof:
        t.train()
    table = prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=18, max_name_column_width=60)
    print(json.dumps(result, indent=1))
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / 'sft_profile.json').write_text(json.dumps(result, indent=1))
    (args.out / 'sft_profile.txt').write_text(table)


if __name__ == '__main__':
    main()
