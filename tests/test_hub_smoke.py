"""The hub-smoke preset end to end, as `make hub-smoke` runs it (`tests/hub/run_hub_smoke.py`): the local Hub (olah
serving the fixture repositories) and the fixture r1k teacher behind `transformers serve`, started and stopped here,
and `posttrain reproduce --preset hub-smoke` in a fresh project. Every notebook the manifest covers at hub-smoke runs
the paper preset's code path: datasets, lm-eval's own benchmarks and models by their hub ids, a served teacher."""
import json

import pandas as pd
import pytest

from hub.run_hub_smoke import run_hub_smoke
from hub.teacher import TEACHER_ID
from posttrain.papers.r1k import BENCHMARKS, LARGE_MODEL, S1K, scale_of
from posttrain.papers.smoltulu import CONTAMINATION_BENCHMARKS, LANGUAGE_IDENTIFIER
from posttrain.reproduce import collect_manifest, plan
from conftest import child_env
from test_determinism import fresh_root


@pytest.fixture(scope='module')
def hub_smoke(tmp_path_factory):
    "The project root of one hub-smoke run, its output and the hub's cache folder."
    scratch = tmp_path_factory.mktemp('hub-smoke')
    root, hub = scratch / 'project', scratch / 'hub'
    done = run_hub_smoke(root, env=fresh_root(root), hub_dir=hub)
    assert done.returncode == 0, f'{done.stdout[-8000:]}\n{done.stderr[-8000:]}'
    return root, done.stdout, hub / 'hf' / 'hub'


def test_every_covered_notebook_ran_and_wrote_its_outputs(hub_smoke):
    root, out, _ = hub_smoke
    ran = {line.split('|')[1].strip() for line in out.splitlines() if line.count('|') > 3 and '| ran ' in line}
    assert ran == {job.name for job in plan('hub-smoke')} >= {'r1k_data', 'r1k_sft', 'r1k_dpo', 'smoltulu_grid', 'smoltulu_dpo_rm', 'smoltulu_contamination',
                                                        'smoltulu_languages', 'grape_tulu_olmo', 'grape_ultrainteract',
                                                        'grape_self_generation'}
    figures = root / 'figures' / 'hub-smoke'
    missing = [f for a in collect_manifest() if a.covered('hub-smoke') for f in a.outputs if not (figures / f).is_file()]
    assert not missing, missing
    # nothing at hub-smoke runs an offline analogue: the manifest the run wrote says each covered table runs the paper's
    lines = [line for line in (figures / 'manifest.md').read_text().splitlines() if line.startswith('|')]
    header, *rows = [[cell.strip() for cell in line.strip('|').split('|')] for line in lines[:1] + lines[2:]]
    covered = [dict(zip(header, row)) for row in rows if dict(zip(header, row))['covered'] == 'yes']
    assert sorted(row['name'] for row in covered) == sorted(a.name for a in collect_manifest() if a.covered('hub-smoke'))
    assert {row['data'] for row in covered} == {'paper'}, [(row['name'], row['data']) for row in covered]


def test_r1k_inverts_s1k_with_the_served_teacher(hub_smoke):
    root, _, _ = hub_smoke
    figures, scale = root / 'figures' / 'hub-smoke', scale_of('hub-smoke')
    data = pd.read_csv(figures / 'r1k_data.csv').set_index('set')
    assert data.loc['inversion: kept', 'examples'] == scale.n_pairs  # the fixture teacher passes every round trip
    assert data.loc[['D_f', 'D_r', 'D'], 'examples'].tolist() == [scale.n_pairs, scale.n_pairs, 2 * scale.n_pairs]
    assert data.loc['T_m', 'examples'] == 2 * scale.n_probe  # the probes: the first training pairs, as the paper's
    used = json.loads((figures / 'r1k_data.provenance.json').read_text())['parameters']
    assert (used['teacher'], used['forward_data'], used['model']) == (f'openai:{TEACHER_ID}', S1K, 'Qwen/Qwen2.5-7B-Instruct')
    reverse = (root / 'data' / 'r1k' / 'hub-smoke' / 'D_r.jsonl').read_text().splitlines()
    assert len(reverse) == scale.n_pairs and all(json.loads(line)['source'] == f'openai:{TEACHER_ID}' for line in reverse)


