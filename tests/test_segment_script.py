"""scripts/segment.py on tiny pictures, and the region adjacency graph."""
import json

import numpy as np
import pytest
from script_loader import load_script

from spektral_tv.datasets.images import oversegment, region_adjacency_graph


def quadrants(height=48, width=64, seed=0):
    """Four flat colours with a little noise, uint8 (H, W, 3)."""
    rng = np.random.default_rng(seed)
    image = np.zeros((height, width, 3))
    image[: height // 2, : width // 2] = (220, 40, 40)
    image[: height // 2, width // 2:] = (40, 200, 40)
    image[height // 2:, : width // 2] = (40, 40, 220)
    image[height // 2:, width // 2:] = (230, 230, 60)
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("method", ["felzenszwalb", "slic"])
def test_region_adjacency_graph(method):
    image = quadrants()
    segments = oversegment(image, method, **({"min_size": 10} if method == "felzenszwalb"
                                             else {"n_segments": 30}))
    graph = region_adjacency_graph(image, segments)
    n = int(segments.max()) + 1
    assert graph.x.shape == (n, 6) and graph.a.shape == (n, n) and graph.pos.shape == (n, 2)
    a = graph.a.toarray()
    np.testing.assert_allclose(a, a.T)
    assert np.all(np.diag(a) == 0) and np.all((a >= 0) & (a <= 1)) and a.sum() > 0
    # mean and total colour, each divided by its largest entry
    assert np.isclose(graph.x[:, :3].max(), 1) and np.isclose(graph.x[:, 3:].max(), 1)
    assert graph.pos[:, 0].max() < image.shape[1] and graph.pos[:, 1].max() < image.shape[0]


@pytest.mark.parametrize("pool, overseg", [("mincut", "felzenszwalb"), ("tvgnn", "slic")])
def test_script_writes_labels_and_figure(tmp_path, pool, overseg):
    from skimage import io

    path = tmp_path / "quadrants.png"
    io.imsave(path, quadrants())
    out = tmp_path / "out"
    load_script("segment").main(["--image", str(path), "--k", "3", "--pool", pool,
                                 "--overseg", overseg, "--epochs", "3", "--out", str(out)])
    labels = np.load(out / "labels.npy")
    assert labels.shape == (48, 64) and np.issubdtype(labels.dtype, np.integer)
    assert labels.min() >= 0 and labels.max() < 3
    summary = json.loads((out / "results.json").read_text())
    assert summary["k"] == 3 and summary["pool"] == pool
    assert sum(summary["pixel_cluster_sizes"]) == 48 * 64
    assert (out / "segmentation.png").stat().st_size > 5000


def test_default_picture_is_shrunk_and_labels_keep_its_shape(tmp_path):
    load_script("segment").main(["--epochs", "2", "--max-side", "80", "--out", str(tmp_path)])
    summary = json.loads((tmp_path / "results.json").read_text())
    assert max(summary["working_shape"]) == 80
    assert np.load(tmp_path / "labels.npy").shape == tuple(summary["image_shape"])


def test_bad_arguments_name_the_argument(tmp_path):
    script = load_script("segment")
    with pytest.raises(ValueError, match="--k"):
        script.main(["--k", "1", "--out", str(tmp_path)])
    with pytest.raises(ValueError, match="--image"):
        script.main(["--image", str(tmp_path / "missing.jpeg"), "--out", str(tmp_path)])
    (tmp_path / "not_an_image.jpeg").write_text("hello")
    with pytest.raises(ValueError, match="--image"):
        script.main(["--image", str(tmp_path / "not_an_image.jpeg"), "--out", str(tmp_path)])
