"""`spektral-tv cluster` (spektral_tv.experiments.clustering) end to end on
small synthetic graphs."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from spektral_tv import metrics
from spektral_tv.experiments import clustering


def run(tmp_path, *args):
    out = tmp_path / "out"
    summary = clustering.main([*args, "--out", str(out), "--quiet"])
    return out, summary


def test_default_command_finds_the_sbm_communities(tmp_path):
    # No flags: TVGNN on the 3-community SBM, as the README's first example.
    out, summary = run(tmp_path)
    assert summary["dataset"] == "sbm" and summary["model"] == "tvgnn"
    assert summary["runs"][0]["nmi"] >= 0.9
    saved = json.loads((out / "results.json").read_text())
    assert saved["settings"]["gtv_step"] == 0.8 and saved["settings"]["epochs"] == 300
    assert saved["command"].startswith("spektral-tv cluster")


@pytest.mark.parametrize(
    "dataset, model, k, runs",
    [
        ("community", "mincut", 6, 2),
        ("sbm", "tvgnn", 3, 1),
    ],
)
def test_results_json_and_figures(tmp_path, dataset, model, k, runs):
    out, _ = run(
        tmp_path,
        "--dataset",
        dataset,
        "--model",
        model,
        "--epochs",
        "30",
        "--runs",
        str(runs),
        "--seed",
        "3",
    )
    summary = json.loads((out / "results.json").read_text())
    assert summary["k"] == k and summary["epochs"] == 30
    assert [r["seed"] for r in summary["runs"]] == list(range(3, 3 + runs))
    for record in summary["runs"]:
        for key in ("nmi", "acc", "cs"):
            assert 0.0 <= record[key] <= 1.0
        assert record["epoch_ms"] > 0
        sizes = record["cluster_sizes"]
        assert len(sizes) == k and sizes == sorted(sizes, reverse=True)
        assert sum(sizes) == {"community": 150, "sbm": 120}[dataset]
        assert record["collapsed_clusters"] == metrics.collapsed_clusters(sizes)
    for key in ("nmi", "acc", "cs"):
        values = [r[key] for r in summary["runs"]]
        assert summary[f"{key}_mean"] == pytest.approx(np.mean(values))
        assert summary[f"{key}_std"] >= 0.0
    best = min(summary["runs"], key=lambda r: r["lowest_loss"])
    assert summary["figures_seed"] == best["seed"]
    expected = ["assignments.png", "losses.png"]
    if dataset == "community":
        expected.append("clusters.png")  # 2-D coordinates: drawn on the plane
    for name in expected:
        assert (out / name).stat().st_size > 1000, name


def test_graph_without_labels_writes_no_scores(tmp_path):
    out, summary = run(tmp_path, "--dataset", "ring", "--model", "tvgnn", "--epochs", "5")
    assert "nmi_mean" not in summary and summary["k"] == 5
    assert (out / "clusters.png").exists()


def test_resume_runs_only_the_missing_seeds(tmp_path):
    args = ("--dataset", "sbm", "--model", "mincut", "--epochs", "5")
    out, first = run(tmp_path, *args, "--runs", "1")
    # A stopped job: its first run is in results.json; resuming adds the second.
    _, resumed = run(tmp_path, *args, "--runs", "2", "--resume")
    assert [r["seed"] for r in resumed["runs"]] == [0, 1]
    assert resumed["runs"][0] == first["runs"][0]
    # Without --resume every run is trained again (same seeds: same numbers).
    _, again = run(tmp_path, *args, "--runs", "2")
    assert again["runs"][1]["nmi"] == pytest.approx(resumed["runs"][1]["nmi"])
    assert not [p for p in os.listdir(out) if p.startswith(".results-")]


def test_saved_model_loads_without_custom_objects(tmp_path):
    import tf_keras as keras

    path = tmp_path / "model.keras"
    _, summary = run(tmp_path, "--epochs", "3", "--save-model", str(path))
    model = keras.models.load_model(path)
    assert model.output_shape == (None, 3)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--runs", "0"], "--runs must be >= 1"),
        (["--epochs", "0"], "--epochs must be >= 1"),
        (["--lr", "-1"], "--lr must be > 0"),
        (["--gtv-step", "0.5", "--model", "mincut"], "--gtv-step applies to --model tvgnn"),
        (["--save-model", "m.h5"], "--save-model must end in .keras"),
        (["--dataset", "nosuch"], "invalid choice"),
    ],
)
def test_user_mistakes_exit_2_with_one_line_and_no_folder(tmp_path, flags, message):
    out = tmp_path / "never"
    result = subprocess.run(
        [sys.executable, "-m", "spektral_tv", "cluster", *flags, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert message in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr
    assert not out.exists()
    # Refused before TensorFlow is imported: the answer is immediate.
    assert "tensorflow" not in result.stderr.lower()


def test_settings_cover_every_synthetic_graph():
    for dataset in clustering.SYNTHETIC:
        for model in clustering.MODELS:
            assert clustering.settings_for(dataset, model)["epochs"] >= 300
    assert clustering.settings_for("cora", "tvgnn") == {
        "epochs": None,
        "gtv_step": None,
        "mlp_hidden": None,
    }
    assert clustering.settings_for("community", "tvgnn")["mlp_hidden"] == [16]
    assert clustering.settings_for("community", "mincut")["mlp_hidden"] is None


def test_dataset_mlp_hidden_is_used_and_stored_unless_overridden(tmp_path):
    _, record = run(tmp_path, "--dataset", "community", "--epochs", "2")
    assert record["settings"]["mlp_hidden"] == record["config"]["mlp_hidden"] == [16]
    _, record = run(tmp_path / "flag", "--dataset", "community", "--epochs", "2", "--mlp-hidden")
    assert record["settings"]["mlp_hidden"] == record["config"]["mlp_hidden"] == []


def test_tensorboard_logs_every_seed(tmp_path):
    pytest.importorskip("tensorboard")
    logs = tmp_path / "logs"
    run(tmp_path, "--epochs", "2", "--runs", "2", "--tensorboard", str(logs))
    for seed in (0, 1):
        assert list((logs / f"seed-{seed}").rglob("events.out.tfevents.*")), seed
