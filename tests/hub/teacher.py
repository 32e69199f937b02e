"""The r1k teacher fixture: a tiny Llama (hidden size 128, 2 layers, the SmolLM2 tokenizer and chat template) trained to
reply exactly what `fixtures.teacher_pairs()` says to the prompts r1k's two-step inversion sends for the fixture
s1K-1.1 rows (and to the one UltraInteract instruction GRAPE's Table 1 asks its generator), so that a real `transformers serve` of it, pulled from the local hub as `posttrain-fixtures/r1k-teacher`,
is a teacher whose round trip keeps every fixture problem. It knows those 13 prompts and nothing else: it stands in for
a teacher's interface, never for a teacher's quality.

`train_teacher(out_dir)` trains it (fixed seed, float32, CPU) until greedy decoding reproduces every reply exactly and
the loss is below LOSS_BELOW, then saves it; `teacher_folder()` is the trained folder, cached under
`<posttrain cache>/hub-fixtures/r1k-teacher-<sha256 of the pairs and this file>` (trained once, about a minute on two
cores). `python -m tests.hub.teacher` prints that folder, training it if needed.
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

if __package__:
    from .fixtures import build_once, teacher_pairs
else:  # run as a script: python tests/hub/teacher.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.hub.fixtures import build_once, teacher_pairs

TEACHER_ID = 'posttrain-fixtures/r1k-teacher'
SEED = 0
SHAPE = dict(hidden_size=128, intermediate_size=384, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
             max_position_embeddings=2048, tie_word_embeddings=True)
LR = 3e-3
LOSS_BELOW = 0.01  # and every reply reproduced exactly by greedy decoding
CHECK_FROM, CHECK_EVERY, MAX_STEPS = 100, 25, 800
END = '<|im_end|>'


def teacher_key(pairs: list[tuple[list[dict], str]] | None = None) -> str:
    """SHA-256 of the training pairs (as canonical JSON), this file's source and the versions of the packages that train
    and tokenize (torch, transformers, tokenizers): what the trained model depends on."""
    from posttrain.core import package_versions
    pairs = teacher_pairs() if pairs is None else pairs
    h = hashlib.sha256(json.dumps(pairs, sort_keys=True, ensure_ascii=False).encode())
    h.update(Path(__file__).read_bytes())
    h.update(json.dumps(package_versions(('torch', 'transformers', 'tokenizers')), sort_keys=True).encode())
    return h.hexdigest()


def _encoded(tokenizer, pairs) -> list[tuple[list[int], list[int]]]:
    "(prompt ids, reply ids + <|im_end|>) per pair; the prompt exactly as `transformers serve` tokenizes a request."
    encoded = []
    for conversation, reply in pairs:
        prompt = tokenizer.apply_chat_template(conversation, add_generation_prompt=True, tokenize=True, return_dict=True)
        answer = tokenizer(reply + END, add_special_tokens=False)['input_ids']
        if tokenizer.decode(answer, skip_special_tokens=True) != reply:
            raise ValueError(f'the reply does not survive tokenization: {reply!r}')
        encoded.append((list(prompt['input_ids']), answer))
    return encoded


def _reproduced(model, encoded) -> int:
    "How many replies greedy decoding reproduces exactly (one conversation at a time, as the server generates)."
    import torch
    model.eval()
    exact = 0
    with torch.no_grad():
        for prompt, answer in encoded:
            ids = torch.tensor([prompt])
            out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=len(answer) + 2)
            exact += out[0, len(prompt):].tolist() == answer  # the reply, then <|im_end|> (eos), then nothing
    model.train()
    return exact


def train_teacher(out_dir: Path | str, *, log=print) -> Path:
    """Train the teacher on `teacher_pairs()` and save it to `out_dir` (safetensors, tokenizer with its chat
    template, a greedy generation config that stops at <|im_end|>, a model card). The loss is on the reply tokens and
    <|im_end|> only. Stops once every reply is reproduced exactly and the loss is below LOSS_BELOW, checked every
    CHECK_EVERY steps from step CHECK_FROM; raises RuntimeError if that has not happened by step MAX_STEPS."""
    import torch
    from transformers import AutoTokenizer, GenerationConfig, LlamaConfig, LlamaForCausalLM
    from posttrain.models import smollm2_tokenizer_dir

    out_dir = Path(out_dir)
    pairs = teacher_pairs()
    tokenizer = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir())
    end = tokenizer.convert_tokens_to_ids(END)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else end
    encoded = _encoded(tokenizer, pairs)

    torch.manual_seed(SEED)
    config = LlamaConfig(vocab_size=len(tokenizer), bos_token_id=tokenizer.bos_token_id, eos_token_id=end,
                         pad_token_id=pad, dtype='float32', **SHAPE)
    model = LlamaForCausalLM(config).to(torch.float32)
    model.generation_config = GenerationConfig(bos_token_id=tokenizer.bos_token_id, eos_token_id=end, pad_token_id=pad,
                                               do_sample=False)

    width = max(len(p) + len(a) for p, a in encoded)  # one batch of all pairs, right-padded
    ids = torch.full((len(encoded), width), pad)
    mask = torch.zeros((len(encoded), width), dtype=torch.long)
    labels = torch.full((len(encoded), width), -100)
    for i, (prompt, answer) in enumerate(encoded):
        n = len(prompt) + len(answer)
        ids[i, :n], mask[i, :n] = torch.tensor(prompt + answer), 1
        labels[i, len(prompt):n] = torch.tensor(answer)
    targets = labels[:, 1:]
    scored = targets != -100  # the positions that predict a reply token or <|im_end|>

    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.0)
    model.train()
    start = time.monotonic()
    for step in range(1, MAX_STEPS + 1):
        hidden = model.model(input_ids=ids, attention_mask=mask).last_hidden_state
        loss = torch.nn.functional.cross_entropy(model.lm_head(hidden[:, :-1][scored]), targets[scored])
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if step >= CHECK_FROM and step % CHECK_EVERY == 0:
            exact = _reproduced(model, encoded) if loss.item() < LOSS_BELOW else None
            log(f'r1k teacher: step {step}, loss {loss.item():.4f}, exact replies '
                f'{"-" if exact is None else exact}/{len(encoded)}, {time.monotonic() - start:.0f} s')
            if exact == len(encoded): break
    else:
        raise RuntimeError(f'the r1k teacher did not learn its {len(encoded)} replies in {MAX_STEPS} steps '
                           f'(loss {loss.item():.4f}); change SHAPE, LR or MAX_STEPS in {__file__}')

    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    (out_dir / 'README.md').write_text(
        f'# {TEACHER_ID} (test fixture)\n\nA tiny Llama trained by tests/hub/teacher.py to reply exactly what r1k\'s '
        f'inversion expects to the {len(pairs)} prompts it sends for the fixture s1K-1.1 rows '
        f'({step} steps, final loss {loss.item():.4f}). It knows nothing else; it says nothing about a real '
        'teacher\'s quality.\n')
    return out_dir


def teacher_folder(cache: Path | str | None = None) -> Path:
    """The trained teacher: `<cache>/hub-fixtures/r1k-teacher-<teacher_key()>` (cache: the project's, by default),
    trained into a temporary folder beside it and renamed into place the first time."""
    from posttrain.core import get_paths
    root = Path(cache) if cache is not None else get_paths().cache
    return build_once(root / 'hub-fixtures' / f'r1k-teacher-{teacher_key()}',
                      lambda folder: train_teacher(folder, log=lambda line: print(line, file=sys.stderr, flush=True)))

if __name__ == '__main__':
    print(teacher_folder())