def test_r1k_tables_are_decided_on_the_forward_benchmarks(hub_smoke):
    root, _, _ = hub_smoke
    figures = root / 'figures' / 'hub-smoke'
    for table in ('r1k_table1', 'r1k_table2'):
        columns = pd.read_csv(figures / f'{table}.csv').columns
        assert 'forward-test acc' in columns or 'change vs SFT (forward-test acc)' in columns, columns
        assert not [c for c in columns if 'reverse-test' in c or 'gold logp' in c], columns
        items = pd.read_csv(figures / f'{table}_claims_items.csv')
        assert set(items.metric) == {'exact match, forward test'}
        assert set(items['item'].str.split('/').str[0]) == set(BENCHMARKS)  # lm-eval's own aime24, MATH500, GPQA tasks
        assert items[['a', 'b']].isin([0.0, 1.0]).all(axis=None)


def test_smoltulu_grid_trains_on_tulu3_and_scores_lm_eval_tasks(hub_smoke):
    root, _, _ = hub_smoke
    items = pd.read_csv(root / 'figures' / 'hub-smoke' / 'smoltulu_figure1_claims_items.csv')
    assert {claim.split(' (')[1].split(')')[0] for claim in items.claim} == {'arc_challenge', 'hellaswag', 'gsm8k', 'ifeval'}


def test_smoltulu_dpo_and_reward_models_run_on_the_tulu3_preferences_rewardbench_and_ufb(hub_smoke):
    root, _, _ = hub_smoke
    figures = root / 'figures' / 'hub-smoke'
    table6 = pd.read_csv(figures / 'smoltulu_table6.csv')
    assert table6['ours: task'].tolist()[:4] == ['arc_challenge', 'gsm8k', 'hellaswag', 'ifeval']  # lm-eval's own tasks
    assert table6['n items'].tolist()[:4] == [3, 2, 3, 2]  # the fixture hub's items (n_test 3; GSM8K and IFEval 2)
    claims8 = pd.read_csv(figures / 'smoltulu_table8_claims.csv')
    assert [c.split(' (')[0] for c in claims8.claim] == ['UFB', 'RB Chat', 'RB Chat Hard', 'RB Safety', 'RB Reasoning']
    assert claims8['n items'].tolist() == [3, 1, 1, 1, 2]  # UFB's 3 test pairs; RewardBench's filtered pairs per section
    used = json.loads((figures / 'smoltulu_table8.provenance.json').read_text())['parameters']
    assert (used['hub'], used['base_model']) == (True, 'HuggingFaceTB/SmolLM2-1.7B')


def test_smoltulu_contamination_checks_the_papers_training_sets_against_lm_eval_test_prompts(hub_smoke):
    root, _, _ = hub_smoke
    figures = root / 'figures' / 'hub-smoke'
    tables = {n: pd.read_csv(figures / f'smoltulu_table{n}.csv', keep_default_na=False).set_index('benchmark') for n in (1, 4, 13)}
    for table in tables.values():
        assert table.paper_benchmark.tolist() == list(CONTAMINATION_BENCHMARKS)  # the paper's ids, beside its figures
        assert table.instances.tolist() == [3, 3, 3, 2, 4, 3, 3]  # lm-eval's test documents of each fixture task
    # the fixture RLVR set repeats one of the three GSM8K test questions: found there, and nothing anywhere else
    assert tables[13].loc['gsm8k', 'covered8_pct'] == 33.33
    assert tables[13].drop('gsm8k').covered8_pct.eq(0).all() and tables[1].covered8_pct.eq(0).all()


def test_smoltulu_language_tables_label_every_row_with_the_papers_identifier(hub_smoke):
    root, _, _ = hub_smoke
    figures = root / 'figures' / 'hub-smoke'
    for number, rows in ((10, 8), (11, 4), (12, 4)):  # every row of the fixture SFT, preference and RLVR sets, once
        table = pd.read_csv(figures / f'smoltulu_table{number}.csv')
        assert len(table) == 20 and table.rows.sum() == rows, table
        assert (table['CI low %'] <= table['share %'] + 1e-9).all() and (table['share %'] <= table['CI high %'] + 1e-9).all()
    used = json.loads((figures / 'smoltulu_table10.provenance.json').read_text())['parameters']
    assert (used['identifier'], used['training_set']) == (LANGUAGE_IDENTIFIER, 'sft')


