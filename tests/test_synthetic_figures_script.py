"""scripts/synthetic_figures.py (seed 002 C.2 and C.3) on tiny graphs."""
import json

import pytest
from script_loader import load_script


def test_sharpness(tmp_path):
    load_script("synthetic_figures").main([
        "sharpness", "--epochs", "3", "--ring-nodes", "30", "--grid-side", "6",
        "--out", str(tmp_path)])
    saved = json.loads((tmp_path / "results.json").read_text())
    for graph, k, n in (("ring", 5, 30), ("grid", 10, 36)):
        for model in ("mincut", "tvgnn"):
            r = saved["results"][graph][model]
            assert r["k"] == k and len(r["cluster_sizes"]) == k
            assert sum(r["cluster_sizes"]) == n
            assert 1 / k - 1e-6 <= r["mean_max"] <= 1 + 1e-6
            assert 0 <= r["fraction_crisp"] <= 1 and 0 <= r["entropy"] <= 1
    assert saved["epochs"] == {"mincut": 3, "tvgnn": 3}
    assert (tmp_path / "sharpness.png").stat().st_size > 10000


def test_denoise(tmp_path):
    load_script("synthetic_figures").main(["denoise", "--epochs", "3", "--runs", "2",
                                           "--seed", "4", "--out", str(tmp_path)])
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["epochs"] == {"mincut": 3, "tvgnn": 3} and saved["runs"] == 2
    scales = {"mincut": 1.0, "tvgnn_raw": 1.0, "tvgnn": 0.003}
    for model, scale in scales.items():
        r = saved["results"][model]
        assert r["feature_scale"] == scale
        assert [run["seed"] for run in r["runs"]] == [4, 5]
        for key in ("nmi", "acc", "cs", "mean_max"):
            values = [run[key] for run in r["runs"]]
            assert r[f"{key}_mean"] == pytest.approx(sum(values) / 2)
            assert r[f"{key}_std"] == pytest.approx(abs(values[0] - values[1]) / 2)
        assert all(0 <= run["nmi"] <= 1 and 1 / 3 - 1e-6 <= run["mean_max"] <= 1 + 1e-6
                   for run in r["runs"])
    for name in ("denoise.png", "assignments.png"):
        assert (tmp_path / name).stat().st_size > 10000


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="--epochs"):
        load_script("synthetic_figures").main(["denoise", "--epochs", "0",
                                               "--out", str(tmp_path)])
    with pytest.raises(ValueError, match="--tvgnn-feature-scale"):
        load_script("synthetic_figures").main(["denoise", "--tvgnn-feature-scale", "0",
                                               "--out", str(tmp_path)])
    with pytest.raises(ValueError, match="--runs"):
        load_script("synthetic_figures").main(["denoise", "--runs", "0",
                                               "--out", str(tmp_path)])
    with pytest.raises(SystemExit):
        load_script("synthetic_figures").main(["voronoi", "--out", str(tmp_path)])
