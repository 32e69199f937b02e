"""The local Hugging Face Hub (tests/hub): olah serving the fixture repositories on 127.0.0.1. Each check runs the way a
user would, in a subprocess with HF_ENDPOINT pointing at the hub (`local_hub.env()`; not offline): `datasets`
loads every fixture by its real id, config and split; lm-eval's own task YAMLs build their prompts from them; transformers
loads a model by its real id; and bad input (an unknown id or revision, an unreachable hub) fails with the Hub's errors."""
import json
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT
from hub.fixtures import DATASET_FIXTURES, MODEL_FIXTURES, fixture_ids, write_fixture_hub
from posttrain.launch import free_port

MSGS = "List({'content': Value('string'), 'role': Value('string')})"
S1K = ['solution', 'question', 'cot_type', 'source_type', 'metadata', 'gemini_thinking_trajectory', 'gemini_attempt',
       'deepseek_thinking_trajectory', 'deepseek_attempt', 'gemini_grade', 'gemini_grade_reason', 'deepseek_grade',
       'deepseek_grade_reason']
PREF = ['id', 'prompt', 'chosen', 'rejected', 'source']
OLMO = ['prompt', 'chosen', 'rejected', 'chosen_rating', 'rejected_rating', 'chosen_model', 'rejected_model', 'source', 'id']
RB = ['prompt', 'chosen', 'chosen_model', 'rejected', 'rejected_model', 'subset', 'id']
UF = ['prompt', 'prompt_id', 'chosen', 'rejected', 'messages', 'score_chosen', 'score_rejected']
ARC = ['id', 'question', 'choices', 'answerKey']
HS = ['ind', 'activity_label', 'ctx_a', 'ctx_b', 'ctx', 'endings', 'source_id', 'split', 'split_type', 'label']
MBPP = ['task_id', 'text', 'code', 'test_list', 'test_setup_code', 'challenge_test_list']
GPQA = ['Pre-Revision Question', 'Pre-Revision Correct Answer', 'Pre-Revision Incorrect Answer 1',
        'Pre-Revision Incorrect Answer 2', 'Pre-Revision Incorrect Answer 3', 'Pre-Revision Explanation',
        'Self-reported question-writing time (minutes)', 'Question', 'Correct Answer', 'Incorrect Answer 1',
        'Incorrect Answer 2', 'Incorrect Answer 3', 'Explanation', 'Revision Comments (from Question Writer)', 'Subdomain',
        "Writer's Difficulty Estimate", 'Extra Revised Question', 'Extra Revised Explanation', 'Extra Revised Correct Answer',
        'Extra Revised Incorrect Answer 1', 'Extra Revised Incorrect Answer 2', 'Extra Revised Incorrect Answer 3',
        'Non-Expert Validator Accuracy', 'Majority Non-Expert Vals Incorrect', 'Expert Validator Accuracy', 'Record ID',
        'High-level domain']
