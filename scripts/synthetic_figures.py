#!/usr/bin/env python
"""The synthetic figures of the TVGNN paper (seed 002, App. C.2 and C.3):
MinCutPool against TVGNN on the same graphs.

    python scripts/synthetic_figures.py sharpness --out results/sharpness
    python scripts/synthetic_figures.py denoise --out results/denoise

`sharpness` (C.3, Figs. 22-24): a ring of 200 nodes clustered with K = 5 and
a 30 x 30 grid with K = 10, node features the 2-D coordinates. Writes
DIR/sharpness.png (the clusters on the plane, node colour paler where the
largest assignment is smaller, and the largest assignment along the ring and
sorted over the grid) and DIR/results.json (`sharpness` statistics of S per
graph and model: mean and median largest assignment, share of nodes >= 0.9,
normalized entropy, cluster sizes).

`denoise` (C.2, Figs. 20-21): a 3-community SBM (200 nodes, p_in 0.3, p_out
0.005) whose one-hot community features are corrupted with Gaussian noise of
standard deviation 1.5. Writes DIR/denoise.png (true features, noisy
features, the clusters of each model), DIR/assignments.png (log S·Sᵀ) and
DIR/results.json (NMI, ACC, completeness and sharpness per model).

Both models are trained with `model.fit` on their auxiliary losses alone, with
the papers' clustering hyper-parameters (`spektral_tv.models`), scored at the
lowest training loss.
"""
import spektral_tv  # noqa: F401  (first: TF_USE_LEGACY_KERAS before TensorFlow)

import argparse
import json
import os
import sys

import numpy as np
import scipy.sparse as sp
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import SYNTHETIC_EPOCHS, train_once  # noqa: E402

from spektral_tv import datasets, metrics, plotting  # noqa: E402
from spektral_tv._cli import check_minimums  # noqa: E402
from spektral_tv.training import clustering_inputs  # noqa: E402

MODELS = ("mincut", "tvgnn")
TITLES = {"mincut": "MinCutPool", "tvgnn": "TVGNN"}


def _edges(a):
    coo = sp.triu(sp.coo_matrix(a), 1)
    return np.stack([coo.row, coo.col], axis=1)


def _train(model, graph, k, epochs, seed):
    inputs, sparse_x = clustering_inputs(model, graph.x, graph.a)
    s, history, epoch_ms = train_once(model, inputs, sparse_x, k,
                                      epochs or SYNTHETIC_EPOCHS[model], seed,
                                      overrides={})
    return s, epoch_ms


def _sharpness_record(s):
    stats = metrics.sharpness(s)
    stats["cluster_sizes"] = stats["cluster_sizes"].tolist()
    return stats


def sharpness(args):
    """Seed 002 App. C.3: ring (K = 5) and grid (K = 10)."""
    graphs = {"ring": (datasets.ring_graph(args.ring_nodes), 5),
              "grid": (datasets.grid2d(args.grid_side, args.grid_side), 10)}
    results, assignments = {}, {}
    for name, (graph, k) in graphs.items():
        for model in MODELS:
            s, epoch_ms = _train(model, graph, k, args.epochs, args.seed)
            assignments[name, model] = s
            results.setdefault(name, {})[model] = {**_sharpness_record(s),
                                                   "k": k, "epoch_ms": epoch_ms}
            r = results[name][model]
            print(f"{model} on {name} (K = {k}): mean largest assignment "
                  f"{r['mean_max']:.3f}, {100 * r['fraction_crisp']:.0f}% of nodes >= 0.9, "
                  f"cluster sizes {r['cluster_sizes']}", flush=True)

    fig = Figure(figsize=(13, 6.6), layout="constrained")
    axes = fig.subplots(2, 3, gridspec_kw=dict(width_ratios=[1, 1, 1.6]))
    for row, (name, (graph, k)) in enumerate(graphs.items()):
        for col, model in enumerate(MODELS):
            plotting.plot_clusters_2d(graph.x, assignments[name, model], ax=axes[row, col],
                                      edges=_edges(graph.a),
                                      title=f"{TITLES[model]}, {name} (K = {k})")
        for model in MODELS:
            plotting.plot_sharpness_profile(
                assignments[name, model], ax=axes[row, 2],
                order=None if name == "ring" else "sorted", label=TITLES[model])
        axes[row, 2].set_title("along the ring" if name == "ring"
                               else "grid, sorted from lowest to highest")
    fig.savefig(os.path.join(args.out, "sharpness.png"), dpi=100)
    return {"figure": "sharpness", "results": results}


