"""The classification tables of README.md and docs/results.md are the ones
docs/make_tables.py writes from docs/data/classification/*.json: a number
in the README is the number a stored run measured."""

import importlib.util
import json
import pathlib
import shutil

from spektral_tv.hyperparameters import paper_accuracy

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load_make_tables():
    spec = importlib.util.spec_from_file_location("make_tables", ROOT / "docs" / "make_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_and_results_tables_are_up_to_date():
    make_tables = load_make_tables()
    for path, table in make_tables.targets().items():
        text = path.read_text()
        assert make_tables.splice(text, table, path.name) == text, (
            f"{path.name}'s classification table is out of date: run python docs/make_tables.py"
        )


def test_a_row_follows_its_results_json_and_partial_runs_stay_out(tmp_path):
    make_tables = load_make_tables()
    shutil.copy(ROOT / "docs/data/classification/PROTEINS-mincut.json", tmp_path)
    result = json.loads((tmp_path / "PROTEINS-mincut.json").read_text())
    result["acc_mean"], result["acc_std"] = 71.04, 2.26
    (tmp_path / "PROTEINS-mincut.json").write_text(json.dumps(result))
    partial = dict(result, pool="tvgnn", folds=result["folds"][:4])
    (tmp_path / "PROTEINS-tvgnn.json").write_text(json.dumps(partial))

    results = make_tables.load_results(tmp_path)
    assert [r["pool"] for r in results] == ["mincut"]
    row = make_tables.results_table(results).splitlines()[-1]
    per_run = " / ".join(
        f"{sum(f['acc'] for f in result['folds'] if f['run'] == run) / 5:.1f}" for run in (0, 1, 2)
    )
    expected = f"| PROTEINS | MinCutPool | 71.0 ± 2.3 (3 × 5) | {per_run} | 75.7 ± 3.0 |"
    assert row.startswith(expected)
    assert "≥ 72.7 ✗" in row  # below the paper's mean minus one std


def test_labels_name_a_mode_and_batch_size_other_than_the_default():
    make_tables = load_make_tables()
    result = dict(dataset="DD", pool="tvgnn", mode="batch", training=dict(batch_size=1))
    assert make_tables.pool_label(result, long=True) == "TVGNN (batch mode, batch size 1)"
    assert make_tables.pool_label(dict(result, mode="disjoint", training={}), long=True) == "TVGNN"


def test_paper_accuracy_is_table_2_of_the_tvgnn_paper():
    assert paper_accuracy("MUTAG", "tvgnn") == (88.4, 7.5)
    assert paper_accuracy("REDDIT-BINARY", "mincut") == (82.3, 3.2)
    assert paper_accuracy("bench-hard-small", "mincut") == (70.9, 1.7)
    assert paper_accuracy("proteins", "diffpool") == (74.6, 4.2)
    assert paper_accuracy("MUTAG", "nopool") is None
    assert paper_accuracy("Cora", "tvgnn") is None
