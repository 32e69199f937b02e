"The committed results: every output under figures/cpu/ is accounted for by the manifest and has honest provenance."
import json

import numpy as np
import pandas as pd
import pytest

from posttrain.reports import CLAIM_COLUMNS, paired_interval, verdict
from posttrain.reproduce import collect_manifest

from conftest import ROOT

FIGURES = ROOT / 'figures' / 'cpu'
OVERVIEW = ('claims', 'claims_forest')  # written by reports.write_overview from every claims table, not by a notebook
PROVENANCE = sorted(p for p in FIGURES.glob('*.provenance.json') if p.name.split('.')[0] not in OVERVIEW)
CLAIMS = sorted(FIGURES.glob('*_claims.csv'))
MANIFEST = collect_manifest()


def read(path): return pd.read_csv(path, keep_default_na=False, na_values=[''], dtype={'note': str})  # a table of empty notes too


def test_cpu_outputs_are_committed():
    assert PROVENANCE, 'figures/cpu/ must hold the cpu preset outputs with their provenance'


@pytest.mark.parametrize('path', PROVENANCE, ids=lambda p: p.name)
def test_provenance_names_a_manifest_notebook_and_its_parameters(path):
    record = json.loads(path.read_text())
    owners = [a for a in MANIFEST if a.covered('cpu') and path.name in a.outputs]
    assert owners, f'{path.name}: no manifest entry covering the cpu preset lists this output'
    assert all((ROOT / 'nbs' / a.notebook).is_file() for a in owners), f'{path.name}: its notebook does not exist'
    assert {f'nbs/{a.notebook}' for a in owners} == {record['notebook']}
    assert record['preset'] == 'cpu'
    assert record['auto_dtype']['dtype'] in ('float32', 'bfloat16')  # what dtype='auto' meant on the machine
    for artifact in owners:  # the papermill parameters the manifest passes are the ones the notebook recorded
        assert all(record['parameters'].get(k) == v for k, v in artifact.parameters.items())
    assert len(record['git']['commit']) == 40 and record['git']['dirty'] is False
    assert all((FIGURES / name).is_file() for name in record['outputs'])


def test_overview_holds_every_claims_table():
    assert CLAIMS, 'figures/cpu/ must hold the claims tables'
    pd.testing.assert_frame_equal(read(FIGURES / 'claims.csv'), pd.concat([read(p) for p in CLAIMS], ignore_index=True))
    record = json.loads((FIGURES / 'claims.provenance.json').read_text())
    assert record['notebook'] == 'nbs/16_reports.ipynb' and record['git']['dirty'] is False
    assert (FIGURES / 'claims_forest.png').read_bytes()[:4] == b'\x89PNG'


@pytest.mark.parametrize('path', CLAIMS, ids=lambda p: p.name)
def test_each_claim_follows_from_its_committed_evidence(path):
    claims, evidence = read(path), read(path.with_name(f'{path.stem}_items.csv'))
    assert list(claims.columns) == CLAIM_COLUMNS
    for row in claims.to_dict('records'):
        rows = evidence[(evidence.claim == row['claim']) & (evidence.metric == row['metric'])]
        assert len(rows), f"{path.name}: no evidence for {row['claim']!r}"
        assert row['verdict'] == verdict(row['CI low'], row['CI high'], row['paper: difference'], row['n items'])
        rows = rows.dropna(axis=1, how='all')  # the columns of this claim's evidence
        if set(rows.columns) == {'claim', 'metric', 'seed', 'item', 'a', 'b'}:  # a paired difference (Claims.add)
            stats = paired_interval(rows)
            assert row['CI low'] - 1e-12 <= row['ours: difference'] <= row['CI high'] + 1e-12
            assert (row['n items'], row['n seeds']) == (stats['n_items'], stats['n_seeds'])
            assert (stats['n_items'], stats['n_seeds']) == (rows['item'].nunique(), rows.seed.nunique())
            assert abs((rows.a - rows.b).mean() - row['ours: difference']) < 1e-9
            np.testing.assert_allclose((stats['low'], stats['high'], stats['mdd']),
                                       (row['CI low'], row['CI high'], row['min detectable difference']), rtol=0, atol=1e-9)
