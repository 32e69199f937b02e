"""(d) of the GPU proof: SFT then DPO of SmolLM2-135M through `posttrain.train.sft` and `dpo`, under
`accelerate launch --config_file configs/accelerate/zero3.yaml` (DeepSpeed ZeRO-3, bf16), then a check of each
saved model folder (every tensor present and some changed by training). DPO starts from the base model: on
2026-11-22 `posttrain.train.save_model` wrote empty (sharded) tensors under ZeRO-3, so the SFT folder cannot be loaded.

    accelerate launch --config_file configs/accelerate/zero3.yaml bench/zero3_driver.py --out DIR
"""
from __future__ import annotations

import argparse
import json
import os
import time
import traceback
from pathlib import Path

from transformers import AutoConfig

from gpu_proof import MODEL, StepClock, dpo_pairs, folder_tensors, saved_model_check, sft_records, train_flop_rates
from posttrain.models import model_path
from posttrain.train import TrainConfig, dpo, sft


def unsharded_shape(model) -> dict:
    "What the FLOP formulas need, read from the saved starting folder (ZeRO-3 leaves the live model sharded)."
    config = AutoConfig.from_pretrained(model_path(model))
    n = sum(v.numel() for v in folder_tensors(model_path(model)).values())  # the tied head is stored once
    d_attn = config.num_attention_heads * getattr(config, 'head_dim', config.hidden_size // config.num_attention_heads)
    return {'N': n, 'L': config.num_hidden_layers, 'd_attn': d_attn}


def rank() -> int: return int(os.environ.get('RANK', 0))


def stage(method, fn, model, data, out_dir, cfg, **kwargs) -> dict:
    clock = StepClock()
    t0 = time.perf_counter()
    outputs = fn(model, data, out_dir, cfg, callbacks=[clock], **kwargs)
    wall = time.perf_counter() - t0
    base = clock.model.module if hasattr(clock.model, 'module') else clock.model
    result = clock.summary(*train_flop_rates(method, unsharded_shape(model), lora=cfg.lora_r is not None))
    result.update(examples=len(data), batch_size=cfg.batch_size, lora_r=cfg.lora_r, steps=outputs['steps'],
                  stage_wall_seconds=wall, attn=base.config._attn_implementation,
                  final_reward_margin=outputs.get('final_reward_margin'), model_dir=str(outputs['model']))
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--out', type=Path, required=True)
    parser.add_argument('--work', type=Path, default=Path('/tmp/bench_work/zero3'))
    parser.add_argument('--per-suite', type=int, default=320)
    parser.add_argument('--model', default=MODEL)
    args = parser.parse_args()
    records = sft_records(args.per_suite)
    cfg = TrainConfig(epochs=1, learning_rate=2e-5, batch_size=32, lora_r=None, dtype='bfloat16', save_strategy='no')
    result = {'tag': 'zero3', 'sections': {}}
    sections = result['sections']
    start = model_path(args.model)
    for name, method, fn, model, data, c, kwargs in [
            ('d_zero3_sft_full', 'sft', sft, args.model, records, cfg, {}),
            ('d_zero3_dpo_full', 'dpo', dpo, args.model, dpo_pairs(args.per_suite),  # the SFT folder is empty under ZeRO-3
             cfg.replace(learning_rate=1e-6, batch_size=16), {'beta': 0.1})]:
        try:
            sections[name] = stage(method, fn, model, data, args.work / method, c, **kwargs)
            if rank() == 0:
                sections[name].update(saved_model_check(Path(sections[name]['model_dir']), start))
        except Exception as e:
            traceback.print_exc()
            sections[name] = {'error': f'{type(e).__name__}: {e}'[:500]}
        print(name, json.dumps(sections[name], default=str), flush=True)
    if rank() == 0:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / 'zero3.json').write_text(json.dumps(result, indent=1, default=str))


if __name__ == '__main__':
    main()
