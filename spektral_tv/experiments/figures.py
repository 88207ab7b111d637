"""The synthetic figures of the TVGNN paper (App. C.2 and C.3): MinCutPool
against TVGNN on the same graphs.

    spektral-tv figures sharpness --out results/sharpness
    spektral-tv figures denoise --runs 10 --out results/denoise

`sharpness` (C.3, Figs. 22-24): a ring of 200 nodes clustered with K = 5 and
a 30 x 30 grid with K = 10, node features the 2-D coordinates (TVGNN's scaled
for a first GTVConv step of 0.8, as `spektral-tv cluster` on synthetic
graphs). Writes OUT/sharpness.png (the clusters on the plane, node colour
paler where the largest assignment is smaller, and the largest assignment
along the ring and sorted over the grid) and OUT/results.json (`sharpness`
statistics of S per graph and model: mean and median largest assignment,
share of nodes >= 0.9, normalized entropy, cluster sizes).

`denoise` (C.2, Figs. 20-21): a 3-community SBM (200 nodes, p_in 0.3, p_out
0.005) whose one-hot community features are corrupted with Gaussian noise of
standard deviation 1.5, K = 3, 1000 epochs; each of --runs runs draws a new
graph (seeds SEED, SEED + 1, ...). Three models per graph: MinCutPool,
TVGNN on the features as given (the paper's setting) and TVGNN on the
features scaled so that GTVConv's first step is --gtv-step (0.8) times their
size (`spektral_tv.training.gtv_feature_scale`): GTVConv takes a total
variation step of fixed length, too short to smooth features of order one
with the default kernels. Writes OUT/denoise.png (true features, noisy
features, the clusters of each model on the first graph),
OUT/assignments.png (log S·Sᵀ) and OUT/results.json (per model: each run's
NMI, ACC, completeness and mean largest assignment, their means and
standard deviations).

Both models are trained with `model.fit` on their auxiliary losses alone, with
the papers' clustering hyper-parameters (`spektral_tv.models`), scored at the
lowest training loss.
"""

import os

from spektral_tv.experiments import _common, clustering

FIGURES = ("sharpness", "denoise")
MODELS = clustering.MODELS
TITLES = clustering.TITLES
# The denoising runs: MinCutPool, TVGNN on the features as given (the paper's
# setting) and TVGNN on the features scaled for a GTVConv step of --gtv-step.
DENOISE_RUNS = ("mincut", "tvgnn_raw", "tvgnn")
DENOISE_TITLES = {
    "mincut": "MinCutPool",
    "tvgnn_raw": "TVGNN, features as given",
    "tvgnn": "TVGNN, features scaled",
}
DENOISE_NOISE = 1.5  # `datasets.noisy_sbm`'s noise standard deviation
DEFAULT_GTV_STEP = clustering.settings_for("denoise", "tvgnn")["gtv_step"]


def _epochs(args, dataset, model):
    return args.epochs or clustering.settings_for(dataset, model)["epochs"]


def _train(model_name, x, a, k, epochs, seed, gtv_step=None, feature_scale=None, progress=False):
    """`(S, epoch_ms, feature_scale)` of a clustering model trained on (x, a):
    the features times `feature_scale` if given, else scaled for a first
    GTVConv step of `gtv_step` if given (TVGNN), else as given."""
    import numpy as np

    from spektral_tv import training

    if feature_scale is None:
        feature_scale = 1.0
        if gtv_step is not None:
            config = training.CLUSTERING_MODELS[model_name][1]
            feature_scale = training.gtv_feature_scale(
                x, a, gtv_step, config["delta_coeff"], config["mp_channels"]
            )
    inputs, sparse_x = training.clustering_inputs(model_name, np.asarray(x) * feature_scale, a)
    model, _, epoch_ms = training.train_clustering(
        model_name,
        inputs,
        k,
        sparse_features=sparse_x,
        epochs=epochs,
        seed=seed,
        progress=progress,
    )
    return model(inputs, training=False).numpy(), epoch_ms, feature_scale


def _sharpness_record(s):
    from spektral_tv import metrics

    stats = metrics.sharpness(s)
    stats["cluster_sizes"] = stats["cluster_sizes"].tolist()
    return stats


