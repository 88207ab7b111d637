"""spektral_tv.plotting: each plot draws what it should and saves a PNG."""

import colorsys
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from reference import softmax
from spektral_tv import plotting

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    assert path.exists()
    data = path.read_bytes()
    assert len(data) > 1000 and data[:8] == PNG_SIGNATURE


def test_module_imports_neither_tensorflow_nor_pyplot():
    code = (
        "import sys, numpy as np\n"
        "from spektral_tv import plotting\n"
        "plotting.plot_clusters_2d(np.random.rand(5, 2), np.eye(5)[:, :3] + 0.1)\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr


# --------------------------------------------------------------------------- #
# plot_assignment_matrix
# --------------------------------------------------------------------------- #
def test_assignment_matrix_sorted_by_label(tmp_path):
    labels = np.array([2, 0, 1, 0, 2, 1, 0])
    s = np.eye(3)[labels]  # crisp: block-diagonal after sorting by label
    path = tmp_path / "sub" / "matrix.png"  # parent folder is created
    fig = plotting.plot_assignment_matrix(s, labels, path=path, title="crisp")
    assert isinstance(fig, Figure)
    assert_png(path)
    assert len(fig.axes) == 2  # the image and its colorbar
    (im,) = fig.axes[0].images
    img = np.asarray(im.get_array())
    assert img.shape == (7, 7)
    blocks = np.sort(labels)
    same = blocks[:, None] == blocks[None, :]
    np.testing.assert_allclose(img[same], 0.0, atol=1e-6)
    np.testing.assert_allclose(img[~same], -6.0, atol=1e-6)  # log10 of the floor
    assert fig.axes[0].get_title() == "crisp"


def test_assignment_matrix_values_and_argmax_order():
    rng = np.random.default_rng(0)
    s = softmax(3 * rng.normal(size=(9, 4)))
    fig = plotting.plot_assignment_matrix(s)
    img = np.asarray(fig.axes[0].images[0].get_array())
    order = np.argsort(s.argmax(axis=1), kind="stable")
    expected = np.log10(np.maximum(s[order] @ s[order].T, 1e-6))
    np.testing.assert_allclose(img, expected, rtol=1e-5, atol=1e-5)


def test_assignment_matrix_into_given_axes():
    fig = Figure()
    axes = fig.subplots(1, 2)
    out = plotting.plot_assignment_matrix(np.eye(3), ax=axes[1])
    assert out is fig
    assert len(axes[1].images) == 1 and len(axes[0].images) == 0


def test_assignment_matrix_subsamples_large_graphs(tmp_path):
    n, k = 5000, 7
    rng = np.random.default_rng(0)
    labels = rng.integers(0, k, n)
    s = 0.9 * np.eye(k)[labels] + 0.1 / k
    path = tmp_path / "big.png"
    tracemalloc.start()
    try:
        fig = plotting.plot_assignment_matrix(s, labels, path=path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_png(path)
    im = fig.axes[0].images[0]
    img = np.asarray(im.get_array())
    assert img.shape == (4000, 4000)
    # One N x N float64 matrix would be 200 MB; the subsampled float32 product,
    # imshow's copy and the rendering stay well below two of them.
    assert peak < 1.5 * n * n * 8, f"peak {peak / 1e6:.0f} MB"
    # Ticks count positions in the full order of 5000 nodes.
    np.testing.assert_allclose(im.get_extent(), (-0.5, n - 0.5, n - 0.5, -0.5))
    # Evenly picked along the label order: block sizes keep their proportions.
    picked = np.sort(labels)[(np.arange(4000) * n) // 4000]
    diag_blocks = picked[:, None] == picked[None, :]
    np.testing.assert_allclose(img[diag_blocks].min(), img.max(), atol=1e-6)
    assert img[~diag_blocks].max() < img[diag_blocks].min()


def test_assignment_matrix_small_max_nodes():
    s = np.eye(4)[np.arange(10) % 4]
    fig = plotting.plot_assignment_matrix(s, max_nodes=5)
    assert np.asarray(fig.axes[0].images[0].get_array()).shape == (5, 5)


def test_assignment_matrix_errors():
    with pytest.raises(ValueError, match="labels"):
        plotting.plot_assignment_matrix(np.eye(3), labels=[0, 1])
    with pytest.raises(ValueError, match="shape"):
        plotting.plot_assignment_matrix(np.ones(3))


# --------------------------------------------------------------------------- #
# plot_loss_curves
# --------------------------------------------------------------------------- #
class FakeHistory:
    def __init__(self, history):
        self.history = history


def test_loss_curves_one_line_per_key(tmp_path):
    epochs = 6
    hist = {
        "loss": list(np.linspace(1.0, 0.2, epochs)),
        "tv_loss": list(np.linspace(0.6, 0.1, epochs)),
        "balance_loss": list(np.linspace(0.4, 0.1, epochs)),
        "val_loss": list(np.linspace(1.1, 0.3, epochs)),
        "lr": [1e-3] * epochs,
    }
    path = tmp_path / "loss.png"
    fig = plotting.plot_loss_curves(FakeHistory(hist), path=path)
    assert_png(path)
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == list(hist)
    np.testing.assert_allclose(lines[0].get_xdata(), np.arange(1, epochs + 1))
    np.testing.assert_allclose(lines[1].get_ydata(), hist["tv_loss"])
    by_key = dict(zip(hist, lines))
    assert by_key["val_loss"].get_color() == by_key["loss"].get_color()
    assert by_key["val_loss"].get_linestyle() == "--"
    assert by_key["loss"].get_linestyle() == "-"
    assert len({by_key[k].get_color() for k in ("loss", "tv_loss", "balance_loss", "lr")}) == 4
    assert ax.get_yscale() == "linear"
    assert len(ax.get_legend().get_texts()) == len(hist)


def test_loss_curves_log_scales():
    fig = plotting.plot_loss_curves({"loss": [1.0, 0.1], "ortho_loss": [0.5, 0.01]}, logy=True)
    assert fig.axes[0].get_yscale() == "log"
    fig = plotting.plot_loss_curves(
        {"cut_loss": [-0.1, -0.9], "ortho_loss": [0.5, 0.01]}, logy=True
    )
    assert fig.axes[0].get_yscale() == "symlog"
    assert len(fig.axes[0].get_lines()) == 2


def test_loss_curves_errors():
    with pytest.raises(ValueError, match="empty"):
        plotting.plot_loss_curves({})
    with pytest.raises(TypeError, match="History"):
        plotting.plot_loss_curves([1.0, 2.0])


# --------------------------------------------------------------------------- #
# plot_clusters_2d
# --------------------------------------------------------------------------- #
def test_clusters_2d_colours_follow_the_largest_assignment(tmp_path):
    k = 4
    s = np.array(
        [
            [0.0, 0.0, 1.0, 0.0],  # crisp: full colour of cluster 2, lightness 0.5
            [0.25, 0.25, 0.25, 0.25],  # uniform: cluster 0 (argmax tie), lightness 1 - 0.5/K
            [0.1, 0.7, 0.1, 0.1],  # cluster 1, lightness 0.65
        ]
    )
    coords = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    edges = np.array([[0, 1], [1, 2]])
    path = tmp_path / "clusters.png"
    fig = plotting.plot_clusters_2d(coords, s, edges=edges, path=path, title="t")
    assert_png(path)
    (ax,) = fig.axes
    (nodes,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(lines.get_segments()) == 2
    assert lines.get_zorder() < nodes.get_zorder()  # edges under the nodes
    np.testing.assert_allclose(nodes.get_offsets(), coords)
    face = nodes.get_facecolors()[:, :3]
    assert face.shape == (3, 3)

    def expected(cluster, lightness):
        h, _, sat = colorsys.rgb_to_hls(*to_rgb(f"C{cluster}"))  # tab10 == C0..C9
        return colorsys.hls_to_rgb(h, lightness, sat)

    np.testing.assert_allclose(face[0], expected(2, 0.5), atol=1e-6)
    np.testing.assert_allclose(face[1], expected(0, 1 - 0.5 / k), atol=1e-6)
    np.testing.assert_allclose(face[2], expected(1, 0.65), atol=1e-6)
    lightness = [colorsys.rgb_to_hls(*rgb)[1] for rgb in face]
    np.testing.assert_allclose(lightness, [0.5, 1 - 0.5 / k, 0.65], atol=1e-6)


def test_assignment_colors_extremes_and_palettes():
    white = plotting.assignment_colors(np.zeros((1, 3)))
    np.testing.assert_allclose(white, [[1.0, 1.0, 1.0]])
    crisp = plotting.assignment_colors(np.eye(12))  # > 10 clusters: golden-ratio hues
    hues = [colorsys.rgb_to_hls(*rgb)[0] for rgb in crisp]
    assert len({round(h, 3) for h in hues}) == 12
    np.testing.assert_allclose([colorsys.rgb_to_hls(*rgb)[1] for rgb in crisp], 0.5, atol=1e-6)
    custom = plotting.assignment_colors(np.eye(2), palette=["red", "blue"])
    np.testing.assert_allclose(custom, [[1, 0, 0], [0, 0, 1]], atol=1e-6)


def test_clusters_2d_errors():
    with pytest.raises(ValueError, match="coords"):
        plotting.plot_clusters_2d(np.zeros((3, 3)), np.eye(3))
    with pytest.raises(ValueError, match="edges"):
        plotting.plot_clusters_2d(np.zeros((3, 2)), np.eye(3), edges=np.array([[0, 3]]))


# --------------------------------------------------------------------------- #
# plot_sharpness_profile
# --------------------------------------------------------------------------- #
def test_sharpness_profile_several_assignments_on_one_axes(tmp_path):
    rng = np.random.default_rng(0)
    smooth = softmax(rng.normal(size=(20, 3)))
    sharp = softmax(10 * rng.normal(size=(20, 3)))
    fig = plotting.plot_sharpness_profile(smooth, label="smooth")
    ax = fig.axes[0]
    path = tmp_path / "sharpness.png"
    out = plotting.plot_sharpness_profile(sharp, ax=ax, label="sharp", path=path)
    assert out is fig
    assert_png(path)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["smooth", "sharp"]
    np.testing.assert_allclose(lines[0].get_ydata(), smooth.max(axis=1))
    np.testing.assert_allclose(lines[1].get_xdata(), np.arange(20))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["smooth", "sharp"]


def test_sharpness_profile_orders():
    s = softmax(np.random.default_rng(1).normal(size=(15, 4)))
    top = s.max(axis=1)
    fig = plotting.plot_sharpness_profile(s, order="sorted")
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), np.sort(top))
    order = np.arange(15)[::-1]
    fig = plotting.plot_sharpness_profile(s, order=order)
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), top[order])
    assert fig.axes[0].get_legend() is None  # no labels, no legend
    with pytest.raises(ValueError, match="order"):
        plotting.plot_sharpness_profile(s, order="random")


