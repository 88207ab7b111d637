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
    load_script("synthetic_figures").main(["denoise", "--epochs", "3",
                                           "--out", str(tmp_path)])
    saved = json.loads((tmp_path / "results.json").read_text())
    for model in ("mincut", "tvgnn"):
        r = saved["results"][model]
        for key in ("nmi", "acc", "cs"):
            assert 0 <= r[key] <= 1
        assert sum(r["sharpness"]["cluster_sizes"]) == 200
    for name in ("denoise.png", "assignments.png"):
        assert (tmp_path / name).stat().st_size > 10000


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="--epochs"):
        load_script("synthetic_figures").main(["denoise", "--epochs", "0",
                                               "--out", str(tmp_path)])
    with pytest.raises(SystemExit):
        load_script("synthetic_figures").main(["voronoi", "--out", str(tmp_path)])