def sharpness(args):
    """The TVGNN paper's App. C.3: ring (K = 5) and grid (K = 10)."""
    from matplotlib.figure import Figure

    from spektral_tv import datasets, plotting

    graphs = {
        "ring": (datasets.ring_graph(args.ring_nodes), 5),
        "grid": (datasets.grid2d(args.grid_side, args.grid_side), 10),
    }
    results, assignments = {}, {}
    for name, (graph, k) in graphs.items():
        for model in MODELS:
            settings = clustering.settings_for(name, model)
            s, epoch_ms, scale = _train(
                model,
                graph.x,
                graph.a,
                k,
                _epochs(args, name, model),
                args.seed,
                gtv_step=settings["gtv_step"],
                progress=False if args.quiet else f"{model} on {name}",
            )
            assignments[name, model] = s
            results.setdefault(name, {})[model] = {
                **_sharpness_record(s),
                "k": k,
                "epoch_ms": epoch_ms,
                "gtv_step": settings["gtv_step"],
                "feature_scale": scale,
            }
            r = results[name][model]
            print(
                f"{model} on {name} (K = {k}): mean largest assignment "
                f"{r['mean_max']:.3f}, {100 * r['fraction_crisp']:.0f}% of nodes >= 0.9, "
                f"cluster sizes {r['cluster_sizes']}",
                flush=True,
            )

    fig = Figure(figsize=(13, 6.6), layout="constrained")
    axes = fig.subplots(2, 3, gridspec_kw=dict(width_ratios=[1, 1, 1.6]))
    for row, (name, (graph, k)) in enumerate(graphs.items()):
        for col, model in enumerate(MODELS):
            plotting.plot_clusters_2d(
                graph.x,
                assignments[name, model],
                ax=axes[row, col],
                edges=plotting.edge_list(graph.a),
                title=f"{TITLES[model]}, {name} (K = {k})",
            )
        for model in MODELS:
            plotting.plot_sharpness_profile(
                assignments[name, model],
                ax=axes[row, 2],
                order=None if name == "ring" else "sorted",
                label=TITLES[model],
            )
        axes[row, 2].set_title(
            "along the ring" if name == "ring" else "grid, sorted from lowest to highest"
        )
    fig.savefig(os.path.join(args.out, "sharpness.png"), dpi=100)
    return {
        "figure": "sharpness",
        "results": results,
        "epochs": {m: _epochs(args, "ring", m) for m in MODELS},
    }


def _draw_graph(ax, pos, edges, colors, title):
    from matplotlib.collections import LineCollection

    ax.add_collection(LineCollection(pos[edges], colors="0.8", linewidths=0.3, zorder=1))
    ax.scatter(pos[:, 0], pos[:, 1], c=colors, s=14, edgecolors="0.3", linewidths=0.3, zorder=2)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)