# (id, config, split, rows, columns): what `datasets.load_dataset(id, config, split=split)` returns through the hub
EXPECTED = [
    ('simplescaling/s1K-1.1', 'default', 'train', 6, S1K),
    ('allenai/tulu-3-sft-mixture', 'default', 'train', 8, ['id', 'messages', 'source']),
    ('allenai/llama-3.1-tulu-3-8b-preference-mixture', 'default', 'train', 4, PREF),
    ('openbmb/UltraInteract_sft', 'default', 'train', 8, ['task', 'dataset', 'instruction', 'response', 'id', 'parent_id']),
    ('allenai/olmo-2-1124-7b-preference-mix', 'default', 'train', 4, OLMO),
    ('allenai/RLVR-GSM-MATH-IF-Mixed-Constraints', 'default', 'train', 4,
     ['messages', 'ground_truth', 'dataset', 'constraint_type', 'constraint']),
    ('allenai/reward-bench', 'default', 'raw', 6, RB),
    ('allenai/reward-bench', 'default', 'filtered', 5, RB),
    ('HuggingFaceH4/ultrafeedback_binarized', 'default', 'train_prefs', 4, UF),
    ('HuggingFaceH4/ultrafeedback_binarized', 'default', 'test_prefs', 3, UF),
    ('allenai/ultrafeedback_binarized_cleaned', 'default', 'train_prefs', 4, [*UF, 'source']),
    ('allenai/ultrafeedback_binarized_cleaned', 'default', 'test_prefs', 3, [*UF, 'source']),
    ('openai/gsm8k', 'main', 'train', 6, ['question', 'answer']),
    ('openai/gsm8k', 'main', 'test', 3, ['question', 'answer']),
    *[('allenai/ai2_arc', c, s, 3, ARC) for c in ('ARC-Challenge', 'ARC-Easy') for s in ('train', 'validation', 'test')],
    *[('Rowan/hellaswag', 'default', s, 3, HS) for s in ('train', 'validation', 'test')],
    ('google/IFEval', 'default', 'train', 4, ['key', 'prompt', 'instruction_id_list', 'kwargs']),
    ('Maxwell-Jia/AIME_2024', 'default', 'train', 3, ['ID', 'Problem', 'Solution', 'Answer']),
    ('HuggingFaceH4/MATH-500', 'default', 'test', 4, ['problem', 'solution', 'answer', 'subject', 'level', 'unique_id']),
    ('Idavidrein/gpqa', 'gpqa_diamond', 'train', 3, GPQA),
    ('openai/openai_humaneval', 'openai_humaneval', 'test', 3, ['task_id', 'prompt', 'canonical_solution', 'test', 'entry_point']),
    *[('google-research-datasets/mbpp', 'full', s, 3, MBPP) for s in ('train', 'test', 'validation', 'prompt')],
    ('meta-math/MetaMathQA', 'default', 'train', 3, ['type', 'query', 'original_question', 'response']),
    *[('qintongli/GSM-Plus', 'default', s, n, ['question', 'solution', 'answer', 'perturbation_type', 'seed_question',
                                                'seed_solution', 'seed_answer']) for s, n in (('test', 8), ('testmini', 3))],
    *[('EleutherAI/hendrycks_math', 'algebra', s, 2, ['problem', 'level', 'type', 'solution']) for s in ('train', 'test')],
    ('SaylorTwift/bbh', 'boolean_expressions', 'test', 3, ['input', 'target']),
    *[('cais/mmlu', 'abstract_algebra', s, n, ['question', 'subject', 'choices', 'answer'])
      for s, n in (('test', 3), ('validation', 1), ('dev', 1))],
]
# (id, column, str(feature)): the nested types the loaders depend on
FEATURES = [
    ('allenai/tulu-3-sft-mixture', 'messages', MSGS),
    ('allenai/llama-3.1-tulu-3-8b-preference-mixture', 'chosen', MSGS),
    ('allenai/olmo-2-1124-7b-preference-mix', 'rejected', MSGS),
    ('allenai/olmo-2-1124-7b-preference-mix', 'chosen_rating', "Value('float64')"),
    ('HuggingFaceH4/ultrafeedback_binarized', 'messages', MSGS),
    ('allenai/reward-bench', 'id', "Value('int64')"),
    ('allenai/ai2_arc', 'choices', "{'text': List(Value('string')), 'label': List(Value('string'))}"),
    ('Rowan/hellaswag', 'ind', "Value('int32')"),
    ('Maxwell-Jia/AIME_2024', 'Answer', "Value('int64')"),
    ('google-research-datasets/mbpp', 'test_list', "List(Value('string'))"),
    ('cais/mmlu', 'answer', "ClassLabel(names=['A', 'B', 'C', 'D'])"),
]


