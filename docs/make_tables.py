"""Writes the graph-classification tables of README.md and docs/results.md
from the runs' results.json files kept in docs/data/classification/.

    python docs/make_tables.py           # rewrites both tables in place
    python docs/make_tables.py --check   # exits 1 when a table is out of date

Each table sits between two HTML comments (invisible on GitHub and in the
site), `<!-- classification-table:start -->` and `...:end -->`, so the text
around it stays hand-written. A results.json enters the tables when it holds
every fold of its runs; runs still going are kept in `partial/` and left out.
The paper column is the TVGNN paper's Table 2
(`spektral_tv.hyperparameters.paper_accuracy`); the target column is the
paper's mean minus one std on the four datasets the issue tracker set targets
for. Needs the standard library and spektral_tv (no TensorFlow).
"""

import argparse
import json
import pathlib
import sys

import numpy as np

from spektral_tv.hyperparameters import paper_accuracy

DOCS = pathlib.Path(__file__).resolve().parent
ROOT = DOCS.parent
DATA = DOCS / "data" / "classification"
START = "<!-- classification-table:start -->"
END = "<!-- classification-table:end -->"

DATASET_ORDER = (
    "MUTAG",
    "Mutagenicity",
    "NCI1",
    "PROTEINS",
    "DD",
    "COLLAB",
    "REDDIT-BINARY",
    "bench-easy-small",
    "bench-hard-small",
)
POOL_ORDER = ("tvgnn", "mincut", "diffpool", "dmon", "topk", "sagpool", "nopool")
POOL_NAMES = dict(
    tvgnn="TVGNN",
    mincut="MinCutPool",
    diffpool="DiffPool",
    dmon="DMoN",
    topk="Top-K",
    sagpool="SAGPool",
    nopool="no pool",
)
# The datasets and pools that have an accuracy target (the paper's mean - std).
TARGETS = {
    (d, p) for d in ("MUTAG", "Mutagenicity", "NCI1", "PROTEINS") for p in ("tvgnn", "mincut")
}
DEFAULT_BATCH_SIZE = 8


def load_results(folder=DATA):
    """The complete results.json files of `folder`, in table order."""
    results = []
    for path in sorted(pathlib.Path(folder).glob("*.json")):
        result = json.loads(path.read_text())
        if is_complete(result):
            results.append(result)

    def order(r):
        ds = r["dataset"]
        d = DATASET_ORDER.index(ds) if ds in DATASET_ORDER else len(DATASET_ORDER)
        return (d, ds, POOL_ORDER.index(r["pool"]), r["mode"], batch_size(r))

    return sorted(results, key=order)


def is_complete(result):
    """True when every run has all its folds (5, or 1 on a fixed split)."""
    per_run = folds_per_run(result)
    if not per_run:
        return False
    expected = 1 if is_fixed_split(result) else 5
    return all(len(folds) == expected for folds in per_run.values())


def is_fixed_split(result):
    return "fold" not in str(result.get("protocol", "")).lower()


def folds_per_run(result):
    runs = {}
    for record in result.get("folds", []):
        runs.setdefault(record["run"], []).append(record)
    return runs


def batch_size(result):
    return int(result.get("training", {}).get("batch_size", DEFAULT_BATCH_SIZE))


def run_means(result):
    runs = sorted(folds_per_run(result).items())
    return [float(np.mean([record["acc"] for record in folds])) for _, folds in runs]


def runs_label(result):
    n_runs = len(folds_per_run(result))
    if is_fixed_split(result):
        return f"{n_runs} runs, own split" if n_runs > 1 else "1 run, own split"
    return f"{n_runs} × 5"


def paper_cell(result):
    reference = paper_accuracy(result["dataset"], result["pool"])
    if reference is None:
        return "—"
    cell = f"{reference[0]:.1f} ± {reference[1]:.1f}"
    return cell + " (full set)" if result["dataset"].startswith("bench") else cell


def target_cell(result):
    if (result["dataset"], result["pool"]) not in TARGETS:
        return "—"
    mean, std = paper_accuracy(result["dataset"], result["pool"])
    target = round(mean - std, 1)
    mark = "✓" if round(result["acc_mean"], 1) >= target else "✗"
    return f"≥ {target:.1f} {mark}"


def pool_label(result, long=False):
    name = POOL_NAMES.get(result["pool"], result["pool"])
    if long and result["pool"] == "nopool":
        name = "nopool (same blocks, no pool)"
    notes = []
    if result["mode"] != "disjoint":
        notes.append(f"{result['mode']} mode")
    if batch_size(result) != DEFAULT_BATCH_SIZE:
        notes.append(f"batch size {batch_size(result)}")
    return f"{name} ({', '.join(notes)})" if notes and long else name


def readme_table(results):
    lines = [
        "| dataset | pool | accuracy % | the TVGNN paper | runs × folds "
        "| epochs | s/epoch | peak MB |",
        "|---|---|---|---|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['dataset']} | {pool_label(r)} | {r['acc_mean']:.1f} ± {r['acc_std']:.1f} "
            f"| {paper_cell(r)} | {runs_label(r)} | {r['epochs_mean']:.0f} "
            f"| {r['epoch_s']:.2f} | {r['peak_mb']:.0f} |"
        )
    return "\n".join(lines)


def results_table(results):
    lines = [
        "| dataset | pool | accuracy % (runs × folds) | per run | TVGNN paper Table 2 "
        "| target (mean − std) | epochs (mean) | s/epoch | peak MB |",
        "|---|---|---|---|---|---|---:|---:|---:|",
    ]
    for r in results:
        per_run = " / ".join(f"{m:.1f}" for m in run_means(r))
        lines.append(
            f"| {r['dataset']} | {pool_label(r, long=True)} "
            f"| {r['acc_mean']:.1f} ± {r['acc_std']:.1f} ({runs_label(r)}) | {per_run} "
            f"| {paper_cell(r)} | {target_cell(r)} | {r['epochs_mean']:.1f} "
            f"| {r['epoch_s']:.2f} | {r['peak_mb']:.0f} |"
        )
    return "\n".join(lines)


def splice(text, table, name):
    """`text` with the lines between the markers replaced by `table`."""
    if text.count(START) != 1 or text.count(END) != 1:
        raise ValueError(f"{name} must hold exactly one {START} and one {END}")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n{table}\n{END}{tail}"


def targets(folder=DATA):
    results = load_results(folder)
    return {
        ROOT / "README.md": readme_table(results),
        DOCS / "results.md": results_table(results),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a table is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, table in targets().items():
        text = path.read_text()
        new = splice(text, table, path.name)
        if new != text:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(new)
    if args.check and stale:
        print("out of date: " + ", ".join(map(str, stale)) + " (run python docs/make_tables.py)")
        return 1
    for path in stale:
        print(f"rewrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