def test_grape_table2_merges_the_tulu_olmo_mixtures_and_scores_the_papers_benchmarks(hub_smoke):
    root, _, _ = hub_smoke
    figures = root / 'figures' / 'hub-smoke'
    table = pd.read_csv(figures / 'grape_table2.csv').set_index('data')
    # the fixture pool: the three SFT instructions the preference mixtures reuse with other winners (3 + 3 + 2 responses);
    # the preference-only prompt is left out; all available = the 8 SFT rows + the 8 responses - the 3 SFT ones in both
    assert table.examples.to_dict() == {'grape': 3, 'random': 3, 'lowest': 3, 'sft_only': 3, 'all_responses': 8,
                                        'full_sft': 8, 'all_available': 13}
    assert [c for c in table.columns if c.endswith(' acc')] == ['BBH acc', 'MMLU acc', 'MATH acc', 'average acc']
    assert not [c for c in table.columns if 'logp' in c]  # the analogue's held-out log-prob is not run on these data
    items = pd.read_csv(figures / 'grape_table2_claims_items.csv')
    assert set(items.metric) == {'BBH accuracy', 'MMLU accuracy', 'MATH accuracy'}
    assert set(items['item'].str.split('/').str[0]) == {'bbh_cot_fewshot_boolean_expressions', 'mmlu_abstract_algebra',
                                                         'minerva_math_algebra'}  # lm-eval's own tasks
    assert items[['a', 'b']].isin([0.0, 1.0]).all(axis=None)
    # no claim on the paper's MATH tie (GRAPE = All Responses) or on Tulu3-SFT's 4-shot MATH
    assert len(pd.read_csv(figures / 'grape_table2_claims.csv')) == 6 * 3 - 2
    used = json.loads((figures / 'grape_table2.provenance.json').read_text())['parameters']
    assert (used['model'], used['data']['sft']) == ('meta-llama/Llama-3.1-8B', {'tulu-3-sft': 'allenai/tulu-3-sft-mixture'})


def test_grape_table1_and_5_run_on_ultrainteract_with_the_served_generator(hub_smoke):
    root, _, _ = hub_smoke
    figures = root / 'figures' / 'hub-smoke'
    table = pd.read_csv(figures / 'grape_table1.csv').set_index('strategy')
    # the fixture pools: 3, 2 and 3 UltraInteract responses; only the first has a reference answer (two of its three
    # responses agree on a boxed answer), so only it is in the pool, and the served generator's correct reply joins its 3.
    # GRAPE keeps as many as UltraInteract has (3); 3x all there are (4); best_source the generator's one
    assert table.examples.to_dict() == {'grape': 3, 'original': 3, 'best_source': 1, '3x': 4, 'base model (no SFT)': 0}, \
        f'{table.examples.to_dict()}: best_source 0 means the served fixture teacher no longer gives its trained reply'
    assert [c for c in table.columns if c.endswith(' acc')] == ['HumanEval acc', 'MBPP acc', 'MATH CoT acc',
                                                                 'GSM-Plus CoT acc', 'average acc']
    assert not [c for c in table.columns if 'logp' in c]
    items = pd.read_csv(figures / 'grape_table1_claims_items.csv')
    assert set(items['item'].str.split('/').str[0]) == {'humaneval', 'mbpp', 'minerva_math_algebra', 'gsm_plus'}
    assert items[['a', 'b']].isin([0.0, 1.0]).all(axis=None)
    assert len(pd.read_csv(figures / 'grape_table1_claims.csv')) == 3 * 4 - 1  # no claim on the paper's MATH CoT tie
    used = json.loads((figures / 'grape_table1.provenance.json').read_text())['parameters']
    assert (used['model'], used['data']['source'], used['generators']) == (
        'meta-llama/Llama-3.1-8B', 'openbmb/UltraInteract_sft', [TEACHER_ID])
    table5 = pd.read_csv(figures / 'grape_table5.csv')
    assert table5.examples.iloc[0] == 3 and table5.examples.iloc[1] <= 1  # one sample per instruction, empty ones left out
    assert len(pd.read_csv(figures / 'grape_table5_claims.csv')) == 4


