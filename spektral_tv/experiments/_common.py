"""What every experiment shares: the command line's common flags and checks,
the output folder, the results file (written atomically), summaries, the
memory probe.

This module imports no TensorFlow: an experiment parses and checks its flags
before it loads TensorFlow, so `--help` and user mistakes answer at once.
"""

import argparse
import contextlib
import json
import math
import os
import resource
import shutil
import sys
import tempfile

import numpy as np

RESULTS_FILE = "results.json"


class ArgumentParser(argparse.ArgumentParser):
    """`argparse.ArgumentParser` whose `fail(message)` ends the command with
    the usage line, the message and exit code 2, like argparse's own errors,
    for the checks that come after parsing."""

    def fail(self, message):
        self.error(message)


def experiment_parser(prog, doc):
    """An `ArgumentParser` for the experiment `prog` (`spektral-tv PROG`),
    described by the first paragraph of `doc`, its examples in the epilog."""
    description, _, epilog = doc.strip().partition("\n\n")
    return ArgumentParser(
        prog=f"spektral-tv {prog}",
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_output_flags(parser, default_out, resume_also=""):
    """`--out DIR`, `--resume` (what else it does: `resume_also`), `--quiet`
    (shared by the experiments)."""
    parser.add_argument("--out", default=None, help=f"output folder (default: {default_out})")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the runs already in OUT/results.json and run only "
        f"the missing ones{resume_also} (same flags as the stopped command)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def check_minimums(parser, args, **minimums):
    """Ends with a usage error naming the flag when an argument is below its
    minimum (values left at None are not checked), e.g.
    `check_minimums(parser, args, epochs=1, runs=1)`."""
    for name, minimum in minimums.items():
        value = getattr(args, name)
        if value is not None and value < minimum:
            parser.fail(f"--{name.replace('_', '-')} must be >= {minimum}, got {value}")


def check_non_negative(parser, args, *names):
    """Usage error for a negative value of any flag in `names`."""
    for name in names:
        value = getattr(args, name)
        if value is not None and not (math.isfinite(value) and value >= 0):
            parser.fail(f"--{name.replace('_', '-')} must be a finite number >= 0, got {value}")


def command_line(prog, argv):
    """The command that a results file records, e.g. `spektral-tv cluster --runs 10`."""
    args = sys.argv[1:] if argv is None else list(argv)
    return " ".join(["spektral-tv", prog, *map(str, args)])


@contextlib.contextmanager
def output_folder(path):
    """Creates `path` for an experiment's files; if the experiment fails
    before writing anything there, removes the folder again, so that a
    failed run leaves no empty folder behind."""
    existed = os.path.isdir(path)
    os.makedirs(path, exist_ok=True)
    try:
        yield path
    except BaseException:
        if not existed and os.path.isdir(path) and not os.listdir(path):
            shutil.rmtree(path, ignore_errors=True)
        raise


def write_json(path, data):
    """Writes `data` as JSON to `path` atomically (a temporary file in the
    same folder, then a rename): a killed job never leaves it truncated."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, tmp = tempfile.mkstemp(prefix=".results-", suffix=".json", dir=folder)
    try:
        with os.fdopen(handle, "w") as f:
            json.dump(data, f, indent=2)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def read_results(out, resume):
    """The results file in `out` when `resume` is set and it exists, else None."""
    path = os.path.join(out, RESULTS_FILE)
    if not resume or not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def mean_std(records, keys):
    """`{KEY_mean, KEY_std}` over the records that have a value for each of `keys`."""
    summary = {}
    for key in keys:
        values = [r[key] for r in records if r.get(key) is not None]
        if values:
            summary[f"{key}_mean"] = float(np.mean(values))
            summary[f"{key}_std"] = float(np.std(values))
    return summary


def peak_memory_mb():
    """Peak resident memory of this process so far, in MB (Linux: ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def tensorboard_callbacks(tensorboard, name=None):
    """`[TensorBoard callback]` logging to `tensorboard/name` (`--tensorboard`),
    or `[]` when the flag is not set."""
    if not tensorboard:
        return []
    import tf_keras as keras

    path = tensorboard if name is None else os.path.join(tensorboard, name)
    return [keras.callbacks.TensorBoard(path, write_graph=False)]


def add_keras_flags(parser, logs, model):
    """`--tensorboard DIR` (Keras's TensorBoard callback, logs in `logs`) and
    `--save-model PATH` (`model`, saved as .keras); check them with
    `check_keras_flags`."""
    parser.add_argument(
        "--tensorboard",
        default=None,
        metavar="DIR",
        help=f"TensorBoard logs (losses by name, per epoch) in {logs}",
    )
    parser.add_argument(
        "--save-model",
        default=None,
        metavar="PATH",
        help=f"save {model} as a .keras file (loads with "
        "tf_keras.models.load_model, no custom_objects)",
    )


def check_keras_flags(parser, args):
    """Usage error for a `--save-model` path that is not .keras, or for
    `--tensorboard` without the `tensorboard` package (which Keras's
    TensorBoard callback writes with; looked up without importing it)."""
    import importlib.util

    if args.save_model is not None and not args.save_model.endswith(".keras"):
        parser.fail(f"--save-model must end in .keras, got {args.save_model}")
    if args.tensorboard and importlib.util.find_spec("tensorboard") is None:
        parser.fail("--tensorboard needs the tensorboard package: pip install tensorboard")
