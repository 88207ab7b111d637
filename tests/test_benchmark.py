"""The benchmark (spektral_tv.experiments.benchmark, through the scripts/benchmark.py
wrapper) runs and prints / writes what it promises (--smoke inputs).

One run of the script serves every test: the small batch workload always, plus
the Cora workload and the same-process section when spektral_tv.datasets finds
the Cora files ($SPEKTRAL_TV_DATA/Citation/cora or Spektral's folder);
otherwise the Cora tests are skipped with the folders searched.
"""

import json
import math
import os
import pathlib
import subprocess
import sys

import pytest

from spektral_tv.datasets import Citation, DatasetNotFoundError
from spektral_tv.experiments.benchmark import growth_exponent

pytestmark = pytest.mark.slow  # child processes with TensorFlow, minutes in all

REPO = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "benchmark.py"
IMPLS = ("spektral_tv", "spektral")
BATCH_WORKLOAD = "batch-8x1500"
CORA_WORKLOAD = "cora-tvgnn-sparse-x"


def cora_missing_reason():
    """None if the script finds Cora, else the script's error naming the folders searched."""
    try:
        Citation("cora", allow_download=False)
    except DatasetNotFoundError as e:
        return f"Cora files not available: {e}"
    return None


def parse_table(stdout, first_header):
    """Rows (dicts keyed by the headers) of the text table whose header starts with
    `first_header`; None if there is no such table."""
    lines = stdout.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith(first_header)), None)
    if start is None:
        return None
    headers = [h.strip() for h in lines[start].split(" | ")]
    rows = []
    for ln in lines[start + 2 :]:  # skip the header and the -+- separator
        if not ln.strip() or " | " not in ln:
            break
        cells = [c.strip() for c in ln.split(" | ", len(headers) - 1)]
        rows.append(dict(zip(headers, cells + [""] * (len(headers) - len(cells)))))
    return rows


def is_number(text):
    """True if text parses as a finite positive float."""
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and value > 0


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    """Run the script once with --smoke; return (stdout, json data, cora_skip_reason)."""
    cora_skip = cora_missing_reason()
    json_path = tmp_path_factory.mktemp("bench") / "bench.json"
    workloads = BATCH_WORKLOAD if cora_skip else f"{BATCH_WORKLOAD},{CORA_WORKLOAD}"
    cmd = [
        sys.executable,
        str(SCRIPT),
        "--smoke",
        "--workloads",
        workloads,
        "--same-process" if cora_skip is None else "--no-same-process",
        "--json",
        str(json_path),
        "--timeout",
        "240",
    ]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO, env=dict(os.environ), timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(json_path) as f:
        data = json.load(f)
    return proc.stdout, data, cora_skip


def expected_workloads(cora_skip):
    """The workloads the smoke run measured."""
    return [BATCH_WORKLOAD] + ([] if cora_skip else [CORA_WORKLOAD])


def test_table_has_numeric_rows_for_both_implementations(smoke_run):
    stdout, _, cora_skip = smoke_run
    rows = parse_table(stdout, "implementation | workload")
    assert rows, stdout
    got = {(r["implementation"], r["workload"]): r for r in rows}
    for workload in expected_workloads(cora_skip):
        for impl in IMPLS:
            row = got.get((impl, workload))
            assert row is not None, f"no {impl} / {workload} row in:\n{stdout}"
            assert is_number(row["ms/step"]), row
            assert is_number(row["ratio"]), row
        assert float(got[("spektral_tv", workload)]["ratio"]) == 1.0


def test_json_holds_the_table_rows(smoke_run):
    stdout, data, cora_skip = smoke_run
    assert data["smoke"] is True
    printed = {
        (r["implementation"], r["workload"]): r
        for r in parse_table(stdout, "implementation | workload")
    }
    rows = {(r["impl"], r["workload"]): r for r in data["rows"]}
    for workload in expected_workloads(cora_skip):
        for impl in IMPLS:
            row = rows[(impl, workload)]
            assert row["ok"], row
            assert row["ms_median"] > 0 and math.isfinite(row["ms_median"])
            assert float(printed[(impl, workload)]["ms/step"]) == pytest.approx(
                row["ms_median"], abs=0.051
            )


def test_cora_rows(smoke_run):
    _, data, cora_skip = smoke_run
    if cora_skip:
        pytest.skip(cora_skip)
    rows = {(r["impl"], r["workload"]): r for r in data["rows"]}
    assert all(rows[(impl, CORA_WORKLOAD)]["ok"] for impl in IMPLS)


