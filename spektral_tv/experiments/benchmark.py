"""Benchmark spektral_tv's layers against Spektral 1.3.1's own.

Three sections, each printed as a table (and written with --json):

* Workloads: each (implementation, workload) pair runs in a fresh child
  process (this module with ``--child IMPL WORKLOAD``) that builds data and
  model, warms up --warmup steps (tracing excluded) and times --steps training
  steps (forward + auxiliary losses + backward + Adam, one ``tf.function``,
  ``jit_compile`` for the ``-jit`` workloads; the loss is fetched each step).
  Workloads: ``batch-8x1500`` (8 random graphs of 1500 nodes, average degree
  10, F = 32, GTVConv(32) -> AsymCheegerCutPool(16); Spektral's batch GTVConv
  builds (B, N, N, F) tensors and peaks around 12 GB, --skip-spektral-batch
  leaves it out), ``mincut-batch-8x1500`` (the same graphs, MinCutPool(16)),
  ``cora-tvgnn`` / ``cora-tvgnn-sparse-x`` (the package's TVGNN clustering
  model, `spektral_tv.models.tvgnn_clustering_model`, on Cora, x dense or a
  SparseTensor; Spektral's row is the same network of Spektral's layers);
  any name + ``-jit``. Columns: median ms/step; peak MB (ru_maxrss of the
  child, TensorFlow included); setup MB (before the first step); train MB
  (peak during the steps minus the memory before them); ratios against
  spektral_tv's row (> 1: slower or larger than spektral_tv).
* Same-process Cora TVGNN (default run or --same-process): one child builds
  the four (implementation, x format) variants and times them in interleaved
  blocks (ABCD DCBA ...), so that a change in the machine's load hits all
  alike.
* Scaling (--scaling, sizes by --scaling-sizes): random graphs of average
  degree 10, F = 32, single mode, sparse adjacency; TVGNN (GTVConv(32) x2 ->
  AsymCheegerCutPool(16)) and MinCutPool (Spektral's GCSConv(32) ->
  MinCutPool(16), normalized adjacency). Per (model, size) one child holds
  both implementations for interleaved ms/step, and one fresh child per
  implementation measures its training memory (peak during the warm-up steps
  minus the memory before them; freed memory stays resident, so two in one
  process would hide the second one's peak); ratios
  Spektral / spektral_tv and the growth exponent b of ms/step ~ N^b (least
  squares over the sizes; 1 is linear in N and E).

On 2 cores run-to-run spread is easily 20%: use --repeats 3 for ratios near 1
in the first table. ``python -m spektral_tv.experiments.benchmark --help``.
"""

import os
import sys

# Spektral 1.3.1 needs Keras 2 (tf_keras): set before TensorFlow is imported,
# here and in the child processes (they inherit it).
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

IMPLS = ("spektral_tv", "spektral")
REFERENCE_IMPL = "spektral_tv"
RESULT_MARKER = "BENCH_RESULT "

# The same-process section: (implementation, x format) in timing order; the
# first one is the reference of the "ratio vs spektral_tv (sparse x)" column.
SAME_PROCESS_VARIANTS = (
    ("spektral_tv", "sparse"),
    ("spektral_tv", "dense"),
    ("spektral", "dense"),
    ("spektral", "sparse"),
)

# kind: which data/model; sparse_x: x as tf.SparseTensor; steps: default timed steps;
# heavy_spektral: skipped for Spektral by --skip-spektral-batch.
WORKLOADS = {
    "batch-8x1500": dict(kind="batch-acc", sparse_x=False, steps=10, heavy_spektral=True),
    "cora-tvgnn": dict(kind="cora-tvgnn", sparse_x=False, steps=50, heavy_spektral=False),
    "cora-tvgnn-sparse-x": dict(kind="cora-tvgnn", sparse_x=True, steps=50, heavy_spektral=False),
    "mincut-batch-8x1500": dict(
        kind="batch-mincut", sparse_x=False, steps=10, heavy_spektral=False
    ),
}
DEFAULT_WORKLOADS = (
    "batch-8x1500",
    "cora-tvgnn",
    "cora-tvgnn-sparse-x",
    "cora-tvgnn-jit",
    "mincut-batch-8x1500",
)


def workload_spec(name):
    """Parse a workload name (optionally with a '-jit' suffix) into its spec."""
    jit = name.endswith("-jit")
    base = name[: -len("-jit")] if jit else name
    if base not in WORKLOADS:
        raise ValueError(
            f"unknown workload {name!r}; known: {', '.join(WORKLOADS)} (each also with -jit)"
        )
    return dict(WORKLOADS[base], name=name, base=base, jit=jit)


