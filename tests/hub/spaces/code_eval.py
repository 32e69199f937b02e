"""pass@k of generated code: a stand-in for the Hub's `evaluate-metric/code_eval` space, written for the local test hub
with the same interface (`compute(predictions=list[list[str]], references=list[str], k=[...]) -> (pass_at_k, results)`),
which lm-eval's humaneval and mbpp tasks load with `evaluate.load("code_eval")`. Each candidate runs with its test in a
separate Python process with a timeout. Like the original it refuses to run unless HF_ALLOW_CODE_EVAL=1."""
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

import datasets
import evaluate
import numpy as np


def _passes(program: str, timeout: float) -> tuple[bool, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'program.py')
        with open(path, 'w') as f: f.write(program)
        try:
            out = subprocess.run([sys.executable, path], cwd=tmp, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return False, 'timed out'
    return out.returncode == 0, 'passed' if out.returncode == 0 else (out.stderr.strip().splitlines() or ['failed'])[-1]


def _estimate_pass_at_k(n: np.ndarray, c: np.ndarray, k: int) -> np.ndarray:
    "The unbiased estimator 1 - C(n-c, k) / C(n, k) per problem (Chen et al. 2021)."
    return np.array([1.0 if ni - ci < k else 1.0 - np.prod(1.0 - k / np.arange(ni - ci + 1, ni + 1)) for ni, ci in zip(n, c)])


class CodeEval(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description='pass@k of candidate programs against test code (local test-hub stand-in for code_eval).',
            citation='', inputs_description='predictions: list of candidate lists; references: test code per problem.',
            features=datasets.Features({'predictions': datasets.Sequence(datasets.Value('string')),
                                        'references': datasets.Value('string')}))

    def _compute(self, predictions, references, k=(1, 10, 100), num_workers=4, timeout=3.0):
        if os.getenv('HF_ALLOW_CODE_EVAL', '0') != '1':
            raise ValueError('code_eval runs untrusted model-generated code: set HF_ALLOW_CODE_EVAL=1 to allow it.')
        results = defaultdict(list)
        for task_id, (candidates, test) in enumerate(zip(predictions, references)):
            for n, candidate in enumerate(candidates):
                ok, why = _passes(candidate + '\n' + test, timeout)
                results[task_id].append((n, {'task_id': task_id, 'passed': ok, 'result': why, 'completion_id': n}))
        total = np.array([len(r) for r in results.values()])
        correct = np.array([sum(x[1]['passed'] for x in r) for r in results.values()])
        ks = [k] if isinstance(k, int) else k
        return {f'pass@{x}': float(_estimate_pass_at_k(total, correct, x).mean()) for x in ks if (total >= x).all()}, results
