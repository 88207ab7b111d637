"""Plots for soft cluster assignments, training losses and image segmentation.

Matplotlib only: this module does not import TensorFlow (pass ``S`` as a NumPy
array, a list, or anything ``np.asarray`` accepts, e.g. an eager tensor).

* :func:`plot_assignment_matrix` -- ``log10(S Sᵀ)`` with the nodes sorted by
  class, the block plot of Fig. 4 of the TVGNN paper (Hansen & Bianchi, 2023).
* :func:`plot_loss_curves` -- every entry of a Keras ``History``.
* :func:`plot_clusters_2d` -- nodes at 2-D coordinates, coloured by their
  argmax cluster, paler when the largest assignment is smaller (TVGNN paper,
  App. C.3, Figs. 22-23).
* :func:`plot_sharpness_profile` -- the largest assignment of every node along
  a node order (TVGNN paper, Fig. 24).
* :func:`plot_segmentation` -- original image, over-segmentation, region
  adjacency graph and clustering result side by side (MinCutPool paper,
  Fig. 4).
* :func:`plot_reconstruction` -- a graph signal of 2-D coordinates and its
  reconstructions by autoencoders (MinCutPool paper, Figs. 6-7).
* :func:`assignment_colors` -- the node colours of :func:`plot_clusters_2d`.
* :func:`edge_list` -- the ``edges`` argument of the plots from an adjacency.

Every ``plot_*`` function returns the :class:`matplotlib.figure.Figure` it drew
on. Pass ``ax`` to draw into an existing Axes (the function then returns that
Axes' figure); otherwise a new figure is made. Pass ``path`` to also save the
figure as a PNG (dpi 120; missing parent folders are created).

New figures are plain :class:`matplotlib.figure.Figure` objects, not created
through ``pyplot``: they are never registered with (or shown by) a GUI
backend, do not accumulate in ``pyplot``'s figure list, and in Jupyter the
returned figure is displayed once, as the value of the cell. Use
``fig.savefig`` or the ``path`` argument to write them. When this module is
imported without a display (Linux with neither ``DISPLAY`` nor
``WAYLAND_DISPLAY``, no ``MPLBACKEND`` set and ``pyplot`` not yet imported),
matplotlib is switched to the non-interactive ``Agg`` backend.
"""

import colorsys
import os
import sys

import matplotlib
import numpy as np

__all__ = [
    "assignment_colors",
    "edge_list",
    "plot_assignment_matrix",
    "plot_loss_curves",
    "plot_clusters_2d",
    "plot_sharpness_profile",
    "plot_segmentation",
    "plot_reconstruction",
]

DPI = 120
#: Default cap on the side of the S Sᵀ image (see `plot_assignment_matrix`).
MAX_MATRIX_NODES = 4000


def _use_agg_without_display():
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and not os.environ.get("MPLBACKEND")
        and "matplotlib.pyplot" not in sys.modules
    ):
        matplotlib.use("Agg")


_use_agg_without_display()

from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #
def _new_axes(ax, figsize, **subplot_kw):
    """`ax` and its (root) figure, or a new figure with one Axes."""
    if ax is None:
        fig = Figure(figsize=figsize, layout="constrained")
        return fig, fig.add_subplot(**subplot_kw)
    try:
        fig = ax.get_figure(root=True)  # matplotlib >= 3.10 (subfigures)
    except TypeError:
        fig = ax.figure
    return fig, ax


def _save(fig, path):
    if path is not None:
        path = os.fspath(path)
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        fig.savefig(path, dpi=DPI, format="png")
    return fig


