"""The language identifier fixture: a stand-in for `papluca/xlm-roberta-base-language-detection`, the XLM-RoBERTa
classifier SmolTulu's language tables (10-12) use. It has the real model's architecture (`XLMRobertaForSequenceClassification`)
and its twenty labels in the real config's order, at a tiny size with random weights (seed 0), and a word-level tokenizer
in XLM-R's special-token layout (<s> 0, <pad> 1, </s> 2, <unk> 3). Its labels are arbitrary: it stands in for the
identifier's interface (transformers' text-classification pipeline by hub id), never for its accuracy.

`classifier_folder()` builds it once under `<posttrain cache>/hub-fixtures/language-classifier-<sha256 of this file>`.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

LANGUAGE_CLASSIFIER_ID = 'papluca/xlm-roberta-base-language-detection'
# id2label of the real config.json (huggingface.co/papluca/xlm-roberta-base-language-detection)
LABELS = ('ja', 'nl', 'ar', 'pl', 'de', 'it', 'pt', 'tr', 'es', 'hi', 'el', 'ur', 'bg', 'en', 'fr', 'zh', 'ru', 'th', 'sw', 'vi')
SPECIALS = ('<s>', '<pad>', '</s>', '<unk>', '<mask>')
WORDS = ('the a an is are of to in and what how many write give one name for it with on at by you your this that be '
         'do does number answer question words list sentence three cat rain day year water').split()


def build_classifier(out_dir: Path) -> Path:
    "Write the tiny classifier and its tokenizer into `out_dir` (seeded: the same weights every time)."
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaForSequenceClassification
    vocab = {token: i for i, token in enumerate((*SPECIALS, *WORDS))}
    core = Tokenizer(models.WordLevel(vocab, unk_token='<unk>'))
    core.normalizer, core.pre_tokenizer = normalizers.Lowercase(), pre_tokenizers.Whitespace()
    core.post_processor = processors.RobertaProcessing(('</s>', 2), ('<s>', 0))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, bos_token='<s>', eos_token='</s>', cls_token='<s>',
                                        sep_token='</s>', pad_token='<pad>', unk_token='<unk>', mask_token='<mask>',
                                        model_max_length=512)
    config = XLMRobertaConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                              intermediate_size=64, max_position_embeddings=514, pad_token_id=1, bos_token_id=0,
                              eos_token_id=2, id2label=dict(enumerate(LABELS)),
                              label2id={label: i for i, label in enumerate(LABELS)},
                              problem_type='single_label_classification')
    torch.manual_seed(0)
    XLMRobertaForSequenceClassification(config).save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def classifier_folder(cache: Path | str | None = None) -> Path:
    "The built classifier's folder, `<cache>/hub-fixtures/language-classifier-<sha256 of this file>` (cache: the project's)."
    from posttrain.core import get_paths
    from .fixtures import build_once
    root = Path(cache) if cache is not None else get_paths().cache
    key = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return build_once(root / 'hub-fixtures' / f'language-classifier-{key}', build_classifier)