# --------------------------------------------------------------------------- #
# plot_segmentation
# --------------------------------------------------------------------------- #
def quadrant_image():
    h, w = 24, 32
    rows, cols = np.mgrid[:h, :w]
    seg = 1 + (rows >= h // 2) * 2 + (cols >= w // 2)  # ids 1..4, as from slic
    palette = np.array([[0.9, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.9], [0.9, 0.9, 0.1]])
    image = (255 * palette[seg - 1]).astype(np.uint8)
    centroids_xy = np.array([[7.5, 5.5], [23.5, 5.5], [7.5, 17.5], [23.5, 17.5]])
    edges = np.array([[0, 1], [0, 2], [1, 3], [2, 3]])
    return image, seg, centroids_xy, edges


def test_segmentation_four_panels(tmp_path):
    image, seg, coords, edges = quadrant_image()
    path = tmp_path / "seg.png"
    fig = plotting.plot_segmentation(image, seg, coords, edges, np.array([0, 0, 1, 1]), path=path)
    assert_png(path)
    assert len(fig.axes) == 4
    assert all(len(ax.images) == 1 for ax in fig.axes)
    for ax in fig.axes:
        assert ax.images[0].get_array().shape[:2] == seg.shape
    graph_ax = fig.axes[2]
    (lines,) = [c for c in graph_ax.collections if isinstance(c, LineCollection)]
    assert len(lines.get_segments()) == len(edges)
    (nodes,) = [c for c in graph_ax.collections if isinstance(c, PathCollection)]
    np.testing.assert_allclose(nodes.get_offsets(), coords)
    # the result panel: the cluster's hue over the image's grey levels
    result = np.asarray(fig.axes[3].images[0].get_array())
    hue = {(r, c): colorsys.rgb_to_hls(*result[r, c])[0] for r in (2, -3) for c in (2, -3)}
    assert hue[2, 2] == pytest.approx(hue[2, -3]) and hue[-3, 2] == pytest.approx(hue[-3, -3])
    assert abs(hue[2, 2] - hue[-3, 2]) > 0.1


def test_segmentation_accepts_pixel_labels_soft_assignments_and_rc():
    image, seg, coords, edges = quadrant_image()
    grey = image.mean(axis=2) / 255.0
    per_pixel = (seg > 2).astype(int)
    fig = plotting.plot_segmentation(
        grey, seg, coords[:, ::-1], edges, per_pixel, coords_order="rc"
    )
    (nodes,) = [c for c in fig.axes[2].collections if isinstance(c, PathCollection)]
    np.testing.assert_allclose(nodes.get_offsets(), coords)
    soft = np.eye(2)[[0, 0, 1, 1]] * 0.8 + 0.1
    assert len(plotting.plot_segmentation(image, seg, coords, edges, soft).axes) == 4
    with pytest.raises(ValueError, match="result_labels"):
        plotting.plot_segmentation(image, seg, coords, edges, np.array([0, 1]))


def test_edge_list_undirected_pairs_without_self_loops():
    import scipy.sparse as sp

    a = np.array([[1, 1, 0, 2], [1, 0, 1, 0], [0, 1, 0, 0], [2, 0, 0, 0]], dtype=np.float32)
    expected = {(0, 1), (0, 3), (1, 2)}
    for adjacency in (a, sp.csr_matrix(a)):
        edges = plotting.edge_list(adjacency)
        assert edges.shape == (3, 2) and edges.dtype == np.int64
        assert set(map(tuple, edges.tolist())) == expected
    assert plotting.edge_list(np.zeros((3, 3))).shape == (0, 2)


@pytest.mark.parametrize(
    "bad,match",
    [
        (np.array([[0, 4]]), r"outside \[0, 4\)"),
        (np.array([[-1, 2]]), "outside"),
        (np.array([0, 1, 1, 2]), r"node pairs \(E, 2\)"),  # flat, not (E, 2)
        (np.array([[0.0, 1.0]]), "int array"),
    ],
)
def test_every_plot_checks_edges_the_same_way(bad, match):
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    image, seg, coords, _ = quadrant_image()
    plots = [
        lambda e: plotting.plot_clusters_2d(xy, np.eye(4), edges=e),
        lambda e: plotting.plot_reconstruction(xy, {"rec": xy}, edges=e),
        lambda e: plotting.plot_segmentation(image, seg, coords, e, np.array([0, 0, 1, 1])),
    ]
    for plot in plots:
        with pytest.raises(ValueError, match=match):
            plot(bad)
        assert plot(np.zeros((0, 2), np.int64)) is not None  # no edges is fine
