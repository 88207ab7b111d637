"""Draws the figures of the documentation that are not experiment results.

    python docs/make_figures.py            # writes docs/img/data-modes.png

docs/img/data-modes.png: the three data modes of Spektral (single, disjoint,
batch), with the shapes of the inputs the layers take, as in the mode table of
README.md. Needs matplotlib only (the `experiments` extra).
"""

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

IMG = pathlib.Path(__file__).resolve().parent / "img"
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c"]
PAD = "#d9d9d9"
F = 3  # features drawn per node

# Three small graphs: (node positions, undirected edges).
GRAPHS = [
    (np.array([[0, 0], [1, 0.4], [0.3, 1.0]]), [(0, 1), (1, 2), (0, 2)]),
    (np.array([[0, 0], [1, 0], [1, 1], [0, 1]]), [(0, 1), (1, 2), (2, 3), (3, 0)]),
    (np.array([[0, 0.2], [0.9, 0.8]]), [(0, 1)]),
]


def draw_graph(ax, graph, offset, color, labels=None):
    xy, edges = graph
    xy = xy + offset
    for u, v in edges:
        ax.plot(*xy[[u, v]].T, color="0.45", lw=1.5, zorder=1)
    ax.scatter(*xy.T, s=230, color=color, edgecolor="k", zorder=2)
    for n, (px, py) in enumerate(xy):
        text = str(n) if labels is None else str(labels[n])
        ax.text(
            px,
            py,
            text,
            ha="center",
            va="center",
            fontsize=8,
            color="w",
            zorder=3,
            fontweight="bold",
        )


def cells(ax, origin, colors, cell=1.0, hatch_pad=True):
    """Draws a matrix of colored cells; `colors[r][c]` is a color or None (white)."""
    x0, y0 = origin
    for r, row in enumerate(colors):
        for c, color in enumerate(row):
            face = "white" if color is None else color
            ax.add_patch(
                Rectangle(
                    (x0 + c * cell, y0 - (r + 1) * cell),
                    cell,
                    cell,
                    facecolor=face,
                    edgecolor="0.3",
                    lw=0.6,
                    hatch="///" if (hatch_pad and color == PAD) else None,
                )
            )


def feature_rows(sizes, n_max=None):
    rows = []
    for g, n in enumerate(sizes):
        rows += [[COLORS[g]] * F] * n
        if n_max is not None:
            rows += [[PAD] * F] * (n_max - n)
    return rows


def adjacency(graph, color):
    xy, edges = graph
    n = len(xy)
    m = [[None] * n for _ in range(n)]
    for u, v in edges:
        m[u][v] = m[v][u] = color
    return m


def block_diagonal(graphs):
    sizes = [len(g[0]) for g in graphs]
    total = sum(sizes)
    m = [[None] * total for _ in range(total)]
    start = 0
    for g, graph in enumerate(graphs):
        block = adjacency(graph, COLORS[g])
        for r in range(sizes[g]):
            for c in range(sizes[g]):
                m[start + r][start + c] = block[r][c]
        start += sizes[g]
    return m


def padded(graph, color, n_max):
    block = adjacency(graph, color)
    n = len(block)
    return [
        [block[r][c] if (r < n and c < n) else PAD for c in range(n_max)] for r in range(n_max)
    ]


def label(ax, x, y, text, **kw):
    ax.text(x, y, text, ha="center", va="top", fontsize=9, family="monospace", **kw)


def panel_single(ax):
    graph = GRAPHS[1]
    draw_graph(ax, graph, np.array([0.0, -2.6]), COLORS[0])
    label(ax, 0.5, -2.9, "one graph")
    cells(ax, (3.0, 0.0), [[COLORS[0]] * F] * 4, cell=0.5)
    label(ax, 3.75, -2.3, "x (N, F)")
    cells(ax, (5.5, 0.0), adjacency(graph, COLORS[0]), cell=0.5)
    label(ax, 6.5, -2.3, "a (N, N)\ndense or\ntf.SparseTensor")
    ax.text(
        9.0,
        -0.8,
        "pools give\nx_pool (K, F)\na_pool (K, K)",
        fontsize=9,
        va="center",
        family="monospace",
    )