def test_grape_table6_trains_on_mm_ansaug_and_the_generators_math_solutions(hub_smoke):
    root, _, _ = hub_smoke
    figures = root / 'figures' / 'hub-smoke'
    table = pd.read_csv(figures / 'grape_table6.csv')
    # one base model; per source a first model and one trained on its samples: N = 2 per MATH train problem (2 of them)
    assert table[['source', 'N']].fillna(0).values.tolist() == [['MM-AnsAug', 0], ['MM-AnsAug', 2], ['Llama3.1-70B', 2],
                                                                 ['Llama3.1-70B', 2]]
    assert table.examples.iloc[0] == 2 and table.examples.iloc[2] <= 4 and (table.examples.iloc[1::2] <= 4).all()
    assert table.model.unique().tolist() == ['mistralai/Mistral-7B-v0.3'] and 'MATH acc' in table
    items = pd.read_csv(figures / 'grape_table6_claims_items.csv')
    assert set(items['item'].str.split('/').str[0]) == {'minerva_math_algebra'} and items[['a', 'b']].isin([0.0, 1.0]).all(axis=None)
    claims = pd.read_csv(figures / 'grape_table6_claims.csv')
    assert claims['paper value'].tolist() == ['22.3 vs 20.6 (MATH acc, Mistral, MM-AnsAug)',
                                              '18.2 vs 15.9 (MATH acc, Mistral, Llama3.1-70B)']
    used = json.loads((figures / 'grape_table6.provenance.json').read_text())['parameters']
    assert (used['generator'], used['data']['metamath']) == (TEACHER_ID, 'meta-math/MetaMathQA')


def test_the_data_came_from_the_hub_by_id(hub_smoke):
    _, _, cache = hub_smoke
    for repo in ('datasets--simplescaling--s1K-1.1', 'datasets--allenai--tulu-3-sft-mixture',
                 'datasets--Maxwell-Jia--AIME_2024', 'datasets--HuggingFaceH4--MATH-500', 'datasets--Idavidrein--gpqa',
                 'datasets--allenai--ai2_arc', 'models--Qwen--Qwen2.5-7B-Instruct', 'models--HuggingFaceTB--SmolLM2-135M',
                 'models--posttrain-fixtures--r1k-teacher', 'datasets--allenai--llama-3.1-tulu-3-8b-preference-mixture',
                 'datasets--allenai--olmo-2-1124-7b-preference-mix', 'datasets--cais--mmlu', 'datasets--SaylorTwift--bbh',
                 'datasets--EleutherAI--hendrycks_math', 'models--meta-llama--Llama-3.1-8B', 'datasets--allenai--reward-bench',
                 'datasets--allenai--ultrafeedback_binarized_cleaned', 'models--HuggingFaceTB--SmolLM2-1.7B',
                 'datasets--allenai--RLVR-GSM-MATH-IF-Mixed-Constraints',
                 'models--papluca--xlm-roberta-base-language-detection', 'datasets--openbmb--UltraInteract_sft',
                 'datasets--qintongli--GSM-Plus', 'datasets--google-research-datasets--mbpp', 'datasets--meta-math--MetaMathQA',
                 'models--mistralai--Mistral-7B-v0.3'):
        assert (cache / repo).is_dir(), f'{repo} not in the hub cache: {sorted(p.name for p in cache.iterdir())}'


def test_r1k_14b_rows_run_with_the_model_parameter(hub_smoke):
    # last: it rewrites the r1k tables of the project the tests above read (the same project, hub and cached inversion)
    root, _, cache = hub_smoke
    env = child_env(POSTTRAIN_ROOT=str(root), POSTTRAIN_CACHE=str(root / 'cache'), OMP_NUM_THREADS='1')  # fresh_root's
    done = run_hub_smoke(root, ['r1k_sft', 'r1k_dpo'], env=env, hub_dir=cache.parents[1], params={'model': LARGE_MODEL})
    assert done.returncode == 0, f'{done.stdout[-8000:]}\n{done.stderr[-8000:]}'
    figures = root / 'figures' / 'hub-smoke'
    table1, table2 = (pd.read_csv(figures / f'r1k_table{n}.csv') for n in (1, 2))
    assert table1.data.tolist() == ['D_f', 'D_r', 'D'] and table1['paper 14B average %'].tolist() == [50.6, 57.4, 53.6]
    assert table2['base model'].tolist() == ['SFT D'] and table2['paper change (14B avg points)'].tolist() == [2.3]
    # the 14B differences that hold when the benchmarks' problems are pooled, as the claims are decided
    assert pd.read_csv(figures / 'r1k_table1_claims.csv').claim.unique().tolist() == [
        'reverse data beat forward data (D_r > D_f)', 'reverse data beat the mixed set (D_r > D)']
    assert pd.read_csv(figures / 'r1k_table2_claims.csv')['paper value'].unique().tolist() == ['55.9 vs 57.4 (14B avg %)']
    used = json.loads((figures / 'r1k_table1.provenance.json').read_text())['parameters']
    assert used['model'] == LARGE_MODEL and (cache / 'models--Qwen--Qwen2.5-14B-Instruct').is_dir()
