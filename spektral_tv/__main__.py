"""`python -m spektral_tv <experiment> [flags]`, also installed as the
`spektral-tv` command: runs one of the papers' experiments.

    spektral-tv cluster --dataset cora --model tvgnn --runs 10
    spektral-tv classify --help
"""

import importlib
import sys

#: command -> (module of spektral_tv.experiments, one line of help)
EXPERIMENTS = {
    "cluster": ("clustering", "node clustering with TVGNN or MinCutPool"),
    "classify": ("classification", "graph classification with hierarchical pooling"),
    "segment": ("segmentation", "image segmentation by clustering a region graph"),
    "autoencode": ("autoencoder", "the graph autoencoder of the MinCutPool paper"),
    "figures": ("figures", "the TVGNN paper's synthetic figures (sharpness, denoising)"),
    "benchmark": ("benchmark", "speed and memory against Spektral's own layers"),
}


def _usage():
    lines = [
        "usage: spektral-tv <experiment> [flags]   (spektral-tv <experiment> --help)",
        "",
        "experiments:",
    ]
    lines += [f"  {name:<11} {help_text}" for name, (_, help_text) in EXPERIMENTS.items()]
    return "\n".join(lines)


def main(argv=None):
    """Dispatches `argv` (default `sys.argv[1:]`) to an experiment's `main`."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in EXPERIMENTS:
        print(f"{_usage()}\n\nspektral-tv: error: unknown experiment {name!r}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"spektral_tv.experiments.{EXPERIMENTS[name][0]}")
    module.main(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