def _as_assignments(s, name="s"):
    """`s` as a finite 2-D float array (N, K); a leading batch axis of size 1
    is dropped."""
    try:
        arr = np.asarray(s, dtype=float)
    except Exception as exc:
        raise ValueError(f"`{name}` must be an array of shape (N, K): {exc}") from exc
    if arr.ndim == 3 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"`{name}` must be a non-empty array of shape (N, K), got shape {arr.shape}."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` has non-finite entries.")
    return arr


def _palette_hls(k, palette=None):
    """(hue, saturation) of the colour of each of `k` clusters.

    Default: matplotlib's ``tab10`` for ``k <= 10``; for more clusters, hues
    spread by the golden ratio (neighbouring cluster ids get distant hues) at
    saturation 0.75. `palette` may be a matplotlib colormap name or a sequence
    of colours; listed colormaps and sequences are cycled, continuous
    colormaps are sampled evenly.
    """
    if palette is None:
        if k <= 10:
            palette = "tab10"
        else:
            return [((i * 0.6180339887498949) % 1.0, 0.75) for i in range(k)]
    if isinstance(palette, str):
        cmap = matplotlib.colormaps[palette]
        if hasattr(cmap, "colors") and len(cmap.colors) <= 64:  # qualitative
            colors = [cmap.colors[i % len(cmap.colors)] for i in range(k)]
        else:
            colors = [cmap(i / max(k - 1, 1)) for i in range(k)]
    else:
        palette = list(palette)
        if not palette:
            raise ValueError("`palette` must not be empty.")
        colors = [palette[i % len(palette)] for i in range(k)]
    out = []
    for c in colors:
        h, _, sat = colorsys.rgb_to_hls(*to_rgb(c))
        out.append((h, sat))
    return out


def _as_edges(edges, n_nodes, name="edges"):
    """`edges` as an int64 array (E, 2) of node ids in [0, n_nodes); None or
    an empty sequence give (0, 2). The one check of every plot's `edges`."""
    if edges is None or np.size(edges) == 0:
        return np.zeros((0, 2), np.int64)
    e = np.asarray(edges)
    if e.ndim != 2 or e.shape[1] != 2 or not np.issubdtype(e.dtype, np.integer):
        raise ValueError(
            f"`{name}` must be an int array of node pairs (E, 2), e.g. "
            f"plotting.edge_list(a); got shape {e.shape}, dtype {e.dtype}."
        )
    if e.min() < 0 or e.max() >= n_nodes:
        raise ValueError(f"`{name}` has node ids outside [0, {n_nodes}).")
    return e.astype(np.int64, copy=False)


def edge_list(a):
    """The undirected edges of an adjacency (N, N), scipy sparse or dense, as
    node pairs ``(i, j)`` with ``i < j``, shape (E, 2): the ``edges`` argument
    of the plots (every stored entry counts). Self-loops are left out."""
    import scipy.sparse as sp

    upper = sp.triu(sp.coo_matrix(a), 1)
    return np.stack([upper.row, upper.col], axis=1).astype(np.int64)


def assignment_colors(s, palette=None):
    """RGB colour of every node: hue of its argmax cluster, lightness from its
    largest assignment (TVGNN paper, App. C.3).

    The colour of cluster ``k`` (from `palette`, default ``tab10``, see below)
    is converted to HLS; its hue and saturation are kept and the lightness is
    set to ``1 - 0.5 * max_k s_ik``: 0.5 (the full colour) for a crisp
    assignment of 1, paler for smoother rows (``1 - 0.5 / K`` for a uniform row
    over K clusters), white (1.0) for 0.

    Args:
        s: soft assignments (N, K) (a leading batch axis of size 1 is dropped).
        palette: ``None`` (``tab10`` for K <= 10, else K hues spread by the
            golden ratio), a matplotlib colormap name, or a list of colours.

    Returns:
        float array (N, 3) of RGB values in [0, 1].
    """
    arr = _as_assignments(s)
    hue_sat = _palette_hls(arr.shape[1], palette)
    top = arr.argmax(axis=1)
    lightness = 1.0 - 0.5 * np.clip(arr.max(axis=1), 0.0, 1.0)
    return np.array(
        [
            colorsys.hls_to_rgb(hue_sat[k][0], light, hue_sat[k][1])
            for k, light in zip(top, lightness)
        ]
    ).reshape(-1, 3)


# --------------------------------------------------------------------------- #
# log(S Sᵀ)
# --------------------------------------------------------------------------- #
def plot_assignment_matrix(
    s,
    labels=None,
    ax=None,
    path=None,
    title=None,
    floor=1e-6,
    max_nodes=MAX_MATRIX_NODES,
    cmap="viridis",
):
    """``log10(S Sᵀ)`` as an image, the block plot of Fig. 4 of the TVGNN paper.

    Rows and columns are the nodes sorted by `labels` (ties broken by the
    argmax cluster) when given, else by the argmax cluster. Crisp assignments
    give a block-diagonal image, one block per cluster with the cluster's size;
    smooth assignments put mass off the blocks. Entries are clipped at `floor`
    before the log, and the colour scale runs from ``log10(floor)`` to 0 (the
    largest possible value for rows of S that sum to 1), so plots of different
    models are comparable.

    Large graphs: when N > `max_nodes` the image shows `max_nodes` nodes picked
    evenly along the sorted order (node ``floor(i * N / max_nodes)`` of the
    order, i = 0 .. max_nodes - 1), so it stays at most ``max_nodes x
    max_nodes`` and every block keeps its relative size. The product is then
    computed only for those rows, in float32 and in place (about
    ``4 * max_nodes**2`` bytes, 64 MB for 4000), never the full N x N matrix;
    the image is resampled at the data stage, so drawing it costs about as much
    again (a peak near 150 MB for N >= 4000 with saving).

    Args:
        s: soft assignments (N, K).
        labels: optional true class of every node (N,), used to sort.
        ax: Axes to draw on; a new figure (with a colorbar) if None.
        path: save the figure as a PNG there.
        title: Axes title.
        floor: smallest value of S Sᵀ before the log (default 1e-6).
        max_nodes: cap on the side of the image (default 4000).
        cmap: colormap of the image.

    Returns:
        The Figure. The image is ``fig``'s ``AxesImage`` of shape
        (min(N, max_nodes),) * 2.
    """
    arr = _as_assignments(s)
    n = arr.shape[0]
    if not floor > 0:
        raise ValueError(f"`floor` must be positive, got {floor!r}.")
    if int(max_nodes) < 1:
        raise ValueError(f"`max_nodes` must be >= 1, got {max_nodes!r}.")
    cluster = arr.argmax(axis=1)
    if labels is not None:
        labels = np.asarray(labels).reshape(-1)
        if labels.shape[0] != n:
            raise ValueError(f"`labels` has {labels.shape[0]} entries but `s` has {n} rows.")
        order = np.lexsort((cluster, labels))
        sort_name = "true label"
    else:
        order = np.argsort(cluster, kind="stable")
        sort_name = "cluster"
    m = min(n, int(max_nodes))
    if m < n:
        order = order[(np.arange(m, dtype=np.int64) * n) // m]
    rows = arr[order].astype(np.float32)
    gram = rows @ rows.T  # (m, m) float32
    np.maximum(gram, np.float32(floor), out=gram)
    np.log10(gram, out=gram)

    fig, ax = _new_axes(ax, (5.4, 4.6))
    vmin = float(np.log10(floor))
    vmax = max(0.0, float(gram.max()))
    # extent: ticks count positions in the full sorted order, also when subsampled
    im = ax.imshow(
        gram,
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        interpolation="nearest" if m <= 500 else "antialiased",
        # resample the values, not an RGBA copy: ~5x less memory
        interpolation_stage="data",
        extent=(-0.5, n - 0.5, n - 0.5, -0.5),
    )
    fig.colorbar(im, ax=ax, label=r"$\log_{10}(S S^\top)$")
    sub = f", {m} of {n} shown" if m < n else ""
    ax.set_xlabel(f"node (sorted by {sort_name}{sub})")
    ax.set_ylabel(f"node (sorted by {sort_name})")
    if title is not None:
        ax.set_title(title)
    return _save(fig, path)


# --------------------------------------------------------------------------- #
# Loss curves
# --------------------------------------------------------------------------- #
def plot_loss_curves(history, ax=None, path=None, logy=False, title=None):
    """One line per entry of a Keras history against the epoch (1, 2, ...).

    ``val_<name>`` is drawn dashed in the colour of ``<name>`` when both are
    present. With ``logy=True`` the y axis is logarithmic, or symmetric-log
    if some value is zero or negative (e.g. MinCutPool's cut loss, which lies
    in [-1, 0]): logarithmic beyond +-10^d and linear inside, with 10^d the
    power of ten at or below the smallest non-zero magnitude, but at most three
    decades below the largest one.

    Args:
        history: a ``keras.callbacks.History`` (its ``.history`` is used) or a
            dict ``{name: [value per epoch]}``, e.g. ``loss``, ``tv_loss``,
            ``balance_loss``, ``cut_loss``, ``ortho_loss`` and ``val_*``.
        ax: Axes to draw on; a new figure if None.
        path: save the figure as a PNG there.
        logy: logarithmic y axis.
        title: Axes title.

    Returns:
        The Figure; its Axes holds one ``Line2D`` per history key.
    """
    hist = getattr(history, "history", history)
    if not hasattr(hist, "items"):
        raise TypeError(
            "`history` must be a Keras History or a dict of per-epoch values, "
            f"got {type(history).__name__}."
        )
    if not hist:
        raise ValueError("`history` is empty: nothing to plot.")
    series = {}
    for key, values in hist.items():
        vals = np.asarray(values, dtype=float).reshape(-1)
        series[str(key)] = vals

    fig, ax = _new_axes(ax, (6.4, 4.2))
    colors = {}
    color_cycle = iter(matplotlib.rcParams["axes.prop_cycle"].by_key()["color"] * 100)
    for key in series:  # training keys first choose colours
        if not (key.startswith("val_") and key[4:] in series):
            colors[key] = next(color_cycle)
    for key, vals in series.items():
        is_val = key.startswith("val_") and key[4:] in series
        color = colors[key[4:]] if is_val else colors[key]
        ax.plot(
            np.arange(1, len(vals) + 1),
            vals,
            label=key,
            color=color,
            linestyle="--" if is_val else "-",
            linewidth=1.5,
            marker="o" if len(vals) == 1 else None,
        )
    if logy:
        finite = np.concatenate([v[np.isfinite(v)] for v in series.values()])
        if finite.size and np.all(finite > 0):
            ax.set_yscale("log")
        else:
            nonzero = np.abs(finite[finite != 0])
            if nonzero.size:  # linear within +-10^d, d spanning <= 3 decades below the max
                small = max(float(nonzero.min()), 1e-3 * float(nonzero.max()))
                linthresh = 10.0 ** np.floor(np.log10(small))
            else:
                linthresh = 1.0
            ax.set_yscale("symlog", linthresh=linthresh)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    if title is not None:
        ax.set_title(title)
    return _save(fig, path)


# --------------------------------------------------------------------------- #
# Nodes in 2-D
# --------------------------------------------------------------------------- #
def _default_node_size(xy, ax, sample=256):
    """Marker area (points²) for nodes at `xy` drawn in `ax`: a diameter of
    0.75 x the median distance to the nearest other position (over up to
    `sample` nodes, found with a KD-tree: memory O(N)), clipped to [4.5, 14]
    points."""
    from scipy.spatial import cKDTree

    n = xy.shape[0]
    span = float(np.ptp(xy, axis=0).max()) if n > 1 else 0.0
    if n < 2 or span == 0:
        return 40.0
    pick = np.linspace(0, n - 1, min(n, sample)).astype(np.int64)
    # Distinct positions only, so the second neighbour of a node is the nearest
    # node elsewhere (duplicated positions do not count as neighbours).
    nearest, _ = cKDTree(np.unique(xy, axis=0)).query(xy[pick], k=2)
    nearest = nearest[:, 1]
    fig = ax.figure
    pos = ax.get_position()
    side_pt = 72.0 * min(pos.width * fig.get_figwidth(), pos.height * fig.get_figheight())
    diameter = 0.75 * float(np.median(nearest)) * side_pt / (1.05 * span)
    return float(np.clip(diameter, 4.5, 14.0) ** 2)


def plot_clusters_2d(
    coords, s, ax=None, path=None, edges=None, title=None, palette=None, node_size=None
):
    """Nodes at their 2-D coordinates, coloured as in Figs. 22-23 of the TVGNN
    paper: hue of the argmax cluster, lightness ``1 - 0.5 * max_k s_ik`` (0.5,
    the full colour, for a crisp assignment; white for 0). See
    :func:`assignment_colors`.

    Args:
        coords: node positions (N, 2), e.g. a ring, a grid, or a UMAP embedding.
        s: soft assignments (N, K).
        ax: Axes to draw on; a new figure if None.
        path: save the figure as a PNG there.
        edges: optional int array (E, 2) of node pairs, drawn as thin grey
            lines under the nodes.
        title: Axes title.
        palette: cluster colours, see :func:`assignment_colors`.
        node_size: marker area in points²; by default the markers are about
            0.75 times the typical distance to the nearest node (measured on
            up to 256 nodes), between 4.5 and 14 points across.

    Returns:
        The Figure. The nodes are a ``PathCollection`` whose facecolors are
        :func:`assignment_colors` ``(s)``.
    """
    arr = _as_assignments(s)
    xy = np.asarray(coords, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2 or xy.shape[0] != arr.shape[0]:
        raise ValueError(f"`coords` must have shape (N, 2) = ({arr.shape[0]}, 2), got {xy.shape}.")
    colors = assignment_colors(arr, palette)
    n = arr.shape[0]

    fig, ax = _new_axes(ax, (5.0, 5.0))
    if node_size is None:
        node_size = _default_node_size(xy, ax)
    e = _as_edges(edges, n)
    if e.size:
        ax.add_collection(
            LineCollection(xy[e], colors="0.7", linewidths=0.6, zorder=1), autolim=True
        )
    ax.scatter(
        xy[:, 0], xy[:, 1], c=colors, s=node_size, zorder=2, edgecolors="0.35", linewidths=0.3
    )
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return _save(fig, path)


# --------------------------------------------------------------------------- #
# Sharpness profile
# --------------------------------------------------------------------------- #
def plot_sharpness_profile(s, ax=None, path=None, order=None, label=None, **plot_kw):
    """The largest assignment ``max_k s_ik`` of every node along a node order
    (TVGNN paper, Fig. 24): dips show smooth transitions between clusters.

    Call it again with the same `ax` (and a `label`) to compare several S.

    Args:
        s: soft assignments (N, K).
        ax: Axes to draw on; a new figure if None.
        path: save the figure as a PNG there.
        order: ``None`` -- the nodes' own order (e.g. along a ring);
            ``"sorted"`` -- the values sorted from lowest to highest (as for
            the grid in Fig. 24b); or an int array of node indices.
        label: legend entry of this line.
        **plot_kw: passed to ``Axes.plot`` (color, linewidth, ...).

    Returns:
        The Figure; each call adds one ``Line2D``.
    """
    arr = _as_assignments(s)
    top = arr.max(axis=1)
    if order is None:
        xlabel = "vertex index"
    elif isinstance(order, str):
        if order != "sorted":
            raise ValueError(f"`order` must be None, 'sorted' or node indices, got {order!r}.")
        top = np.sort(top)
        xlabel = "vertices sorted by largest assignment"
    else:
        idx = np.asarray(order)
        if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError("`order` must be a 1-D int array of node indices.")
        top = top[idx]
        xlabel = "vertex (given order)"

    fig, ax = _new_axes(ax, (6.4, 3.6))
    plot_kw.setdefault("linewidth", 1.2)
    ax.plot(np.arange(top.shape[0]), top, label=label, **plot_kw)
    ax.set_ylim(0.0, 1.03)
    ax.set_xlim(0, max(top.shape[0] - 1, 1))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"largest assignment max$_k\, s_{ik}$")
    ax.grid(True, alpha=0.3)
    if any(not line.get_label().startswith("_") for line in ax.get_lines()):
        ax.legend(fontsize="small", loc="lower right")
    return _save(fig, path)


# --------------------------------------------------------------------------- #
# Image segmentation
# --------------------------------------------------------------------------- #
def plot_segmentation(
    image,
    overseg_labels,
    graph_coords,
    edges,
    result_labels,
    path=None,
    coords_order="xy",
    palette=None,
    titles=None,
):
    """Four panels: original | over-segmentation boundaries | region adjacency
    graph on the image | result coloured by cluster (MinCutPool paper, Fig. 4).

    Args:
        image: (H, W, 3) RGB or (H, W) grey image, uint8 or float in [0, 1].
        overseg_labels: int (H, W) region id of every pixel (e.g. from
            ``skimage.segmentation.felzenszwalb`` or ``slic``). Region ``r`` of
            the graph is the ``r``-th smallest id (``np.unique`` order), so ids
            may start at 0 or 1 and need not be contiguous.
        graph_coords: (R, 2) position of every region node, e.g. its centroid,
            as (x, y) = (column, row) pixel coordinates, or (row, column) with
            ``coords_order="rc"`` (what ``regionprops(...).centroid`` gives).
        edges: int (E, 2) pairs of adjacent regions (node ids 0 .. R-1).
        result_labels: the cluster of every region (R,), or of every pixel
            (H, W), or soft assignments (R, K) (argmax taken).
        path: save the figure as a PNG there.
        coords_order: ``"xy"`` (default) or ``"rc"``.
        palette: cluster colours, as in :func:`assignment_colors`.
        titles: four panel titles.

    Returns:
        The Figure, with four Axes.
    """
    from skimage.segmentation import mark_boundaries
    from skimage.util import img_as_float

    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] != 3):
        raise ValueError(f"`image` must be (H, W) or (H, W, 3), got shape {img.shape}.")
    img = np.clip(img_as_float(img), 0.0, 1.0)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    seg = np.asarray(overseg_labels)
    if seg.shape != img.shape[:2]:
        raise ValueError(
            f"`overseg_labels` must have the image's shape {img.shape[:2]}, got {seg.shape}."
        )
    region_ids, region_of_pixel = np.unique(seg, return_inverse=True)
    region_of_pixel = region_of_pixel.reshape(seg.shape)
    n_regions = region_ids.shape[0]

    xy = np.asarray(graph_coords, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"`graph_coords` must have shape (R, 2), got {xy.shape}.")
    if coords_order == "rc":
        xy = xy[:, ::-1]
    elif coords_order != "xy":
        raise ValueError(f"`coords_order` must be 'xy' or 'rc', got {coords_order!r}.")
    e = _as_edges(edges, xy.shape[0])

    res = np.asarray(result_labels)
    if res.shape == seg.shape:
        pixel_cluster = res.astype(np.int64)
    else:
        if res.ndim == 2:
            res = res.argmax(axis=1)
        if res.ndim != 1 or res.shape[0] != n_regions:
            raise ValueError(
                f"`result_labels` must have one entry per region ({n_regions}) or "
                f"per pixel {seg.shape}, got shape {np.shape(result_labels)}."
            )
        pixel_cluster = res.astype(np.int64)[region_of_pixel]
    clusters, pixel_cluster = np.unique(pixel_cluster, return_inverse=True)
    pixel_cluster = pixel_cluster.reshape(seg.shape)
    hue_sat = _palette_hls(clusters.shape[0], palette)
    cluster_rgb = np.array([colorsys.hls_to_rgb(h, 0.5, sat) for h, sat in hue_sat])
    grey = img.mean(axis=2, keepdims=True)
    result = 0.45 * grey + 0.55 * cluster_rgb[pixel_cluster]
    result = mark_boundaries(result, pixel_cluster, color=(0, 0, 0))

    panel_width = 4.0  # inches; the height follows the image's aspect ratio
    fig = Figure(
        figsize=(4 * panel_width, panel_width * img.shape[0] / img.shape[1] + 0.45),
        layout="constrained",
    )
    axes = fig.subplots(1, 4)
    titles = titles or [
        "original",
        f"over-segmentation ({n_regions} regions)",
        f"region adjacency graph ({len(e)} edges)",
        f"clusters (K = {clusters.shape[0]})",
    ]
    axes[0].imshow(img)
    axes[1].imshow(mark_boundaries(img, region_of_pixel, color=(1, 1, 0)))
    axes[2].imshow(0.35 + 0.65 * img)  # faded so the graph stands out
    if e.size:
        axes[2].add_collection(LineCollection(xy[e], colors="k", linewidths=0.7, alpha=0.8))
    axes[2].scatter(
        xy[:, 0], xy[:, 1], s=10, c="tab:red", edgecolors="k", linewidths=0.3, zorder=3
    )
    axes[3].imshow(result)
    for a, t in zip(axes, titles):
        a.set_title(t)
        a.set_xticks([])
        a.set_yticks([])
        a.set_xlim(-0.5, img.shape[1] - 0.5)
        a.set_ylim(img.shape[0] - 0.5, -0.5)
    return _save(fig, path)


# --------------------------------------------------------------------------- #
# Autoencoder reconstruction
# --------------------------------------------------------------------------- #
def plot_reconstruction(x, reconstructions, path=None, edges=None, cmap="viridis", pad=0.1):
    """The original graph signal and its reconstructions, one panel each, the
    nodes drawn at their (reconstructed) 2-D features and coloured by the
    original ``x + y`` so that one can follow every node (MinCutPool paper,
    Figs. 6-7).

    Args:
        x: original node features (N, 2), e.g. the coordinates of a ring.
        reconstructions: dict ``{title: X_rec (N, 2)}``, drawn in order.
        path: save the figure as a PNG there.
        edges: optional int array (E, 2) of node pairs, drawn as thin grey
            lines between the (reconstructed) positions.
        cmap: colormap of the node colours.
        pad: margin around the original's bounding box; all panels share its
            limits, so a collapsed reconstruction looks collapsed.

    Returns:
        The Figure, with ``1 + len(reconstructions)`` Axes.
    """
    xy = np.asarray(x, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"`x` must have shape (N, 2), got {xy.shape}.")
    panels = {"original": xy}
    for title, rec in dict(reconstructions).items():
        rec = np.asarray(rec, dtype=float)
        if rec.shape != xy.shape:
            raise ValueError(
                f"reconstruction {title!r} must have the shape of `x` {xy.shape}, got {rec.shape}."
            )
        panels[str(title)] = rec
    e = _as_edges(edges, xy.shape[0])
    colors = xy.sum(axis=1)
    lo, hi = xy.min(axis=0) - pad, xy.max(axis=0) + pad
    side = 3.2
    fig = Figure(figsize=(side * len(panels), side + 0.7), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, (title, pts) in zip(axes, panels.items()):
        if e.size:
            ax.add_collection(LineCollection(pts[e], colors="0.75", linewidths=0.5, zorder=1))
        ax.scatter(pts[:, 0], pts[:, 1], c=colors, cmap=cmap, s=9, zorder=2)
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title)
    return _save(fig, path)