# ----------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------
def random_batch_graphs(n_graphs=8, n_nodes=1500, avg_degree=10, n_features=32, seed=0):
    """Seeded Erdos-Renyi graphs G(n, p = avg_degree / n), symmetric, no self-loops.

    Returns x of shape (B, N, F) and dense a of shape (B, N, N), both float32.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    p = avg_degree / n_nodes
    a = np.zeros((n_graphs, n_nodes, n_nodes), dtype=np.float32)
    for b in range(n_graphs):
        upper = np.triu(rng.random((n_nodes, n_nodes)) < p, k=1)
        a[b] = upper | upper.T
    x = rng.standard_normal((n_graphs, n_nodes, n_features)).astype(np.float32)
    return x, a


def load_cora_workload(smoke):
    """Cora as (x, a) scipy CSR float32 (x row-normalized, a the raw symmetric
    0/1 adjacency) from spektral_tv.datasets.Citation; with smoke the subgraph
    of the first 400 nodes."""
    import scipy.sparse as sp

    from spektral_tv.datasets import Citation

    graph = Citation("cora", sparse_features=True, normalize_x=True)[0]
    x, a = sp.csr_matrix(graph.x), sp.csr_matrix(graph.a)
    return (x[:400], a[:400, :400]) if smoke else (x, a)


# ----------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------
def get_layers(impl):
    """Return (GTVConv, MinCutPool, AsymCheegerCutPool, feed_mask) for an implementation."""
    if impl == "spektral_tv":
        import spektral_tv  # noqa: F401  (sets TF_USE_LEGACY_KERAS / checks Keras)
        from spektral_tv.layers import AsymCheegerCutPool, GTVConv, MinCutPool

        return GTVConv, MinCutPool, AsymCheegerCutPool, True
    if impl == "spektral":
        from spektral.layers import AsymCheegerCutPool, GTVConv, MinCutPool

        return GTVConv, MinCutPool, AsymCheegerCutPool, False
    raise ValueError(f"unknown implementation {impl!r}")


def build_batch_inputs(feed_mask, smoke):
    """[x, a] of the batch workloads as tf constants.

    With feed_mask, x gets an extra last column of ones (every node valid) for
    spektral.layers.GraphMasking to strip.
    """
    import numpy as np
    import tensorflow as tf

    if smoke:
        x, a = random_batch_graphs(n_graphs=2, n_nodes=200, avg_degree=10)
    else:
        x, a = random_batch_graphs()
    if feed_mask:
        x = np.concatenate([x, np.ones(x.shape[:-1] + (1,), dtype=x.dtype)], axis=-1)
    return [tf.constant(x), tf.constant(a)]


def build_batch_model(spec, impl, inputs):
    """The batch-mode model of spec["kind"] ("batch-acc" or "batch-mincut")."""
    import tensorflow as tf
    from spektral.layers import GraphMasking

    GTVConv, MinCutPool, AsymCheegerCutPool, feed_mask = get_layers(impl)
    x_np = inputs[0]
    n_nodes, n_feat = x_np.shape[1], x_np.shape[2]
    x_in = tf.keras.Input(shape=(n_nodes, n_feat), name="x")
    a_in = tf.keras.Input(shape=(n_nodes, n_nodes), name="a")
    x = GraphMasking()(x_in) if feed_mask else x_in
    if spec["kind"] == "batch-acc":
        x = GTVConv(32, activation="elu")([x, a_in])
        out = AsymCheegerCutPool(16)([x, a_in])
    elif spec["kind"] == "batch-mincut":
        out = MinCutPool(16)([x, a_in])
    else:
        raise ValueError(spec["kind"])
    return tf.keras.Model([x_in, a_in], out)


def x_tensor(x, sparse_x):
    """Features as a tf.SparseTensor (sparse_x) or a dense tf constant."""

    from spektral_tv.training import to_tensor

    return to_tensor(x, sparse_x)


def build_cora_model(impl, inputs):
    """The TVGNN clustering model of Cora: the package's own builder for
    spektral_tv, the same network (GTVConv x2 -> AsymCheegerCutPool(7), no
    hidden MLP layer, the TVGNN paper's hyper-parameters) of Spektral's layers
    for Spektral. x is sparse iff inputs[0] is a tf.SparseTensor."""
    import tensorflow as tf

    from spektral_tv.models import TVGNN_CLUSTERING, tvgnn_clustering_model

    x_t, _ = inputs
    n_feat, sparse_x = int(x_t.shape[1]), isinstance(x_t, tf.SparseTensor)
    if impl == "spektral_tv":
        return tvgnn_clustering_model(n_feat, 7, sparse_features=sparse_x)
    GTVConv, _, AsymCheegerCutPool, _ = get_layers(impl)
    c = TVGNN_CLUSTERING
    x_in = tf.keras.Input(shape=(n_feat,), sparse=sparse_x, name="x")
    a_in = tf.keras.Input(shape=(None,), sparse=True, name="a")
    h = x_in
    for _ in range(c["mp_layers"]):
        h = GTVConv(
            c["mp_channels"],
            delta_coeff=c["delta_coeff"],
            epsilon=c["epsilon"],
            activation=c["mp_activation"],
            kernel_initializer="he_normal",
        )([h, a_in])
    out = AsymCheegerCutPool(
        7,
        mlp_hidden=list(c["mlp_hidden"]),
        mlp_activation=c["mlp_activation"],
        totvar_coeff=c["totvar_coeff"],
        balance_coeff=c["balance_coeff"],
    )([h, a_in])
    return tf.keras.Model([x_in, a_in], out)


def make_train_step(model, optimizer, jit):
    """One training step (forward, auxiliary losses, backward, update) as a tf.function."""
    import tensorflow as tf

    def train_step(x, a):
        with tf.GradientTape() as tape:
            model([x, a], training=True)
            loss = tf.add_n(model.losses)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return tf.function(train_step, jit_compile=True if jit else None)


def warm_up(step, inputs, warmup):
    """Run `warmup` untimed steps (at least the tracing one); return the first one's ms."""
    t0 = time.perf_counter()
    float(step(*inputs))
    first_ms = (time.perf_counter() - t0) * 1e3
    for _ in range(max(warmup - 1, 0)):
        float(step(*inputs))
    return first_ms


def timed_steps(step, inputs, n):
    """Run n steps one by one; return (per-step milliseconds, last loss).

    The loss is fetched to the host after each step, so each step is complete.
    """
    times, loss = [], None
    for _ in range(n):
        t0 = time.perf_counter()
        loss = float(step(*inputs))
        times.append((time.perf_counter() - t0) * 1e3)
    return times, loss


# ----------------------------------------------------------------------------
# Child process: one (implementation, workload) measurement
# ----------------------------------------------------------------------------
def _maxrss_mb():
    """Peak resident memory of this process in MB (ru_maxrss)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KB on Linux


def _proc_status_mb(field):
    """VmRSS / VmHWM of this process in MB from /proc/self/status (None if unavailable)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def _reset_peak_rss():
    """Reset the kernel's RSS high-water mark (Linux >= 4.0); True if it worked.

    This also resets ru_maxrss, so the caller must keep the earlier maximum.
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _first_line(exc):
    """'ErrorType: message' of an exception, on one line, cut to 300 characters
    (Keras wraps layer errors: the innermost 'XxxError: ...' line is kept)."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    inner = [ln for ln in lines if ln.split(":")[0].endswith(("Error", "Exception"))]
    line = (inner or lines or [""])[-1 if inner else 0]
    return f"{type(exc).__name__}: {line[:300]}"


def _record_failure(entry, exc, stage):
    """Print exc's traceback to stderr; mark entry failed with the stage and first line."""
    import traceback

    traceback.print_exc(file=sys.stderr)
    entry.update(ok=False, error=_first_line(exc), stage=stage)


def run_child(impl, workload, steps, warmup, smoke):
    """Measure one (implementation, workload) pair; print the result as a marker line."""
    spec = workload_spec(workload)
    steps = steps or (3 if smoke else spec["steps"])
    result = dict(impl=impl, workload=workload, steps=steps, warmup=warmup, smoke=smoke)
    stage = "import"
    try:
        import tensorflow as tf

        import spektral

        result["versions"] = dict(tensorflow=tf.__version__, spektral=spektral.__version__)
        tf.keras.utils.set_random_seed(0)
        stage = "import layers"
        _, _, _, feed_mask = get_layers(impl)
        from spektral_tv.training import to_tensor

        stage = "data"
        if spec["kind"].startswith("batch"):
            inputs = build_batch_inputs(feed_mask, smoke)
            stage = "model"
            model = build_batch_model(spec, impl, inputs)
        else:
            x, a = load_cora_workload(smoke)
            inputs = [x_tensor(x, spec["sparse_x"]), to_tensor(a, True)]
            stage = "model"
            model = build_cora_model(impl, inputs)
        result["n_params"] = int(model.count_params())
        optimizer = tf.keras.optimizers.Adam(1e-3)
        step = make_train_step(model, optimizer, spec["jit"])
        result["setup_mb"] = _maxrss_mb()
        # Memory of training alone: reset the kernel's RSS high-water mark now, so
        # "train MB" = peak RSS during warm-up + timed steps - RSS before them.
        rss_before_train = _proc_status_mb("VmRSS")
        hwm_reset = rss_before_train is not None and _reset_peak_rss()

        stage = "warm-up (first step traces/compiles)"
        result["first_step_ms"] = warm_up(step, inputs, warmup)
        stage = "timed steps"
        times, loss = timed_steps(step, inputs, steps)
        if hwm_reset:
            hwm = _proc_status_mb("VmHWM")
            if hwm is not None:
                result["train_mb"] = hwm - rss_before_train
        result.update(ok=True, final_loss=loss, **step_stats(times))
    except Exception as exc:  # report, don't crash: the parent prints it in the table
        _record_failure(result, exc, stage)
    # ru_maxrss was reset with the high-water mark: keep the setup-time maximum too.
    result["peak_mb"] = max(_maxrss_mb(), result.get("setup_mb", 0.0))
    print(RESULT_MARKER + json.dumps(result), flush=True)
    return 0


def step_stats(times):
    """Median / mean / min / std of per-step milliseconds."""
    return dict(
        ms_median=statistics.median(times),
        ms_mean=statistics.fmean(times),
        ms_min=min(times),
        ms_std=statistics.pstdev(times),
    )


def run_same_process_child(blocks, block_steps, warmup, smoke):
    """Time the SAME_PROCESS_VARIANTS of cora-tvgnn in this one process, interleaved.

    Every variant is built on the same Cora tensors, then all are warmed up
    in max(warmup, 2) interleaved untimed rounds of one step each; then in
    each of `blocks` rounds every variant runs `block_steps` timed steps, in
    SAME_PROCESS_VARIANTS order in even rounds and in reverse order in odd
    ones. Prints the result (one entry per variant) as a marker line.
    """
    warmup = max(warmup, 2)
    result = dict(
        workload="cora-tvgnn",
        blocks=blocks,
        block_steps=block_steps,
        warmup=warmup,
        smoke=smoke,
        variants=[],
    )
    stage = "import"
    try:
        import tensorflow as tf

        import spektral

        result["versions"] = dict(tensorflow=tf.__version__, spektral=spektral.__version__)
        from spektral_tv.training import to_tensor

        stage = "data"
        x, a = load_cora_workload(smoke)
        a_t = to_tensor(a, True)
        x_by_format = {"sparse": x_tensor(x, True), "dense": x_tensor(x, False)}
    except Exception as exc:
        _record_failure(result, exc, stage)
        print(RESULT_MARKER + json.dumps(result), flush=True)
        return 0

    running = []  # (variant entry, train step, inputs) of the variants built
    for impl, x_format in SAME_PROCESS_VARIANTS:
        entry = dict(impl=impl, x_format=x_format, block_ms_median=[], ms_steps=[])
        result["variants"].append(entry)
        try:
            tf.keras.utils.set_random_seed(0)
            inputs = [x_by_format[x_format], a_t]
            model = build_cora_model(impl, inputs)
            step = make_train_step(model, tf.keras.optimizers.Adam(1e-3), jit=False)
            running.append((entry, step, inputs))
        except Exception as exc:
            _record_failure(entry, exc, "model")

    # Warm-up rounds, interleaved too: the first step of a model run after the
    # others have been traced is slow once (~170 ms), and must not be timed.
    for rnd in range(warmup):
        for entry, step, inputs in running:
            if entry.get("ok") is False:
                continue
            try:
                t0 = time.perf_counter()
                float(step(*inputs))
                if rnd == 0:
                    entry["first_step_ms"] = (time.perf_counter() - t0) * 1e3
            except Exception as exc:
                _record_failure(entry, exc, "warm-up")

    for block in range(blocks):
        for entry, step, inputs in running if block % 2 == 0 else running[::-1]:
            if entry.get("ok") is False:
                continue
            try:
                times, loss = timed_steps(step, inputs, block_steps)
            except Exception as exc:
                _record_failure(entry, exc, f"timed block {block + 1}")
                continue
            entry["ms_steps"] += times
            entry["block_ms_median"].append(statistics.median(times))
            entry["final_loss"] = loss
    for entry, _, _ in running:
        if entry.get("ok") is not False:
            entry.update(ok=True, **step_stats(entry["ms_steps"]))
    result["ok"] = any(v.get("ok") for v in result["variants"])
    if not result["ok"]:
        result["error"] = "no variant ran"
    print(RESULT_MARKER + json.dumps(result), flush=True)
    return 0


# ----------------------------------------------------------------------------
# Parent: run the children, print the table
# ----------------------------------------------------------------------------
def run_child_process(child_args, label, base, args):
    """Run this script with child_args in a fresh process; return its result dict.

    label names the child in progress messages; base holds the fields
    identifying the child (kept in the error result if it printed none). Adds
    the child's wall time and the 1-minute load average before/after it.
    """
    cmd = [
        sys.executable,
        "-m",
        "spektral_tv.experiments.benchmark",
        *child_args,
        "--warmup",
        str(args.warmup),
    ]
    if args.smoke:
        cmd.append("--smoke")
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1")
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return dict(
            base, ok=False, error=f"timed out after {args.timeout} s", child_wall_s=args.timeout
        )
    wall = time.perf_counter() - t0
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            result = json.loads(line[len(RESULT_MARKER) :])
    if args.verbose or result is None or not result.get("ok"):
        tail = "\n".join(proc.stderr.splitlines()[-40:])
        if tail:
            print(f"--- stderr of {label} (last 40 lines) ---\n{tail}\n---", file=sys.stderr)
    if result is None:
        last = next((ln for ln in reversed(proc.stderr.splitlines()) if ln.strip()), "")
        why = (
            f"killed by signal {-proc.returncode}"
            if proc.returncode < 0
            else f"exit code {proc.returncode}"
        )
        if proc.returncode == -9:
            why += " (out of memory?)"
        result = dict(base, ok=False, error=f"child {why}: {last.strip()[:200]}")
    result["child_wall_s"] = wall
    # 1-minute load average before/after: other busy processes skew the timings.
    result["loadavg_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return result


def _report_child(result, done="done"):
    """One progress line on stderr for a finished child: `done` or its error, and its wall time."""
    status = done if result.get("ok") else result.get("error", "failed")
    print(
        f"[benchmark]   -> {status} ({result.get('child_wall_s', 0):.0f} s)",
        file=sys.stderr,
        flush=True,
    )


def spawn_child(impl, workload, args):
    """Measure one (implementation, workload) pair in a fresh child process."""
    child_args = ["--child", impl, workload]
    if args.steps:
        child_args += ["--steps", str(args.steps)]
    return run_child_process(
        child_args, f"{impl} / {workload}", dict(impl=impl, workload=workload), args
    )


def spawn_same_process(args):
    """Run the same-process comparison in one fresh child process; ratios added."""
    child_args = [
        "--child-same-process",
        "--blocks",
        str(args.blocks),
        "--block-steps",
        str(args.block_steps),
    ]
    result = run_child_process(
        child_args, "the same-process comparison", dict(workload="cora-tvgnn", variants=[]), args
    )
    add_same_process_ratios(result)
    return result


def run_table(workloads, impls, args):
    """Run every (workload, implementation) pair args.repeats times; return the table rows.

    Each row is the run with the lowest median, as timeit does: noise only adds time.
    """
    rows = []
    for w in workloads:
        spec = workload_spec(w)
        for impl in impls:
            if impl == "spektral" and spec["heavy_spektral"] and args.skip_spektral_batch:
                rows.append(
                    dict(impl=impl, workload=w, ok=False, error="skipped (--skip-spektral-batch)")
                )
                continue
            runs = []
            for rep in range(args.repeats):
                tag = f" (run {rep + 1}/{args.repeats})" if args.repeats > 1 else ""
                print(f"[benchmark] {impl:12s} {w}{tag} ...", file=sys.stderr, flush=True)
                r = spawn_child(impl, w, args)
                if r.get("ok"):
                    _report_child(r, f"{r['ms_median']:.1f} ms/step, peak {r['peak_mb']:.0f} MB")
                else:
                    _report_child(r)
                runs.append(r)
                if not r.get("ok"):
                    break  # a failure will not go away by repeating it
            ok_runs = [r for r in runs if r.get("ok")]
            best = dict(min(ok_runs, key=lambda r: r["ms_median"]) if ok_runs else runs[-1])
            if len(runs) > 1:
                best["repeats"] = len(runs)
                best["ms_median_all_runs"] = [r.get("ms_median") for r in runs]
            rows.append(best)
    add_ratios(rows)
    return rows


def _fmt(v, spec):
    """format(v, spec) for numbers, "n/a" otherwise."""
    return format(v, spec) if isinstance(v, (int, float)) else "n/a"


def _error_note(r):
    """'[stage] error' of a failed row, cut to 220 characters."""
    note = r.get("error", "")
    if r.get("stage"):
        note = f"[{r['stage']}] {note}"
    return note if len(note) <= 220 else note[:217] + "..."


def add_ratios(rows):
    """Add ratio / mem_ratio / train_mem_ratio against spektral_tv's row of each workload."""
    ref = {r["workload"]: r for r in rows if r["impl"] == REFERENCE_IMPL and r.get("ok")}
    for r in rows:
        base = ref.get(r["workload"])
        r["ratio"] = r["ms_median"] / base["ms_median"] if r.get("ok") and base else None
        r["mem_ratio"] = r["peak_mb"] / base["peak_mb"] if r.get("ok") and base else None
        r["train_mem_ratio"] = (
            r["train_mb"] / base["train_mb"]
            if r.get("ok") and base and r.get("train_mb") and base.get("train_mb", 0) > 0
            else None
        )


def add_same_process_ratios(result):
    """Add the ratios of the same-process section to its variants, and best vs best.

    ratio_vs_reference: ms/step over spektral_tv-with-sparse-x's;
    ratio_same_x: ms/step over spektral_tv's with the same x format;
    result["best_vs_best"]: each implementation's fastest x format compared.
    """
    ok = {(v["impl"], v["x_format"]): v for v in result["variants"] if v.get("ok")}
    ref = ok.get(SAME_PROCESS_VARIANTS[0])
    for v in result["variants"]:
        same_x = ok.get((REFERENCE_IMPL, v["x_format"]))
        v["ratio_vs_reference"] = (
            v["ms_median"] / ref["ms_median"] if v.get("ok") and ref else None
        )
        v["ratio_same_x"] = (
            v["ms_median"] / same_x["ms_median"] if v.get("ok") and same_x else None
        )
    best = {}
    for v in ok.values():
        if v["impl"] not in best or v["ms_median"] < best[v["impl"]]["ms_median"]:
            best[v["impl"]] = v
    if len(best) == len(IMPLS):
        tv, sp = best[REFERENCE_IMPL], best["spektral"]
        result["best_vs_best"] = dict(
            spektral_tv_x_format=tv["x_format"],
            spektral_tv_ms=tv["ms_median"],
            spektral_x_format=sp["x_format"],
            spektral_ms=sp["ms_median"],
            ratio=sp["ms_median"] / tv["ms_median"],
        )


def render_table(headers, body, right):
    """Plain-text table: columns separated by ' | ', the columns in `right` right-aligned."""
    widths = [
        max(len(h), *(len(row[i]) for row in body)) if body else len(h)
        for i, h in enumerate(headers)
    ]

    def line(cells):
        out = [
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ]
        return " | ".join(out).rstrip()

    sep = "-+-".join("-" * w for w in widths)
    return "\n".join([line(headers), sep] + [line(row) for row in body])


def format_table(rows):
    """The main table (one row per implementation and workload) as text."""
    headers = [
        "implementation",
        "workload",
        "ms/step",
        "peak MB",
        "setup MB",
        "train MB",
        "ratio",
        "mem ratio",
        "train ratio",
        "note",
    ]
    body = []
    for r in rows:
        if r.get("ok"):
            note = (
                f"{r['steps']} steps, mean {r['ms_mean']:.1f} ms, "
                f"first {r['first_step_ms']:.0f} ms"
            )
            if r.get("repeats"):
                meds = "/".join(format(m, ".0f") for m in r["ms_median_all_runs"])
                note = f"best of {r['repeats']} runs ({meds} ms); " + note
        else:
            note = _error_note(r)
        body.append(
            [
                r["impl"],
                r["workload"],
                _fmt(r.get("ms_median") if r.get("ok") else None, ".1f"),
                _fmt(r.get("peak_mb") if r.get("ok") else None, ".0f"),
                _fmt(r.get("setup_mb") if r.get("ok") else None, ".0f"),
                _fmt(r.get("train_mb") if r.get("ok") else None, ".0f"),
                _fmt(r.get("ratio"), ".2f"),
                _fmt(r.get("mem_ratio"), ".2f"),
                _fmt(r.get("train_mem_ratio"), ".2f"),
                note,
            ]
        )
    return render_table(headers, body, right={2, 3, 4, 5, 6, 7, 8})


def format_same_process(result):
    """The same-process section (title, table, best-vs-best line) as text."""
    blocks, block_steps = result.get("blocks"), result.get("block_steps")
    title = "same-process Cora TVGNN"
    if result.get("smoke"):
        title += " (SMOKE: 400-node subgraph)"
    if blocks:
        title += (
            f" - one child process, {len(SAME_PROCESS_VARIANTS)} models on the same "
            f"inputs, {blocks} interleaved blocks x {block_steps} timed steps each "
            f"(order ABCD DCBA ...) after {result.get('warmup')} interleaved warm-up rounds"
        )
    load = result.get("loadavg_1m")
    if load:
        title += (
            f"; 1-min load average {min(load):.2f}-{max(load):.2f}, "
            f"child {result.get('child_wall_s', 0):.0f} s"
        )
    if not result["variants"]:
        return f"{title}\nn/a: {_error_note(result)}"
    headers = [
        "implementation",
        "x format",
        "ms/step",
        "ratio vs spektral_tv (sparse x)",
        "ratio vs spektral_tv (same x format)",
        "note",
    ]
    body = []
    for v in result["variants"]:
        if v.get("ok"):
            blocks_ms = "/".join(format(m, ".0f") for m in v["block_ms_median"])
            note = (
                f"{len(v['ms_steps'])} steps, mean {v['ms_mean']:.1f} ms, "
                f"min {v['ms_min']:.1f} ms; block medians {blocks_ms} ms"
            )
        else:
            note = _error_note(v)
        body.append(
            [
                v["impl"],
                v["x_format"],
                _fmt(v.get("ms_median") if v.get("ok") else None, ".1f"),
                _fmt(v.get("ratio_vs_reference"), ".2f"),
                _fmt(v.get("ratio_same_x"), ".2f"),
                note,
            ]
        )
    text = f"{title}\n{render_table(headers, body, right={2, 3, 4})}"
    best = result.get("best_vs_best")
    if best:
        text += (
            f"\nbest x format vs best x format: spektral ({best['spektral_x_format']} x) "
            f"{best['spektral_ms']:.1f} ms / spektral_tv ({best['spektral_tv_x_format']} x) "
            f"{best['spektral_tv_ms']:.1f} ms = {best['ratio']:.2f}x"
        )
    return text


# ----------------------------------------------------------------------------
# Scaling: one child per (model, size), both implementations in it
# ----------------------------------------------------------------------------
SCALING_SIZES = (10_000, 100_000, 1_000_000)
SCALING_MODELS = ("tvgnn", "mincut")


def random_graph(n_nodes, avg_degree=10, n_features=32, seed=0):
    """x (N, F) float32 and a symmetric 0/1 scipy CSR adjacency without
    self-loops of about avg_degree·N nonzeros (uniform random pairs)."""
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    pairs = n_nodes * avg_degree // 2
    rows, cols = rng.integers(0, n_nodes, pairs), rng.integers(0, n_nodes, pairs)
    keep = rows != cols
    a = sp.coo_matrix(
        (np.ones(keep.sum(), "float32"), (rows[keep], cols[keep])), shape=(n_nodes, n_nodes)
    ).tocsr()
    a = ((a + a.T) > 0).astype("float32")
    return rng.standard_normal((n_nodes, n_features)).astype("float32"), a


def normalized_adjacency(a):
    """D^-1/2 A D^-1/2 (the adjacency the MinCutPool paper's MP layer uses)."""
    import numpy as np
    import scipy.sparse as sp

    degree = np.asarray(a.sum(axis=1)).ravel()
    inv_sqrt = np.where(degree > 0, 1.0 / np.sqrt(np.maximum(degree, 1e-12)), 0.0)
    d = sp.diags(inv_sqrt.astype("float32"))
    return (d @ a @ d).tocsr()


def build_scaling_model(model, impl, n_features):
    """TVGNN (GTVConv(32) x2 -> AsymCheegerCutPool(16)) or MinCutPool after
    Spektral's GCSConv(32), single mode with a sparse adjacency."""
    import tensorflow as tf
    from spektral.layers import GCSConv

    GTVConv, MinCutPool, AsymCheegerCutPool, _ = get_layers(impl)
    x_in = tf.keras.Input(shape=(n_features,), name="x")
    a_in = tf.keras.Input(shape=(None,), sparse=True, name="a")
    if model == "tvgnn":
        h = GTVConv(32, activation="elu")([x_in, a_in])
        h = GTVConv(32, activation="elu")([h, a_in])
        out = AsymCheegerCutPool(16)([h, a_in])
    else:
        h = GCSConv(32, activation="elu")([x_in, a_in])
        out = MinCutPool(16)([h, a_in])
    return tf.keras.Model([x_in, a_in], out)


def _release_freed_memory():
    """Give freed heap pages back to the OS, so that the next implementation's
    peak is not hidden in pages the previous one left resident."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:  # not glibc
        pass


def _prime_runtime(model):
    """One step of both implementations on a 200-node graph: TensorFlow's
    one-time start-up (thread pools, kernels, allocator) is then not counted
    in the memory of whichever implementation is measured first."""
    import tensorflow as tf

    from spektral_tv.training import to_tensor

    x, a = random_graph(200)
    inputs = [tf.constant(x), to_tensor(a, True)]
    for impl in IMPLS:
        step = make_train_step(
            build_scaling_model(model, impl, 32), tf.keras.optimizers.Adam(1e-3), jit=False
        )
        float(step(*inputs))


def run_scaling_child(model, n_nodes, steps, warmup, rounds, impls=IMPLS):
    """Measure `impls` on one random graph in this process: the training
    memory of each (meaningful when there is one: memory that an
    implementation freed stays resident and hides the next one's peak) and,
    with steps > 0, interleaved ms/step."""
    result = dict(model=model, n_nodes=n_nodes, impls={})
    stage = "data"
    try:
        import tensorflow as tf

        import spektral
        from spektral_tv.training import to_tensor

        result["versions"] = dict(tensorflow=tf.__version__, spektral=spektral.__version__)
        x, a = random_graph(n_nodes)
        if model == "mincut":
            a = normalized_adjacency(a)
        inputs = [tf.constant(x), to_tensor(a, True)]
        result["n_edges"] = int(a.nnz)
        del x, a
        stage = "priming"
        _prime_runtime(model)
        running = []
        for impl in impls:
            stage = f"{impl}: model"
            tf.keras.utils.set_random_seed(0)
            step = make_train_step(
                build_scaling_model(model, impl, 32), tf.keras.optimizers.Adam(1e-3), jit=False
            )
            stage = f"{impl}: warm-up"
            _release_freed_memory()
            before = _proc_status_mb("VmRSS")
            reset = _reset_peak_rss()
            first_ms = warm_up(step, inputs, warmup)
            entry = dict(first_step_ms=first_ms, ms_steps=[])
            if reset:
                entry["train_mb"] = _proc_status_mb("VmHWM") - before
                entry["process_peak_mb"] = _proc_status_mb("VmHWM")
            result["impls"][impl] = entry
            running.append((entry, step))
        stage = "interleaved warm-up"
        for _, step in running if steps > 0 else []:  # a step after another model's is slow once
            float(step(*inputs))
        for rnd in range(rounds if steps > 0 else 0):  # interleaved: A B, B A, ...
            for entry, step in running if rnd % 2 == 0 else running[::-1]:
                stage = f"timed round {rnd + 1}"
                entry["ms_steps"] += timed_steps(step, inputs, steps)[0]
        for entry, _ in running:
            if entry["ms_steps"]:
                entry.update(step_stats(entry["ms_steps"]))
        result["ok"] = True
    except Exception as exc:
        _record_failure(result, exc, stage)
    print(RESULT_MARKER + json.dumps(result), flush=True)
    return 0


def growth_exponent(sizes, values):
    """b of values ~ sizes^b, least squares in log-log; None under two points."""
    points = [(math.log(n), math.log(v)) for n, v in zip(sizes, values) if v]
    if len(points) < 2:
        return None
    mean_x = statistics.fmean(p[0] for p in points)
    mean_y = statistics.fmean(p[1] for p in points)
    sxx = sum((px - mean_x) ** 2 for px, _ in points)
    return sum((px - mean_x) * (py - mean_y) for px, py in points) / sxx


def run_scaling(args):
    """Per (model, size): one child per implementation for its memory, one
    child with both for interleaved timing; rows with ratios, and growth
    exponents."""
    rows = []
    for model in SCALING_MODELS:
        for n in args.scaling_sizes:
            label = f"scaling {model} N={n}"
            print(f"[benchmark] {label} ...", file=sys.stderr, flush=True)
            child_args = [
                "--child-scaling",
                model,
                str(n),
                "--scaling-steps",
                str(args.scaling_steps),
            ]
            r = run_child_process(child_args, label, dict(model=model, n_nodes=n, impls={}), args)
            for impl in IMPLS:  # memory, each in a fresh process
                memory = run_child_process(
                    [
                        "--child-scaling",
                        model,
                        str(n),
                        "--scaling-steps",
                        "0",
                        "--scaling-impl",
                        impl,
                    ],
                    f"{label} memory of {impl}",
                    {},
                    args,
                )
                entry = memory.get("impls", {}).get(impl, {})
                r.setdefault("impls", {}).setdefault(impl, {})["train_mb"] = entry.get("train_mb")
            tv, sp = (r.get("impls", {}).get(i, {}) for i in IMPLS)
            if tv.get("ms_median") and sp.get("ms_median"):
                r["ratio"] = sp["ms_median"] / tv["ms_median"]
            if tv.get("train_mb") and sp.get("train_mb"):
                r["mem_ratio"] = sp["train_mb"] / tv["train_mb"]
            _report_child(r)
            rows.append(r)
    exponents = {}
    for model in SCALING_MODELS:
        for impl in IMPLS:
            got = [
                (r["n_nodes"], r["impls"].get(impl, {}).get("ms_median"))
                for r in rows
                if r["model"] == model and r.get("ok")
            ]
            exponents[f"{model}/{impl}"] = growth_exponent(*zip(*got)) if got else None
    return dict(rows=rows, exponents=exponents)


def run_largest(args):
    """TVGNN of spektral_tv alone on ever larger random graphs (--largest):
    one fresh child per size, one untimed and two timed steps; stops at the
    first size that fails (out of memory, timeout)."""
    rows = []
    for n in args.largest:
        label = f"largest TVGNN N={n}"
        print(f"[benchmark] {label} ...", file=sys.stderr, flush=True)
        r = run_child_process(
            [
                "--child-scaling",
                "tvgnn",
                str(n),
                "--scaling-steps",
                "1",
                "--scaling-impl",
                REFERENCE_IMPL,
            ],
            label,
            dict(model="tvgnn", n_nodes=n, impls={}),
            args,
        )
        _report_child(r)
        rows.append(r)
        if not r.get("ok"):
            break
    return rows


def format_largest(rows):
    """The --largest table as text."""
    body = []
    for r in rows:
        e = r.get("impls", {}).get(REFERENCE_IMPL, {})
        body.append(
            [
                f"{r['n_nodes']:,}",
                f"{r['n_edges']:,}" if r.get("n_edges") else "-",
                _fmt(e.get("ms_median"), ".0f") if r.get("ok") else r.get("error", "failed"),
                _fmt(e.get("train_mb"), ".0f"),
                _fmt(e.get("process_peak_mb"), ".0f"),
            ]
        )
    headers = ["nodes", "edges (nnz)", "ms/step", "train MB", "process peak MB"]
    return (
        "largest graph - spektral_tv TVGNN (GTVConv(32) x2 -> AsymCheegerCutPool(16)), "
        "single mode, random graphs of average degree 10, F = 32\n"
        + render_table(headers, body, right={1, 2, 3, 4})
    )


def format_scaling(scaling):
    """The scaling table and the growth exponents as text."""
    headers = [
        "model",
        "nodes",
        "edges",
        "spektral_tv ms/step",
        "spektral ms/step",
        "ratio",
        "spektral_tv train MB",
        "spektral train MB",
        "mem ratio",
        "note",
    ]
    body = []
    for r in scaling["rows"]:
        tv, sp = (r.get("impls", {}).get(i, {}) for i in IMPLS)
        body.append(
            [
                r["model"],
                str(r["n_nodes"]),
                _fmt(r.get("n_edges"), "d"),
                _fmt(tv.get("ms_median"), ".1f"),
                _fmt(sp.get("ms_median"), ".1f"),
                _fmt(r.get("ratio"), ".2f"),
                _fmt(tv.get("train_mb"), ".0f"),
                _fmt(sp.get("train_mb"), ".0f"),
                _fmt(r.get("mem_ratio"), ".2f"),
                "" if r.get("ok") else _error_note(r),
            ]
        )
    lines = [
        "scaling - random graphs of average degree 10, F = 32, single mode; both "
        "implementations in one process, interleaved; ratio = spektral / spektral_tv "
        "(> 1: spektral_tv faster or smaller); train MB = peak during the warm-up "
        "steps minus the memory before them, each implementation in a fresh process",
        render_table(headers, body, right={1, 2, 3, 4, 5, 6, 7, 8}),
    ]
    growth = ", ".join(f"{key} {_fmt(b, '.2f')}" for key, b in scaling["exponents"].items())
    lines.append(f"growth exponent b of ms/step ~ N^b (edges ~ 10 N): {growth}")
    return "\n".join(lines)


def _split_list(values):
    """Flatten argparse values that may each be comma-separated."""
    out = []
    for v in values or []:
        out += [s for s in v.split(",") if s]
    return out


def main(argv=None):
    """Parse the arguments; run as a child, or run the children and print the tables."""
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="See the module docstring (top of this file) for how to read the tables.",
    )
    p.add_argument(
        "--workloads",
        nargs="+",
        metavar="NAME",
        help=f"subset of workloads (default: {' '.join(DEFAULT_WORKLOADS)}); "
        "comma- or space-separated; append -jit for a jit_compile'd step; "
        "'none' for no workload table",
    )
    p.add_argument(
        "--impl", nargs="+", metavar="IMPL", help=f"implementations (default: {' '.join(IMPLS)})"
    )
    p.add_argument(
        "--steps",
        type=int,
        default=None,
        help="timed steps per workload (default: 10 for batch, 50 for Cora)",
    )
    p.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="fresh child processes per (impl, workload); the table shows the "
        "run with the lowest median (default 1; use 3+ on a busy machine)",
    )
    p.add_argument(
        "--warmup",
        type=int,
        default=3,
        help="untimed warm-up steps, including the tracing one (default 3)",
    )
    p.add_argument(
        "--jit",
        action="store_true",
        help="also run the '-jit' variant (tf.function(jit_compile=True)) "
        "of every selected workload",
    )
    p.add_argument(
        "--skip-spektral-batch",
        action="store_true",
        help="do not run Spektral's GTVConv on batch-8x1500 (it peaks ~11-13 GB)",
    )
    p.add_argument(
        "--same-process",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also run the same-process Cora TVGNN comparison (second table); "
        "default: on when neither --workloads nor --impl is given",
    )
    p.add_argument(
        "--blocks",
        type=int,
        default=None,
        help="same-process comparison: interleaved timing blocks (default 5; 2 with --smoke)",
    )
    p.add_argument(
        "--block-steps",
        type=int,
        default=None,
        help="same-process comparison: timed steps per block and implementation "
        "(default 10; 3 with --smoke)",
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help="tiny inputs (2x200-node batch, 400-node Cora subgraph), 3 steps",
    )
    p.add_argument("--json", metavar="PATH", help="also write the results to this JSON file")
    p.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        help="seconds allowed per child process (default 1800)",
    )
    p.add_argument("--verbose", action="store_true", help="show every child's stderr tail")
    p.add_argument(
        "--scaling",
        action="store_true",
        help="also run the scaling table (TVGNN and MinCutPool, spektral_tv and "
        "Spektral in one process per size)",
    )
    p.add_argument(
        "--scaling-sizes",
        type=lambda v: [int(float(n)) for n in v.split(",")],
        default=list(SCALING_SIZES),
        metavar="N,N,...",
        help="node counts of the scaling table (default 1e4,1e5,1e6)",
    )
    p.add_argument(
        "--scaling-steps",
        type=int,
        default=None,
        help="scaling: timed steps per implementation and round, 2 rounds "
        "(default 3; 2 with --smoke)",
    )
    p.add_argument(
        "--largest",
        type=lambda v: [int(float(n)) for n in v.split(",")],
        default=None,
        metavar="N,N,...",
        help="also train spektral_tv's TVGNN alone on random graphs of these sizes "
        "(e.g. 1e6,2e6,4e6), one fresh process each, and stop at the first that fails: "
        "the largest graph that trains on this machine",
    )
    p.add_argument("--child", nargs=2, metavar=("IMPL", "WORKLOAD"), help=argparse.SUPPRESS)
    p.add_argument("--child-scaling", nargs=2, metavar=("MODEL", "N"), help=argparse.SUPPRESS)
    p.add_argument("--scaling-impl", choices=IMPLS, help=argparse.SUPPRESS)
    p.add_argument("--child-same-process", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.blocks = args.blocks or (2 if args.smoke else 5)
    args.block_steps = args.block_steps or (3 if args.smoke else 10)

    if args.scaling_steps is None:
        args.scaling_steps = 2 if args.smoke else 3
    if args.child_scaling:
        impls = [args.scaling_impl] if args.scaling_impl else IMPLS
        return run_scaling_child(
            args.child_scaling[0],
            int(args.child_scaling[1]),
            args.scaling_steps,
            max(args.warmup, 1),
            2,
            impls,
        )
    if args.child:
        return run_child(args.child[0], args.child[1], args.steps, args.warmup, args.smoke)
    if args.child_same_process:
        return run_same_process_child(args.blocks, args.block_steps, args.warmup, args.smoke)

    impls = _split_list(args.impl) or list(IMPLS)
    for impl in impls:
        if impl not in IMPLS:
            p.error(f"unknown implementation {impl!r}; choose from {', '.join(IMPLS)}")
    workloads = _split_list(args.workloads) or list(DEFAULT_WORKLOADS)
    if workloads == ["none"]:  # e.g. only the scaling table
        workloads = []
    if args.jit:
        workloads += [w + "-jit" for w in workloads if not w.endswith("-jit")]
    workloads = list(dict.fromkeys(workloads))
    for w in workloads:
        try:
            workload_spec(w)
        except ValueError as e:
            p.error(str(e))
    same_process = args.same_process
    if same_process is None:
        same_process = args.workloads is None and args.impl is None

    rows = run_table(workloads, impls, args)
    same = None
    if same_process:
        print("[benchmark] same-process Cora TVGNN comparison ...", file=sys.stderr, flush=True)
        same = spawn_same_process(args)
        _report_child(same)

    scaling = run_scaling(args) if args.scaling else None

    largest = run_largest(args) if args.largest else None

    sources = rows + [same or {}] + (scaling["rows"] if scaling else []) + (largest or [])
    versions = next((r["versions"] for r in sources if r.get("versions")), {})
    header = (
        f"spektral_tv benchmark{' (SMOKE: tiny inputs)' if args.smoke else ''} - "
        f"TensorFlow {versions.get('tensorflow', '?')}, "
        f"Spektral {versions.get('spektral', '?')}, {os.cpu_count()} CPUs, "
        f"median ms per training step (forward + backward + Adam update)"
    )
    loads = [x for r in rows for x in r.get("loadavg_1m", [])]
    if loads:
        header += (
            f"\n1-min load average around the runs: {min(loads):.2f}-{max(loads):.2f} "
            f"on {os.cpu_count()} CPUs (a child alone loads ~1-2; more means other "
            f"processes competed for the CPUs and timings are inflated)"
        )
    print(header)
    if rows:
        print(format_table(rows))
    if same is not None:
        print()
        print(format_same_process(same))
    if scaling is not None:
        print()
        print(format_scaling(scaling))
    if largest is not None:
        print()
        print(format_largest(largest))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        out = dict(smoke=args.smoke, versions=versions, cpus=os.cpu_count(), rows=rows)
        if same is not None:
            out["same_process"] = same
        if scaling is not None:
            out["scaling"] = scaling
        if largest is not None:
            out["largest"] = largest
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
        print(f"results written to {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