def _draw_graph(ax, pos, edges, colors, title):
    ax.add_collection(LineCollection(pos[edges], colors="0.8", linewidths=0.3, zorder=1))
    ax.scatter(pos[:, 0], pos[:, 1], c=colors, s=14, edgecolors="0.3", linewidths=0.3,
               zorder=2)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)


def denoise(args):
    """Seed 002 App. C.2: noisy-feature SBM, K = 3."""
    import networkx as nx

    graph = datasets.noisy_sbm(seed=args.seed)
    edges = _edges(graph.a)
    layout = nx.spring_layout(nx.from_scipy_sparse_array(graph.a), seed=args.seed)
    pos = np.array([layout[i] for i in range(graph.n_nodes)])
    results, assignments = {}, {}
    for model in MODELS:
        s, epoch_ms = _train(model, graph, 3, args.epochs, args.seed)
        assignments[model] = s
        results[model] = {**metrics.clustering_scores(graph.y, s),
                          "sharpness": _sharpness_record(s), "epoch_ms": epoch_ms}
        r = results[model]
        print(f"{model} on the noisy SBM: NMI {r['nmi']:.3f}, ACC {r['acc']:.3f}, "
              f"mean largest assignment {r['sharpness']['mean_max']:.3f}", flush=True)

    fig = Figure(figsize=(13, 3.6), layout="constrained")
    axes = fig.subplots(1, 4)
    # Features as RGB, as the paper's Fig. 20 (a-b); noisy values clipped.
    _draw_graph(axes[0], pos, edges, graph.x_clean, "original features")
    _draw_graph(axes[1], pos, edges, np.clip(graph.x, 0, 1), "features + noise")
    for ax, model in zip(axes[2:], MODELS):
        r = results[model]
        plotting.plot_clusters_2d(pos, assignments[model], ax=ax, edges=edges,
                                  title=f"{TITLES[model]}: NMI {r['nmi']:.2f}")
    fig.savefig(os.path.join(args.out, "denoise.png"), dpi=100)

    fig = Figure(figsize=(10, 4.2), layout="constrained")
    for ax, model in zip(fig.subplots(1, 2), MODELS):
        plotting.plot_assignment_matrix(assignments[model], labels=graph.y, ax=ax,
                                        title=f"{TITLES[model]}: log S·Sᵀ")
    fig.savefig(os.path.join(args.out, "assignments.png"), dpi=100)
    return {"figure": "denoise", "results": results,
            "noise_std": 1.5, "n_nodes": int(graph.n_nodes)}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("figure", choices=("sharpness", "denoise"))
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"default: {SYNTHETIC_EPOCHS} (as scripts/cluster.py)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ring-nodes", type=int, default=200, help="sharpness: ring size")
    parser.add_argument("--grid-side", type=int, default=30, help="sharpness: grid side")
    parser.add_argument("--out", default=None, help="default: results/FIGURE")
    args = parser.parse_args(argv)
    # The smallest graphs on which K = 5 and K = 10 clusters make sense.
    return check_minimums(args, epochs=1, ring_nodes=10, grid_side=4)


def main(argv=None):
    args = parse_args(argv)
    args.out = args.out or os.path.join("results", args.figure)
    os.makedirs(args.out, exist_ok=True)
    summary = sharpness(args) if args.figure == "sharpness" else denoise(args)
    summary.update(seed=args.seed,
                   epochs={m: args.epochs or SYNTHETIC_EPOCHS[m] for m in MODELS})
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"-> {args.out}")
    return summary


if __name__ == "__main__":
    main()