def panel_disjoint(ax):
    offsets = [np.array([0.0, -1.3]), np.array([1.4, -1.3]), np.array([0.5, -3.2])]
    node = 0
    for g, graph in enumerate(GRAPHS):
        n = len(graph[0])
        draw_graph(ax, graph, offsets[g], COLORS[g], labels=range(node, node + n))
        node += n
    label(ax, 1.2, -3.5, "B graphs, one big graph")
    sizes = [len(g[0]) for g in GRAPHS]
    cell = 0.33
    cells(ax, (3.0, 0.0), feature_rows(sizes), cell=cell)
    label(ax, 3.5, -3.2, "x (N, F)\nN = all nodes")
    cells(ax, (4.6, 0.0), block_diagonal(GRAPHS), cell=cell)
    label(ax, 6.1, -3.2, "a (N, N) sparse,\nblock-diagonal")
    index = [[COLORS[g]] for g, n in enumerate(sizes) for _ in range(n)]
    cells(ax, (8.0, 0.0), index, cell=cell)
    for r, (g, _) in enumerate((g, n) for g, n in enumerate(sizes) for _ in range(n)):
        ax.text(
            8.0 + cell / 2,
            -(r + 0.5) * cell,
            str(g),
            ha="center",
            va="center",
            fontsize=7,
            color="w",
            fontweight="bold",
        )
    label(ax, 8.2, -3.2, "i (N,)\ngraph id")
    ax.text(
        9.0,
        -1.2,
        "pools give (K per graph)\nx_pool (B·K, F)\na_pool (B·K, B·K) sparse\ni_pool (B·K,)",
        fontsize=9,
        va="center",
        family="monospace",
    )


def panel_batch(ax):
    sizes = [len(g[0]) for g in GRAPHS]
    n_max = max(sizes)
    for g, graph in enumerate(GRAPHS):
        draw_graph(ax, graph, np.array([1.5 * g, -1.0]), COLORS[g])
    label(ax, 1.8, -1.15, "B graphs, padded to N = max nodes")
    cell, top = 0.4, -2.3
    shift = np.array([0.28, 0.28])  # graph g is drawn g steps behind graph 0

    def stack(x0, matrix_of):
        for g in reversed(range(len(GRAPHS))):
            cells(ax, (x0 + g * shift[0], top + g * shift[1]), matrix_of(g), cell=cell)

    stack(0.3, lambda g: [[COLORS[g]] * F] * sizes[g] + [[PAD] * F] * (n_max - sizes[g]))
    label(ax, 0.9, top - n_max * cell - 0.15, "x (B, N, F)")
    stack(3.0, lambda g: padded(GRAPHS[g], COLORS[g], n_max))
    label(ax, 3.8, top - n_max * cell - 0.15, "a (B, N, N) dense")
    mask = [[COLORS[g] if r < sizes[g] else PAD for r in range(n_max)] for g in range(len(GRAPHS))]
    cells(ax, (6.1, top), mask, cell=cell)
    label(ax, 6.9, top - 3 * cell - 0.15, "mask (B, N)\nGraphMasking")
    ax.text(
        9.0,
        -3.0,
        "pools give\nx_pool (B, K, F)\na_pool (B, K, K)",
        fontsize=9,
        va="center",
        family="monospace",
    )
    ax.add_patch(
        Rectangle((6.1, -4.45), 0.3, 0.3, facecolor=PAD, hatch="///", edgecolor="0.3", lw=0.6)
    )
    ax.text(6.5, -4.3, "padding: changes no output, no loss", fontsize=8, va="center")


def data_modes(path):
    fig, axes = plt.subplots(
        3, 1, figsize=(9.5, 9.6), gridspec_kw=dict(height_ratios=[1.0, 1.2, 1.3])
    )
    titles = [
        "single: one graph",
        "disjoint: a batch as one graph (Spektral's DisjointLoader)",
        "batch: a zero-padded batch with a mask (BatchLoader(mask=True))",
    ]
    limits = [(-3.6, 0.4), (-4.3, 0.4), (-4.7, 0.4)]
    for ax, title, draw, ylim in zip(
        axes, titles, [panel_single, panel_disjoint, panel_batch], limits
    ):
        draw(ax)
        ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
        ax.set_xlim(-0.5, 12.2)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


if __name__ == "__main__":
    IMG.mkdir(exist_ok=True)
    print(data_modes(IMG / "data-modes.png"))
