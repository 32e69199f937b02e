"""GPU proof: the shared scorer, SFT and DPO of SmolLM2-135M on one CUDA GPU in bf16, with throughput and MFU.

Run from the repository root on a CUDA machine (bench/device_run.sh does all of it on the lent device):

    python3 bench/gpu_proof.py env --out DIR                 # device, package versions, attention implementation
    python3 bench/gpu_proof.py run --tag sdpa --out DIR      # (a) scorer, (b) SFT, (c) DPO in this process
    accelerate launch --config_file configs/accelerate/zero3.yaml bench/zero3_driver.py --out DIR   # (d)
    python3 bench/gpu_proof.py table --out DIR               # every DIR/*.json into DIR/results.md

FLOP accounting (stated once, used everywhere). N = all parameters with the tied embedding counted once
(every one of them is a matmul weight: the tied embedding is the LM head), N_body = N - V*d (the decoder
layers), L layers, d = heads * head_dim, and ctx = the number of keys a token attends to (causal: its
position + 1). A forward pass costs 2*N_body per token it encodes, 2*V*d per token whose logits it computes,
and 4*L*d*ctx per token for QK^T and AV. Training a token costs three forwards (forward, two backward
matmuls per weight), so SFT = 6*N + 12*L*d*ctx per token (logits on every position); DPO adds the frozen
reference model's forward: 8*N + 16*L*d*ctx per chosen/rejected token. The scorer computes logits only on
scored (response) tokens and encodes a shared prompt once. MFU = achieved FLOP/s / peak, with the H100 SXM
dense bf16 peak of 989 TFLOP/s (the datasheet figure; an 8192^3 bf16 matmul reaches about 800 there).
"""
from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import torch
from transformers import TrainerCallback

from posttrain.models import attention_implementation, load_model, model_path
from posttrain.preference import preference_pairs
from posttrain.scoring import encode_pairs, make_batches, pack_units, reference_scores, score_responses
from posttrain.tasks import build_suite
from posttrain.train import TrainConfig, train_stage

PEAK_BF16_FLOPS = 989e12  # H100 SXM, dense bf16 tensor cores
SUITES = ('formula_forward', 'formula_reverse', 'word_problems', 'reasoning_mc', 'pattern_mc')  # no lm-eval needed
PACKAGES = ('torch', 'transformers', 'trl', 'accelerate', 'peft', 'datasets', 'deepspeed', 'flash_attn',
            'flash-attn', 'gguf', 'sympy', 'numpy', 'pyarrow', 'huggingface_hub', 'tokenizers')
MODEL = 'smollm2-135m-instruct'


def sync():
    if torch.cuda.is_available(): torch.cuda.synchronize()