def run_json(code: str, env: dict, timeout: float = 240) -> dict:
    "Run `code` with the project's Python in `env`; it prints one JSON object as its last line of stdout."
    out = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=timeout)
    assert out.returncode == 0, f'rc {out.returncode}\n{out.stderr[-4000:]}'
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope='module')
def unreachable(local_hub, tmp_path_factory):
    "Started first, run in the background: huggingface_hub retries a refused connection for about 23 s before failing."
    env = local_hub.env(HF_ENDPOINT=f'http://127.0.0.1:{free_port()}', HF_HOME=str(tmp_path_factory.mktemp('hf-unreachable')))
    code = ("import datasets\ntry: datasets.load_dataset('openai/gsm8k', 'main')\n"
            "except Exception as e: print(type(e).__name__ + ': ' + str(e))\nelse: print('loaded')")
    ours = ("from posttrain.data import DataError, load_s1k\ntry: load_s1k('simplescaling/s1K-1.1')\n"
            "except DataError as e: print(e)\nelse: print('loaded')")
    procs = [subprocess.Popen([sys.executable, '-c', c], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for c in (code, ours)]
    yield *procs, env['HF_ENDPOINT']
    for proc in procs:
        proc.kill()
        proc.wait()


@pytest.fixture(scope='module')
def loaded(local_hub, unreachable) -> dict:
    "Every (id, config, split) of EXPECTED loaded through the hub, with facts about the training sets' contents."
    code = f'''
        import json, re, collections, datasets
        out = {{'splits': {{}}, 'features': {{}}}}
        for repo_id, config, split, _, _ in {[e[:3] + (0, 0) for e in EXPECTED]!r}:
            d = datasets.load_dataset(repo_id, config, split=split)
            out['splits'][f'{{repo_id}}|{{config}}|{{split}}'] = [d.column_names, d.num_rows]
            for fid, col, _ in {FEATURES!r}:
                if fid == repo_id: out['features'][f'{{fid}}|{{col}}'] = str(d.features[col])
        s1k = datasets.load_dataset('simplescaling/s1K-1.1', split='train')
        boxed = [re.search(r'\\\\boxed\\{{([^}}]*)\\}}$', r['deepseek_attempt']) for r in s1k]
        out['s1k_answers'] = [m.group(1) if m else None for m in boxed]
        out['s1k_answer_in_solution'] = [m is not None and m.group(1) in r['solution'] for m, r in zip(boxed, s1k)]
        ui = datasets.load_dataset('openbmb/UltraInteract_sft', split='train')
        pools = collections.Counter((r['parent_id'], r['task'], r['instruction']) for r in ui)
        out['ultrainteract_pools'] = sorted([task, n] for (_, task, _), n in pools.items())
        print(json.dumps(out))
    '''
    return run_json(code, local_hub.env())


def test_fixture_table_matches_the_hub(local_hub):
    served = {(i, c, s): (v['rows'], v['columns']) for i, d in local_hub.fixtures['datasets'].items()
              for c, splits in d['configs'].items() for s, v in splits.items()}
    assert served == {(i, c, s): (n, cols) for i, c, s, n, cols in EXPECTED}
    assert fixture_ids() == {'datasets': list(DATASET_FIXTURES), 'models': [m for m, _ in MODEL_FIXTURES],
                             'spaces': ['evaluate-metric/code_eval']}
    assert sorted(local_hub.fixtures['models']) == sorted(m for m, _ in MODEL_FIXTURES)


def test_fixture_commits_are_deterministic(local_hub, tmp_path):
    again = write_fixture_hub(tmp_path, models=False)
    assert {i: d['sha'] for i, d in again['datasets'].items()} == \
           {i: d['sha'] for i, d in local_hub.fixtures['datasets'].items()}


@pytest.mark.parametrize('repo_id,config,split,rows,columns', EXPECTED, ids=[f'{e[0]}-{e[1]}-{e[2]}' for e in EXPECTED])
def test_dataset_loads_by_real_id(loaded, repo_id, config, split, rows, columns):
    assert loaded['splits'][f'{repo_id}|{config}|{split}'] == [columns, rows]


def test_nested_features(loaded):
    assert loaded['features'] == {f'{i}|{c}': f for i, c, f in FEATURES}


def test_training_set_contents(loaded):
    assert loaded['s1k_answers'] == ['60', '40', '12', '5', '84', '720']
    assert loaded['s1k_answer_in_solution'] == [True] * 6
    assert loaded['ultrainteract_pools'] == [['Coding', 3], ['Math_CoT', 2], ['Math_CoT', 3]]


TASKS = ['gsm8k', 'arc_challenge', 'arc_easy', 'hellaswag', 'ifeval', 'aime24', 'hendrycks_math500',
         'gpqa_diamond_zeroshot', 'humaneval', 'mbpp', 'gsm_plus', 'hendrycks_math_algebra',
         'bbh_cot_fewshot_boolean_expressions', 'mmlu_abstract_algebra']


@pytest.fixture(scope='module')
def lm_eval_tasks(local_hub, loaded) -> dict:
    "lm-eval's own task YAMLs, loaded through the hub: docs count, first doc's prompt and target, scored checks."
    code = f'''
        import json, evaluate
        from lm_eval.tasks import TaskManager
        tasks = TaskManager().load_task_or_group({TASKS!r})
        out = {{}}
        for name in {TASKS!r}:
            task = tasks[name]
            docs = list(task.test_docs() if task.has_test_docs() else task.validation_docs())
            out[name] = {{'docs': len(docs), 'text': task.doc_to_text(docs[0]), 'target': str(task.doc_to_target(docs[0]))}}
        ifeval = list(tasks['ifeval'].test_docs())  # every instruction id and its kwargs build a checker
        out['ifeval_scored'] = [tasks['ifeval'].process_results(d, ['the sea is calm and blue today and the waves are gentle on the sand.'])['prompt_level_strict_acc'] for d in ifeval]
        code_eval, he = evaluate.load('code_eval'), list(tasks['humaneval'].test_docs())
        refs = [d['test'] + '\\ncheck(' + d['entry_point'] + ')' for d in he]
        out['humaneval_canonical'] = code_eval.compute(references=refs, k=[1],
                                                       predictions=[[d['prompt'] + d['canonical_solution']] for d in he])[0]
        out['humaneval_wrong'] = code_eval.compute(references=refs, k=[1], predictions=[[d['prompt'] + '    return None'] for d in he])[0]
        print(json.dumps(out))
    '''
    return run_json(code, local_hub.env(HF_ALLOW_CODE_EVAL='1'))


def test_lm_eval_tasks_load_through_the_hub(lm_eval_tasks):
    t = lm_eval_tasks
    assert {n: t[n]['docs'] for n in TASKS} == {'gsm8k': 3, 'arc_challenge': 3, 'arc_easy': 3, 'hellaswag': 3, 'ifeval': 4,
                                               'aime24': 3, 'hendrycks_math500': 4, 'gpqa_diamond_zeroshot': 3,
                                               'humaneval': 3, 'mbpp': 3, 'gsm_plus': 8, 'hendrycks_math_algebra': 2,
                                               'bbh_cot_fewshot_boolean_expressions': 3, 'mmlu_abstract_algebra': 3}
    assert t['gsm8k']['text'] == ('Question: Natalia sold clips to 48 of her friends in April, and then she sold half as '
                                  'many clips in May. How many clips did she sell altogether?\nAnswer:')
    assert t['gsm8k']['target'].endswith('#### 72')
    assert (t['arc_challenge']['text'], t['arc_challenge']['target']) == (
        'Question: Which process turns liquid water into water vapour?\nAnswer:', '3')
    assert (t['arc_easy']['text'], t['arc_easy']['target']) == (
        'Question: What do plants need to make food by photosynthesis?\nAnswer:', '0')
    assert (t['hellaswag']['text'], t['hellaswag']['target']) == (
        'Removing ice from car: Then, the man writes over the snow covering the window of a car, and a woman wearing '
        'winter clothes smiles. Then', '3')
    assert t['ifeval']['text'].startswith('Write a 300+ word summary of the history of the bicycle.')
    assert (t['aime24']['text'], t['aime24']['target']) == (
        'Question: Find the remainder when $2^{10}$ is divided by $1000$.\nAnswer:', '24')
    assert (t['hendrycks_math500']['text'], t['hendrycks_math500']['target']) == (
        'Problem: What is the value of $\\sqrt{36} + 4^2$?\nAnswer:', '22')
    gpqa = t['gpqa_diamond_zeroshot']
    assert gpqa['text'].startswith('What is the correct answer to this question:A particle in a 1D infinite well')
    assert all(c in gpqa['text'] for c in ('It is divided by 4', 'It is divided by 2', 'It is multiplied by 2', 'It is unchanged'))
    assert gpqa['target'] in ('(A)', '(B)', '(C)', '(D)')  # process_docs shuffles the choices
    assert t['humaneval']['text'].startswith('def add(a: int, b: int) -> int:\n')
    assert t['humaneval']['target'].endswith('check(add)')
    assert t['mbpp']['text'].startswith('You are an expert Python programmer, and here is your task: Write a function to '
                                        'find the maximum of two numbers. Your code should pass these tests:\n\n'
                                        'assert max_of_two(1, 2) == 2\n')
    assert (t['gsm_plus']['text'], t['gsm_plus']['target']) == (t['gsm8k']['text'], t['gsm8k']['target'])  # GSM8K's first row
    assert (t['hendrycks_math_algebra']['text'], t['hendrycks_math_algebra']['target']) == (
        'Problem: What is the value of $x$ if $2x + 3 = 11$?\nAnswer:', '4')  # the solution's last boxed answer
    assert (t['bbh_cot_fewshot_boolean_expressions']['text'], t['bbh_cot_fewshot_boolean_expressions']['target']) == (
        "Q: not ( True ) and ( True ) is\nA: Let's think step by step.\n", 'False')
    assert (t['mmlu_abstract_algebra']['text'], t['mmlu_abstract_algebra']['target']) == (
        'Find the order of the group Z_4 x Z_2.\nA. 2\nB. 4\nC. 6\nD. 8\nAnswer:', '3')


def test_lm_eval_scoring_works_on_the_fixtures(lm_eval_tasks):
    assert lm_eval_tasks['ifeval_scored'] == [False, True, False, False]  # a lowercase English sentence, nothing more
    assert lm_eval_tasks['humaneval_canonical'] == {'pass@1': 1.0}
    assert lm_eval_tasks['humaneval_wrong'] == {'pass@1': 0.0}


def test_model_loads_by_real_id(local_hub, loaded):
    code = '''
        import json, huggingface_hub
        from transformers import AutoModelForCausalLM, AutoTokenizer
        tok = AutoTokenizer.from_pretrained('Qwen/Qwen2.5-7B-Instruct')
        model = AutoModelForCausalLM.from_pretrained('Qwen/Qwen2.5-7B-Instruct')
        info = huggingface_hub.model_info('Qwen/Qwen2.5-7B-Instruct')
        print(json.dumps({'class': type(model).__name__, 'params': model.num_parameters(), 'vocab': len(tok),
                          'sha': info.sha, 'files': sorted(s.rfilename for s in info.siblings),
                          'chat': tok.apply_chat_template([{'role': 'user', 'content': 'hi'}], tokenize=False)}))
    '''
    out = run_json(code, local_hub.env())
    assert (out['class'], out['params'], out['vocab']) == ('LlamaForCausalLM', 3244352, 49152)
    assert out['sha'] == local_hub.fixtures['models']['Qwen/Qwen2.5-7B-Instruct']['sha']
    assert out['files'] == ['.gitattributes', 'chat_template.jinja', 'config.json', 'generation_config.json',
                            'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']
    assert out['chat'].endswith('<|im_start|>user\nhi<|im_end|>\n')


def test_bad_input_gives_the_hubs_errors(local_hub, loaded):
    code = '''
        import json, datasets
        from transformers import AutoModelForCausalLM
        out = {}
        for name, load in [('dataset', lambda: datasets.load_dataset('nobody/no-such-set')),
                           ('revision', lambda: datasets.load_dataset('openai/gsm8k', 'main', revision='no-such-rev')),
                           ('config', lambda: datasets.load_dataset('openai/gsm8k', 'no-such-config')),
                           ('model', lambda: AutoModelForCausalLM.from_pretrained('nobody/no-such-model')),
                           ('model_revision', lambda: AutoModelForCausalLM.from_pretrained('Qwen/Qwen2.5-7B-Instruct',
                                                                                           revision='no-such-rev'))]:
            try: load(); out[name] = 'loaded'
            except Exception as e: out[name] = [type(e).__name__, str(e)]
        print(json.dumps(out))
    '''
    out = run_json(code, local_hub.env())
    assert out['dataset'] == ['DatasetNotFoundError', "Dataset 'nobody/no-such-set' doesn't exist on the Hub or cannot be accessed."]
    assert out['revision'] == ['DatasetNotFoundError', "Revision 'no-such-rev' doesn't exist for dataset 'openai/gsm8k' on the Hub."]
    assert out['config'] == ['ValueError', "BuilderConfig 'no-such-config' not found. Available: ['main']"]
    assert out['model'][0] == 'OSError' and out['model'][1].startswith('nobody/no-such-model is not a local folder')
    assert out['model_revision'][0] == 'OSError'
    assert out['model_revision'][1].startswith('no-such-rev is not a valid git identifier')


def test_unreachable_hub_fails_with_a_connection_error(unreachable):
    proc, _, endpoint = unreachable
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr[-2000:]
    assert stdout.strip() == "ConnectionError: Couldn't reach 'openai/gsm8k' on the Hub (LocalEntryNotFoundError)"
    refused = f"'[Errno 111] Connection refused' thrown while requesting HEAD {endpoint}/datasets/openai/gsm8k/resolve/main/README.md"
    assert stderr.count(refused) == 6  # the first try and huggingface_hub's 5 retries


def test_unreachable_hub_is_one_data_error_naming_the_dataset_and_the_hub(unreachable):
    _, ours, endpoint = unreachable
    stdout, stderr = ours.communicate(timeout=120)
    assert ours.returncode == 0, stderr[-2000:]
    assert stdout.strip() == (f"simplescaling/s1K-1.1: cannot load split 'train' from the hub at {endpoint} "
                              "(ConnectionError: Couldn't reach 'simplescaling/s1K-1.1' on the Hub (LocalEntryNotFoundError))")


def test_the_loaders_name_the_dataset_the_row_and_the_field(local_hub, loaded):
    """posttrain's loaders on the hub path: each takes a dataset id (every fixture row mapped); an unknown id or revision
    is one DataError naming the dataset (and the hub);
    a dataset whose columns differ from the loader's schema names the row and the missing field; nothing is returned."""
    code = '''
        import json
        from posttrain.data import (DataError, load_preferences, load_reward_bench, load_s1k, load_tulu_sft,
                                    load_ultrainteract_pools)
        out = {'sizes': [len(load_s1k('simplescaling/s1K-1.1')), len(load_tulu_sft('allenai/tulu-3-sft-mixture')),
                         len(load_preferences('allenai/olmo-2-1124-7b-preference-mix')),
                         len(load_preferences('HuggingFaceH4/ultrafeedback_binarized', 'test_prefs')),
                         len(load_preferences('allenai/ultrafeedback_binarized_cleaned', 'test_prefs')),
                         [r['meta']['section'] for r in load_reward_bench()],
                         [len(p['responses']) for p in load_ultrainteract_pools('openbmb/UltraInteract_sft')]]}
        from posttrain.papers.grape import merge_pool  # GRAPE's Tulu-3 + OLMo-2 pool, from the datasets by id
        pool, counts = merge_pool({'tulu-3-sft': 'allenai/tulu-3-sft-mixture'},
                                  {'tulu-3-pref': 'allenai/llama-3.1-tulu-3-8b-preference-mixture',
                                   'olmo-2-pref': 'allenai/olmo-2-1124-7b-preference-mix'})
        out['pool'] = [[p['prompt'][0]['content'], [r['source'] for r in p['responses']]] for p in pool], counts
        for name, load in [('id', lambda: load_s1k('nobody/no-such-set')),
                           ('revision', lambda: load_s1k('simplescaling/s1K-1.1', revision='no-such-rev')),
                           ('schema', lambda: load_s1k('allenai/tulu-3-sft-mixture')),
                           ('pools', lambda: load_ultrainteract_pools('openai/gsm8k', config='main'))]:
            try: load(); out[name] = 'loaded'
            except DataError as e: out[name] = str(e)
        print(json.dumps(out))
    '''
    out = run_json(code, local_hub.env())
    hub = local_hub.endpoint
    assert out['sizes'] == [6, 8, 4, 3, 3, ['Chat', 'Safety', 'Reasoning', 'Reasoning', 'Chat Hard'],
                            [3, 2, 3]]  # the README's loaders, by id: every fixture row mapped
    sft, both = 'tulu-3-sft', ['tulu-3-sft', 'tulu-3-pref', 'olmo-2-pref']
    assert out['pool'] == [[['What is 7 times 8?', both], ['Name a primary colour.', both],
                            ['Write a haiku about rain.', [sft, 'tulu-3-pref']],  # OLMo-2's winner repeats Tulu-3's
                            ['How many days are in a leap year?', ['tulu-3-pref', 'olmo-2-pref']]],
                           {'conversations': 16, 'unanswered': 0, 'duplicates': 1, 'multi-turn preference rows': 0,
                            'instructions': 9, 'kept': 4, 'responses': 10}]
    assert out['id'] == (f"nobody/no-such-set: cannot load split 'train' from the hub at {hub} (DatasetNotFoundError: "
                         "Dataset 'nobody/no-such-set' doesn't exist on the Hub or cannot be accessed.)")
    assert out['revision'] == (f"simplescaling/s1K-1.1@no-such-rev: cannot load split 'train' from the hub at {hub} "
                               "(DatasetNotFoundError: Revision 'no-such-rev' doesn't exist for dataset "
                               "'simplescaling/s1K-1.1' on the Hub.)")
    assert out['schema'] == ("allenai/tulu-3-sft-mixture:train[0]: missing field 'thinking_trajectories' (s1K) or "
                             "'deepseek_thinking_trajectory' (s1K-1.1)")
    assert out['pools'] == "openai/gsm8k[main]:train[0]: missing field 'id'"