def denoise(args):
    """The TVGNN paper's App. C.2: noisy-feature SBM, K = 3, one new graph per seed."""
    import networkx as nx
    import numpy as np
    from matplotlib.figure import Figure

    from spektral_tv import datasets, metrics, plotting

    epochs = {
        run: _epochs(args, "denoise", "mincut" if run == "mincut" else "tvgnn")
        for run in DENOISE_RUNS
    }
    records = {run: [] for run in DENOISE_RUNS}
    scales = {run: [] for run in DENOISE_RUNS}
    first = {}  # the first graph's assignments, for the figures
    for seed in range(args.seed, args.seed + args.runs):
        graph = datasets.noisy_sbm(seed=seed)
        if seed == args.seed:
            first_graph = graph
        for run in DENOISE_RUNS:
            model = "mincut" if run == "mincut" else "tvgnn"
            scaled = run == "tvgnn"
            s, epoch_ms, scale = _train(
                model,
                graph.x,
                graph.a,
                3,
                epochs[run],
                seed,
                gtv_step=args.gtv_step if scaled else None,
                feature_scale=args.tvgnn_feature_scale if scaled else None,
                progress=False if args.quiet else f"seed {seed} {run}",
            )
            r = {
                "seed": seed,
                **metrics.clustering_scores(graph.y, s),
                "mean_max": float(metrics.sharpness(s)["mean_max"]),
                "epoch_ms": epoch_ms,
                "feature_scale": scale,
            }
            records[run].append(r)
            scales[run].append(scale)
            print(
                f"seed {seed}, {DENOISE_TITLES[run]}: NMI {r['nmi']:.3f}, "
                f"ACC {r['acc']:.3f}, mean largest assignment {r['mean_max']:.3f}",
                flush=True,
            )
            if seed == args.seed:
                first[run] = s
    results = {}
    for run in DENOISE_RUNS:
        # One graph a seed: the scale for a given step differs a little per graph.
        scale = float(np.mean(scales[run]))
        results[run] = {
            "feature_scale": scale,
            "gtv_step": (
                args.gtv_step if run == "tvgnn" and args.tvgnn_feature_scale is None else None
            ),
            **clustering.summarize(records[run], keys=("nmi", "acc", "cs", "mean_max")),
        }
        r = results[run]
        print(
            f"{DENOISE_TITLES[run]} ({args.runs} runs): NMI {r['nmi_mean']:.3f} "
            f"± {r['nmi_std']:.3f}, ACC {r['acc_mean']:.3f} ± {r['acc_std']:.3f}",
            flush=True,
        )

    graph = first_graph
    edges = plotting.edge_list(graph.a)
    layout = nx.spring_layout(nx.from_scipy_sparse_array(graph.a), seed=args.seed)
    pos = np.array([layout[i] for i in range(graph.n_nodes)])
    fig = Figure(figsize=(16, 3.6), layout="constrained")
    axes = fig.subplots(1, 2 + len(DENOISE_RUNS))
    # Features as RGB, as the paper's Fig. 20 (a-b); noisy values clipped.
    _draw_graph(axes[0], pos, edges, graph.x_clean, "original features")
    _draw_graph(axes[1], pos, edges, np.clip(graph.x, 0, 1), "features + noise")
    for ax, run in zip(axes[2:], DENOISE_RUNS):
        nmi = records[run][0]["nmi"]
        plotting.plot_clusters_2d(
            pos, first[run], ax=ax, edges=edges, title=f"{DENOISE_TITLES[run]}: NMI {nmi:.2f}"
        )
    fig.savefig(os.path.join(args.out, "denoise.png"), dpi=100)

    fig = Figure(figsize=(14, 4.2), layout="constrained")
    for ax, run in zip(fig.subplots(1, len(DENOISE_RUNS)), DENOISE_RUNS):
        plotting.plot_assignment_matrix(
            first[run], labels=graph.y, ax=ax, title=f"{DENOISE_TITLES[run]}: log S·Sᵀ"
        )
    fig.savefig(os.path.join(args.out, "assignments.png"), dpi=100)
    return {
        "figure": "denoise",
        "results": results,
        "noise_std": DENOISE_NOISE,
        "n_nodes": int(graph.n_nodes),
        "runs": args.runs,
        "epochs": {"mincut": epochs["mincut"], "tvgnn": epochs["tvgnn"]},
    }


def build_parser():
    parser = _common.experiment_parser("figures", __doc__)
    parser.add_argument("figure", choices=FIGURES)
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="default: as `spektral-tv cluster` on synthetic graphs "
        "(sharpness: TVGNN 300, MinCutPool 1000; denoise: 1000)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed (of the first run)")
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="denoise: runs, each on a new graph (seeds SEED, SEED+1, ...)",
    )
    parser.add_argument(
        "--gtv-step",
        type=float,
        default=DEFAULT_GTV_STEP,
        help="denoise: the scaled TVGNN run's features give a first "
        "GTVConv step of this fraction of their size (default "
        f"{DEFAULT_GTV_STEP})",
    )
    parser.add_argument(
        "--tvgnn-feature-scale",
        type=float,
        default=None,
        help="denoise: a fixed factor on the features of the scaled TVGNN "
        "run instead of --gtv-step's",
    )
    parser.add_argument("--ring-nodes", type=int, default=200, help="sharpness: ring size")
    parser.add_argument("--grid-side", type=int, default=30, help="sharpness: grid side")
    # --out and --quiet as every experiment; no --resume: a figure is one piece.
    parser.add_argument("--out", default=None, help="output folder (default: results/FIGURE)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def parse_args(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    # The smallest graphs on which K = 5 and K = 10 clusters make sense.
    _common.check_minimums(parser, args, epochs=1, runs=1, seed=0, ring_nodes=10, grid_side=4)
    for flag in ("gtv_step", "tvgnn_feature_scale"):
        value = getattr(args, flag)
        if value is not None and not value > 0:
            parser.fail(f"--{flag.replace('_', '-')} must be > 0, got {value}")
    return args


def main(argv=None):
    """Draws the figure; returns the summary written to results.json."""
    args = parse_args(argv)
    args.out = args.out or os.path.join("results", args.figure)
    command = _common.command_line("figures", argv)
    with _common.output_folder(args.out):
        summary = sharpness(args) if args.figure == "sharpness" else denoise(args)
        summary = {"command": command, **summary, "seed": args.seed}
        _common.write_json(os.path.join(args.out, _common.RESULTS_FILE), summary)
    print(f"-> {args.out}")
    return summary