def test_same_process_section(smoke_run):
    stdout, data, cora_skip = smoke_run
    if cora_skip:
        pytest.skip(cora_skip)
    assert "same-process Cora TVGNN" in stdout
    rows = parse_table(stdout, "implementation | x format")
    assert rows, stdout
    ratio_col = "ratio vs spektral_tv (sparse x)"
    got = {(r["implementation"], r["x format"]): r for r in rows}
    for key in [
        ("spektral_tv", "sparse"),
        ("spektral_tv", "dense"),
        ("spektral", "dense"),
        ("spektral", "sparse"),
    ]:
        assert key in got, f"no {key} row in:\n{stdout}"
        assert is_number(got[key]["ms/step"]), got[key]
        assert is_number(got[key][ratio_col]), got[key]
    assert float(got[("spektral_tv", "sparse")][ratio_col]) == 1.0
    assert "best x format vs best x format" in stdout

    same = data["same_process"]
    assert same["ok"]
    assert [(v["impl"], v["x_format"]) for v in same["variants"]] == list(got)
    for v in same["variants"]:
        assert v["ok"], v
        assert len(v["ms_steps"]) == same["blocks"] * same["block_steps"]
        assert v["ratio_vs_reference"] > 0 and v["ratio_same_x"] > 0
    assert same["best_vs_best"]["ratio"] > 0


def test_scaling_table_at_the_smallest_size(tmp_path):
    """--scaling at 10^4 nodes: both models, both implementations measured in
    one child, ratios and the (undefined for one size) growth exponent."""
    json_path = tmp_path / "scaling.json"
    cmd = [
        sys.executable,
        str(SCRIPT),
        "--smoke",
        "--workloads",
        "none",
        "--no-same-process",
        "--scaling",
        "--scaling-sizes",
        "1e4",
        "--json",
        str(json_path),
        "--timeout",
        "600",
    ]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO, env=dict(os.environ), timeout=900
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = parse_table(proc.stdout, "model ")
    assert [(r["model"], r["nodes"]) for r in rows] == [("tvgnn", "10000"), ("mincut", "10000")]
    for r in rows:
        for column in (
            "spektral_tv ms/step",
            "spektral ms/step",
            "ratio",
            "spektral_tv train MB",
            "spektral train MB",
        ):
            assert is_number(r[column]), (column, r)
        assert int(r["edges"]) > 90_000  # average degree 10
    assert "growth exponent" in proc.stdout
    with open(json_path) as f:
        scaling = json.load(f)["scaling"]
    assert all(r["ok"] for r in scaling["rows"])
    assert set(scaling["exponents"]) == {
        "tvgnn/spektral_tv",
        "tvgnn/spektral",
        "mincut/spektral_tv",
        "mincut/spektral",
    }


def test_growth_exponent():
    assert growth_exponent([10, 100, 1000], [2.0, 20.0, 200.0]) == pytest.approx(1.0)
    assert growth_exponent([10, 100], [1.0, 100.0]) == pytest.approx(2.0)
    assert growth_exponent([10], [1.0]) is None


def test_largest_graph_table_stops_at_the_first_failure(tmp_path):
    """--largest: one child per size, train MB and ms/step for each; a size
    that fails (here a 1-second timeout) ends the table with its error."""
    json_path = tmp_path / "largest.json"

    def run(sizes, timeout):
        cmd = [sys.executable, str(SCRIPT), "--workloads", "none", "--no-same-process"]
        cmd += ["--largest", sizes, "--json", str(json_path), "--timeout", timeout]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, cwd=REPO, env=dict(os.environ), timeout=900
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        with open(json_path) as f:
            return proc.stdout, json.load(f)["largest"]

    out, rows = run("2e3", "600")
    assert "largest graph" in out
    assert [r["n_nodes"] for r in rows] == [2000]
    for r in rows:
        entry = r["impls"]["spektral_tv"]
        assert r["ok"] and r["n_edges"] > 9 * r["n_nodes"]
        assert entry["ms_median"] > 0 and entry["train_mb"] > 0
        assert entry["process_peak_mb"] > entry["train_mb"]
    _, rows = run("2e3,4e3", "1")
    assert len(rows) == 1 and not rows[0]["ok"] and "timed out" in rows[0]["error"]
