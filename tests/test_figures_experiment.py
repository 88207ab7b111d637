"""`spektral-tv figures` (spektral_tv.experiments.figures, the TVGNN paper's
App. C.2 and C.3) on tiny graphs."""

import json

import pytest
from experiment_cli import assert_usage_error

from spektral_tv.experiments import clustering, figures


def run(tmp_path, *args):
    out = tmp_path / "out"
    return out, figures.main([*args, "--out", str(out), "--quiet"])


def test_sharpness(tmp_path):
    out, _ = run(tmp_path, "sharpness", "--epochs", "3", "--ring-nodes", "30", "--grid-side", "6")
    saved = json.loads((out / "results.json").read_text())
    assert saved["command"].startswith("spektral-tv figures sharpness")
    for graph, k, n in (("ring", 5, 30), ("grid", 10, 36)):
        for model in ("mincut", "tvgnn"):
            r = saved["results"][graph][model]
            assert r["k"] == k and len(r["cluster_sizes"]) == k
            assert sum(r["cluster_sizes"]) == n
            assert 1 / k - 1e-6 <= r["mean_max"] <= 1 + 1e-6
            assert 0 <= r["fraction_crisp"] <= 1 and 0 <= r["entropy"] <= 1
        # TVGNN on the coordinates scaled for GTVConv's 0.8 step, as `cluster`
        assert saved["results"][graph]["tvgnn"]["gtv_step"] == 0.8
        assert saved["results"][graph]["tvgnn"]["feature_scale"] != 1.0
        assert saved["results"][graph]["mincut"]["feature_scale"] == 1.0
    assert saved["epochs"] == {"mincut": 3, "tvgnn": 3}
    assert (out / "sharpness.png").stat().st_size > 10000


def test_sharpness_default_epochs_are_the_cluster_command_s():
    args = figures.parse_args(["sharpness"])
    for model in ("mincut", "tvgnn"):
        assert (
            figures._epochs(args, "ring", model)
            == clustering.settings_for("ring", model)["epochs"]
        )


def test_denoise(tmp_path):
    out, _ = run(tmp_path, "denoise", "--epochs", "3", "--runs", "2", "--seed", "4")
    saved = json.loads((out / "results.json").read_text())
    assert saved["epochs"] == {"mincut": 3, "tvgnn": 3} and saved["runs"] == 2
    assert saved["results"]["tvgnn"]["gtv_step"] == 0.8
    for model in ("mincut", "tvgnn_raw", "tvgnn"):
        r = saved["results"][model]
        assert (r["feature_scale"] == 1.0) == (model != "tvgnn")
        assert [run["seed"] for run in r["runs"]] == [4, 5]
        for key in ("nmi", "acc", "cs", "mean_max"):
            values = [run[key] for run in r["runs"]]
            assert r[f"{key}_mean"] == pytest.approx(sum(values) / 2)
            assert r[f"{key}_std"] == pytest.approx(abs(values[0] - values[1]) / 2)
        assert all(
            0 <= run["nmi"] <= 1 and 1 / 3 - 1e-6 <= run["mean_max"] <= 1 + 1e-6
            for run in r["runs"]
        )
    for name in ("denoise.png", "assignments.png"):
        assert (out / name).stat().st_size > 10000


def test_denoise_gtv_step_sets_the_scale_and_a_fixed_scale_overrides_it(tmp_path):
    from spektral_tv import datasets, training

    graph = datasets.noisy_sbm(seed=0)
    config = training.CLUSTERING_MODELS["tvgnn"][1]
    expected = training.gtv_feature_scale(
        graph.x, graph.a, 0.4, config["delta_coeff"], config["mp_channels"]
    )
    _, summary = run(tmp_path, "denoise", "--epochs", "1", "--gtv-step", "0.4")
    assert summary["results"]["tvgnn"]["feature_scale"] == pytest.approx(expected)
    _, summary = run(tmp_path, "denoise", "--epochs", "1", "--tvgnn-feature-scale", "0.05")
    assert summary["results"]["tvgnn"]["feature_scale"] == 0.05
    assert summary["results"]["tvgnn"]["gtv_step"] is None


@pytest.mark.parametrize(
    "flags, message",
    [
        (["denoise", "--epochs", "0"], "--epochs must be >= 1"),
        (["denoise", "--runs", "0"], "--runs must be >= 1"),
        (["denoise", "--gtv-step", "0"], "--gtv-step must be > 0"),
        (["denoise", "--tvgnn-feature-scale", "-1"], "--tvgnn-feature-scale must be > 0"),
        (["sharpness", "--grid-side", "3"], "--grid-side must be >= 4"),
        (["voronoi"], "invalid choice"),
    ],
)
def test_user_mistakes_exit_2_with_one_line_and_no_folder(tmp_path, flags, message):
    assert_usage_error(tmp_path, "figures", flags, message)