def shape(model) -> dict:
    "Parameter counts and dimensions that the FLOP formulas need."
    c = model.config
    n = sum(p.numel() for p in model.parameters())  # a tied embedding is one Parameter, counted once
    d_attn = c.num_attention_heads * getattr(c, 'head_dim', c.hidden_size // c.num_attention_heads)
    return {'N': n, 'N_body': n - c.vocab_size * c.hidden_size, 'V': c.vocab_size, 'd_model': c.hidden_size,
            'd_attn': d_attn, 'L': c.num_hidden_layers}


def causal_ctx(length: int) -> int:
    "Sum over a causal sequence of the keys each token attends to."
    return length * (length + 1) // 2


def mfu(flops: float, seconds: float) -> float | None:
    return flops / seconds / PEAK_BF16_FLOPS if torch.cuda.is_available() and seconds > 0 else None


# ---------------------------------------------------------------- data
def sft_records(per_suite: int, split: str = 'train') -> list[dict]:
    return [r for suite in SUITES for r in build_suite(suite, split, per_suite)]


def dpo_pairs(per_suite: int, split: str = 'train') -> list[dict]:
    "The project's preference pairs on the SFT records' instances: chosen the verified solution, rejected a wrong one."
    return preference_pairs(SUITES, split, per_suite)


def scoring_pool(n_prompts: int, n_responses: int, split: str = 'probe') -> tuple[list, list]:
    "GRAPE-shaped pool: each prompt with its own answer and the answers of the next n_responses-1 records."
    prompts, responses = [], []
    for suite in SUITES:
        group = build_suite(suite, split, n_prompts // len(SUITES))
        for i, record in enumerate(group):
            for k in range(n_responses):
                prompts.append(record['messages'][:-1])
                responses.append(group[(i + k) % len(group)]['messages'][-1]['content'])
    return prompts, responses


# ---------------------------------------------------------------- (a) scorer
def scorer_flops(model, tokenizer, prompts, responses, batch_tokens: int) -> dict:
    "Useful forward FLOPs of one `score_responses` call, counted on the same packing it uses."
    s = shape(model)
    units = pack_units(encode_pairs(tokenizer, prompts, responses), batch_tokens)
    encoded = scored = ctx = 0
    for unit in units:
        p = len(unit.prompt_ids)
        encoded += len(unit)
        ctx += causal_ctx(p)
        for pair in unit.pairs:
            n = len(pair.response_ids)
            scored += n
            ctx += n * p + causal_ctx(n)
    padded = sum(len(b) * max(map(len, b)) for b in make_batches(units, batch_tokens))
    flops = 2 * s['N_body'] * encoded + 2 * s['V'] * s['d_model'] * scored + 4 * s['L'] * s['d_attn'] * ctx
    return {'encoded_tokens': encoded, 'scored_tokens': scored, 'padded_tokens': padded, 'flops': flops}


def bench_scorer(model, tokenizer, n_prompts: int, n_responses: int, batch_tokens: int) -> dict:
    prompts, responses = scoring_pool(n_prompts, n_responses)
    check = slice(0, 24)
    fast = score_responses(model, tokenizer, prompts[check], responses[check], batch_tokens=batch_tokens)
    oracle = reference_scores(model, tokenizer, prompts[check], responses[check])
    max_diff = max(abs(f['mean_logprob'] - o['mean_logprob']) for f, o in zip(fast, oracle))
    sync()
    t0 = time.perf_counter()
    encode_pairs(tokenizer, prompts, responses)
    encode_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows = score_responses(model, tokenizer, prompts, responses, batch_tokens=batch_tokens)
    sync()
    total_s = time.perf_counter() - t0
    counts = scorer_flops(model, tokenizer, prompts, responses, batch_tokens)
    assert counts['scored_tokens'] == sum(r['n_tokens'] for r in rows)
    gpu_s = total_s - encode_s
    return {'pairs': len(rows), 'batch_tokens': batch_tokens, **counts, 'seconds': total_s,
            'tokenize_seconds': encode_s, 'scored_tok_per_s': counts['scored_tokens'] / total_s,
            'scored_tok_per_s_excl_tokenize': counts['scored_tokens'] / gpu_s,
            'mfu': mfu(counts['flops'], total_s), 'mfu_excl_tokenize': mfu(counts['flops'], gpu_s),
            'max_abs_diff_mean_logprob_vs_oracle': max_diff}


# ---------------------------------------------------------------- (b, c) training
class StepClock(TrainerCallback):
    "Wall time at the end of each optimizer step and TRL's cumulative `num_tokens` (non-padding) of each log."

    def __init__(self):
        self.times, self.tokens, self.losses, self.lengths, self.model = {}, {}, {}, [], None
        self.gradient_checkpointing = None

    def on_train_begin(self, args, state, control, model=None, train_dataloader=None, **kwargs):
        self.model, self.gradient_checkpointing = model, args.gradient_checkpointing
        data = train_dataloader.dataset if train_dataloader is not None else None
        if data is not None and 'input_ids' in data.column_names:
            self.lengths = [len(ids) for ids in data['input_ids']]
        elif data is not None and 'chosen_ids' in data.column_names:
            self.lengths = [len(p) + len(c) for p, c in zip(data['prompt_ids'], data['chosen_ids'])] + \
                           [len(p) + len(r) for p, r in zip(data['prompt_ids'], data['rejected_ids'])]

    def on_step_end(self, args, state, control, **kwargs):
        sync()
        self.times[state.global_step] = time.perf_counter()

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and 'num_tokens' in logs: self.tokens[state.global_step] = logs['num_tokens']
        if logs and 'loss' in logs: self.losses[state.global_step] = logs['loss']

    def summary(self, flops_per_token: float, attn_flops_per_ctx: float, warmup: int = 5) -> dict:
        steps = sorted(set(self.times) & set(self.tokens))
        first, last = steps[min(warmup, len(steps) - 2)], steps[-1]
        tokens = self.tokens[last] - self.tokens[first]
        seconds = self.times[last] - self.times[first]
        ctx_per_token = sum(map(causal_ctx, self.lengths)) / sum(self.lengths) if self.lengths else 0.0
        flops = tokens * (flops_per_token + attn_flops_per_ctx * ctx_per_token)
        losses = [self.losses[s] for s in sorted(self.losses)]
        return {'timed_steps': last - first, 'timed_tokens': tokens, 'seconds': seconds,
                'tok_per_s': tokens / seconds, 'step_ms': 1000 * seconds / (last - first),
                'mean_seq_len': sum(self.lengths) / max(len(self.lengths), 1), 'ctx_per_token': ctx_per_token,
                'flops': flops, 'mfu': mfu(flops, seconds), 'gradient_checkpointing': self.gradient_checkpointing,
                'first_loss': losses[0] if losses else None,
                'last_loss': losses[-1] if losses else None}


def folder_tensors(folder: Path | str) -> dict:
    "The tensors of a saved model folder, read from its safetensors files (no model built: safe under ZeRO-3)."
    from safetensors.torch import load_file
    return {k: v for f in sorted(Path(folder).glob('*.safetensors')) for k, v in load_file(f).items()}


def saved_model_check(folder: Path, before: Path | str) -> dict:
    "A saved model folder against the starting one: tensor count, empty tensors, finiteness, how many changed."
    trained, start = folder_tensors(folder), folder_tensors(before)
    empty = [k for k, v in trained.items() if v.numel() == 0]
    changed = sum(not torch.equal(v, start[k]) for k, v in trained.items() if k in start and v.shape == start[k].shape)
    finite = all(torch.isfinite(v.float()).all().item() for v in trained.values() if v.numel())
    same_shapes = all(k in trained and trained[k].shape == v.shape for k, v in start.items())
    return {'saved_model_ok': not empty and finite and changed > 0 and same_shapes,
            'saved_params': sum(v.numel() for v in trained.values()), 'empty_tensors': len(empty),
            'changed_tensors': changed, 'tensors': len(trained), 'finite': finite}


def train_flop_rates(method: str, s: dict, lora: bool) -> tuple[float, float]:
    "(FLOPs per token, FLOPs per token per unit of ctx) of one training token; see the module docstring."
    forwards = 3 if not lora else 2  # LoRA: no weight gradients for the frozen matrices (adapters ignored)
    if method == 'dpo': forwards += 1  # the reference model's forward
    return forwards * 2 * s['N'], forwards * 4 * s['L'] * s['d_attn']


def bench_train(method: str, model: str, data: list[dict], cfg: TrainConfig, root: Path, **kwargs) -> dict:
    clock = StepClock()
    t0 = time.perf_counter()
    record = train_stage(method, model, data, cfg, name=f'bench-{method}', callbacks=lambda _: [clock], root=root,
                         force=True, **kwargs)
    wall = time.perf_counter() - t0
    s = shape(clock.model.get_base_model() if hasattr(clock.model, 'get_base_model') else clock.model)
    out = clock.summary(*train_flop_rates(method, s, lora=cfg.lora_r is not None))
    out.update(examples=len(data), batch_size=cfg.batch_size, lora_r=cfg.lora_r, steps=record['outputs']['steps'],
               stage_wall_seconds=wall, attn=clock.model.config._attn_implementation)
    if method == 'dpo': out['final_reward_margin'] = record['outputs'].get('final_reward_margin')
    return out | saved_model_check(Path(record['model_dir']), model_path(model))


# ---------------------------------------------------------------- commands
def environment() -> dict:
    def version(name):
        try: return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError: return None
    smi = subprocess.run(['nvidia-smi', '--query-gpu=name,memory.total,driver_version', '--format=csv,noheader'],
                         capture_output=True, text=True).stdout.strip() if torch.cuda.is_available() else 'no GPU'
    return {'date': time.strftime('%Y-%m-%d'), 'gpu': smi, 'python': sys.version.split()[0],
            'cuda': torch.version.cuda, 'attention_implementation()': attention_implementation(),
            'packages': {n: v for n in PACKAGES if (v := version(n))}}


def run(args) -> dict:
    result = {'tag': args.tag, 'attention_implementation()': attention_implementation(), 'sections': {}}
    sections = result['sections']
    root = Path(args.work) / args.tag

    def section(name, fn):
        t0 = time.perf_counter()
        try: sections[name] = fn()
        except Exception as e:  # one failing section must not hide the others' numbers
            import traceback; traceback.print_exc()
            sections[name] = {'error': f'{type(e).__name__}: {e}'[:500]}
        sections[name]['section_seconds'] = time.perf_counter() - t0
        print(name, json.dumps(sections[name], default=str), flush=True)
        (args.out / f'{args.tag}.json').write_text(json.dumps(result, indent=1, default=str))  # kept if cut short

    def load():
        t0 = time.perf_counter()
        model, tokenizer = load_model(args.model, dtype=args.dtype)
        result['model'] = {'load_seconds': time.perf_counter() - t0, 'dtype': str(model.dtype),
                           'attn': model.config._attn_implementation, 'device': str(model.device), **shape(model)}
        return model, tokenizer

    if 'a' in args.sections:
        model, tokenizer = load()
        for batch_tokens in args.batch_tokens:
            section(f'a_scorer_bt{batch_tokens}',
                    lambda: bench_scorer(model, tokenizer, args.prompts, args.responses, batch_tokens))
        del model
        if torch.cuda.is_available(): torch.cuda.empty_cache()
    records = sft_records(args.per_suite) if {'b', 'b_lora'} & set(args.sections) else []
    full = TrainConfig(epochs=1, learning_rate=2e-5, batch_size=args.sft_batch, lora_r=None, max_length=1024,
                       dtype=args.dtype, save_strategy='no', warmup=0)
    if 'b' in args.sections: section('b_sft_full', lambda: bench_train('sft', args.model, records, full, root))
    if 'b_lora' in args.sections:
        section('b_sft_lora16', lambda: bench_train('sft', args.model, records, full.replace(lora_r=16, learning_rate=2e-4),
                                                    root))
    if 'c' in args.sections:
        section('c_dpo_full', lambda: bench_train('dpo', args.model, dpo_pairs(args.per_suite),
                                                  full.replace(batch_size=args.dpo_batch, learning_rate=1e-6), root,
                                                  beta=0.1))
    return result


def table(out: Path) -> str:
    "One markdown table over every result JSON in `out`."
    env = json.loads((out / 'env.json').read_text()) if (out / 'env.json').exists() else {}
    lines = [f"Date {env.get('date', '?')}; device `{env.get('gpu', '?')}`; CUDA {env.get('cuda')}; "
             f"attention_implementation() = `{env.get('attention_implementation()')}` (without the flash-attn build)",
             '', 'Packages: ' + ', '.join(f'{k} {v}' for k, v in env.get('packages', {}).items()), '',
             '| run | section | attn | work | throughput | MFU (989 TFLOP/s) | check | notes |',
             '|---|---|---|---|---|---|---|---|']

    def pct(x): return f'{100 * x:.1f}%' if isinstance(x, (int, float)) else '-'

    for path in sorted(out.glob('*.json')):
        if path.name == 'env.json': continue
        result = json.loads(path.read_text())
        attn = result.get('model', {}).get('attn', result.get('attention_implementation()'))
        for name, s in result.get('sections', {}).items():
            if 'error' in s:
                lines.append(f"| {result['tag']} | {name} | {s.get('attn', attn)} | - | - | - | FAILED | {s['error'].splitlines()[0][:160]} |")
            elif name.startswith('a_'):
                lines.append(
                    f"| {result['tag']} | {name} | {attn} | {s['pairs']} pairs, {s['scored_tokens']} scored / "
                    f"{s['encoded_tokens']} encoded tok | {s['scored_tok_per_s']:,.0f} scored tok/s "
                    f"({s['scored_tok_per_s_excl_tokenize']:,.0f} excl. tokenizing) | {pct(s['mfu'])} "
                    f"({pct(s['mfu_excl_tokenize'])}) | max abs diff vs oracle {s['max_abs_diff_mean_logprob_vs_oracle']:.3g} "
                    f"| {s['seconds']:.1f} s, padding eff. {s['encoded_tokens'] / s['padded_tokens']:.0%} |")
            else:
                extra = f", reward margin {s['final_reward_margin']:.3g}" if s.get('final_reward_margin') is not None else ''
                saved = (f", saved model ok {s['saved_model_ok']}, {s['changed_tensors']}/{s['tensors']} tensors changed"
                         if 'saved_model_ok' in s else '')
                lines.append(
                    f"| {result['tag']} | {name} | {s.get('attn', attn)} | {s['examples']} ex, bs {s['batch_size']}, "
                    f"lora {s['lora_r']}, {s['steps']} steps, mean len {s['mean_seq_len']:.0f} | "
                    f"{s['tok_per_s']:,.0f} tok/s ({s['step_ms']:.0f} ms/step) | {pct(s['mfu'])} | "
                    f"loss {s['first_loss']:.3g} -> {s['last_loss']:.3g}{extra}{saved} | "
                    f"{s['timed_steps']} timed steps; grad ckpt {s.get('gradient_checkpointing')}; "
                    f"stage {s['stage_wall_seconds']:.0f} s |")
    text = '\n'.join(lines) + '\n'
    (out / 'results.md').write_text(text)
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('command', choices=['env', 'run', 'table'])
    parser.add_argument('--out', type=Path, required=True)
    parser.add_argument('--tag', default='sdpa')
    parser.add_argument('--model', default=MODEL)
    parser.add_argument('--work', default=os.environ.get('BENCH_WORK', '/tmp/bench_work'))
    parser.add_argument('--dtype', default='bfloat16')
    parser.add_argument('--prompts', type=int, default=2000)
    parser.add_argument('--responses', type=int, default=4)
    parser.add_argument('--batch-tokens', type=int, nargs='+', default=[8192, 32768])
    parser.add_argument('--per-suite', type=int, default=640)
    parser.add_argument('--sft-batch', type=int, default=64)
    parser.add_argument('--dpo-batch', type=int, default=32)
    parser.add_argument('--sections', nargs='+', default=['a', 'b', 'b_lora', 'c'], choices=['a', 'b', 'b_lora', 'c'])
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.command == 'env':
        result = environment()
        (args.out / 'env.json').write_text(json.dumps(result, indent=1))
        print(json.dumps(result, indent=1))
    elif args.command == 'run':
        run(args)
    else:
        print(table(args.out))


if __name__ == '__main__':
    main()
