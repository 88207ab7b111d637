"""The layers against the independent NumPy reference (tests/reference.py).

Single mode only, dense and sparse adjacency.  The reference is evaluated in
float64 on the assignment matrix ``s`` the layer returns, so the tests check the
pooled outputs and the auxiliary losses, whatever the MLP computed.  Each test
also checks that the case discriminates the right formula from an obviously
wrong variant (so a passing test means something).
"""

import spektral_tv  # noqa: F401  (must come before tensorflow: sets TF_USE_LEGACY_KERAS=1)

import math

import numpy as np
import pytest
import tensorflow as tf
import tf_keras as keras

from spektral_tv.layers import AsymCheegerCutPool, GTVConv, MinCutPool

import reference as ref

RTOL, ATOL = 1e-4, 1e-5

# Random graphs: symmetric, nonnegative, N in [5, 40]; some weighted, some with
# an isolated node and/or self-loops.
CASES = {
    "n5_binary": dict(seed=0, n=5, k=2, p=0.6, weighted=False, isolated=False, self_loops=0),
    "n12_weighted_iso_loop": dict(
        seed=1, n=12, k=3, p=0.35, weighted=True, isolated=True, self_loops=2
    ),
    "n23_weighted_loop": dict(
        seed=2, n=23, k=4, p=0.2, weighted=True, isolated=False, self_loops=1
    ),
    "n40_binary_iso": dict(seed=3, n=40, k=5, p=0.12, weighted=False, isolated=True, self_loops=0),
}


def make_graph(seed, n, k, p, weighted, isolated, self_loops, f=6, x_scale=2.0):
    rng = np.random.default_rng(seed)
    mask = np.triu(rng.random((n, n)) < p, 1)
    # a ring through the non-isolated nodes guarantees edges and a connected core
    last = n - 1 if isolated else n
    for i in range(last):
        mask[min(i, (i + 1) % last), max(i, (i + 1) % last)] = True
    w = rng.uniform(0.2, 3.0, (n, n)) if weighted else np.ones((n, n))
    a = np.triu(mask * w, 1)
    a = a + a.T
    if isolated:
        a[n - 1, :] = 0.0
        a[:, n - 1] = 0.0
    for node in range(self_loops):  # self-loops on nodes 0, 1, ... (never the isolated one)
        a[node, node] = rng.uniform(0.5, 2.0) if weighted else 1.0
    x = x_scale * rng.normal(size=(n, f))
    return a.astype(np.float32), x.astype(np.float32)


def to_tf(a, sparse):
    if not sparse:
        return tf.constant(a)
    idx = np.argwhere(a != 0)  # row-major, i.e. canonical order
    return tf.SparseTensor(idx.astype(np.int64), a[idx[:, 0], idx[:, 1]], a.shape)


def loss_values(layer):
    return [float(np.asarray(v)) for v in layer.losses]


def f64(t):
    return np.asarray(t, dtype=np.float64)


def check_case_sanity(a):
    assert np.allclose(a, a.T) and np.all(a >= 0)
    assert 5 <= a.shape[0] <= 40 and np.count_nonzero(a) > 0


# ------------------------------------------------------------------ MinCutPool
@pytest.mark.parametrize("temperature,mlp_hidden", [(0.25, None), (1.0, [8]), (2.0, None)])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("case", list(CASES))
def test_mincut_pool_matches_reference(case, sparse, temperature, mlp_hidden):
    cfg = CASES[case]
    # Keras's own seed too: the pool's MLP must not depend on the test order
    # (a near-uniform S would void the discrimination checks below).
    keras.utils.set_random_seed(cfg["seed"])
    a, x = make_graph(**cfg)
    check_case_sanity(a)
    pool = MinCutPool(
        cfg["k"], mlp_hidden=mlp_hidden, temperature=temperature, return_selection=True
    )
    out = pool([tf.constant(x), to_tf(a, sparse)])
    assert len(out) == 3
    x_pool, a_pool, s = out
    if isinstance(a_pool, tf.SparseTensor):  # the contract says dense; be explicit on failure
        pytest.fail("MinCutPool returned a sparse a_pool in single mode")
    s = f64(s)
    n, k = a.shape[0], cfg["k"]
    assert s.shape == (n, k) and x_pool.shape == (k, x.shape[1]) and a_pool.shape == (k, k)
    np.testing.assert_allclose(s.sum(1), 1.0, rtol=0, atol=1e-5)  # softmax rows

    xp_ref, ap_ref = ref.mincut_pool(a, s, x)
    np.testing.assert_allclose(f64(x_pool), xp_ref, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(f64(a_pool), ap_ref, rtol=RTOL, atol=ATOL)
    assert np.all(np.isfinite(f64(a_pool)))

    cut_ref, ortho_ref = ref.mincut_loss(a, s), ref.ortho_loss(s)
    got = loss_values(pool)
    assert len(got) == 2, got
    # order: [cut, ortho] expected, but accept either order, identified by value
    if not np.allclose(got, [cut_ref, ortho_ref], rtol=RTOL, atol=ATOL):
        got = got[::-1]
    np.testing.assert_allclose(got, [cut_ref, ortho_ref], rtol=RTOL, atol=ATOL)

    # the case discriminates: L_c is away from its uniform-S value -1 and from
    # the variant without the degree matrix (-Tr(S^T A S)/Tr(S^T S)); a_pool is
    # away from the plain S^T A S and from S^T A S with only the diagonal zeroed
    assert abs(cut_ref + 1.0) > 1e-3
    assert not np.isclose(cut_ref, -np.trace(s.T @ a @ s) / np.trace(s.T @ s), rtol=1e-3)
    _, ap_raw = ref.mincut_pool_unnormalized(a, s, x)
    ap_zero_diag = ap_raw - np.diag(np.diag(ap_raw))
    assert not np.allclose(f64(a_pool), ap_raw, rtol=1e-3, atol=1e-3)
    assert not np.allclose(f64(a_pool), ap_zero_diag, rtol=1e-3, atol=1e-3)


# ---------------------------------------------------------- AsymCheegerCutPool
def _asym_norm_shifted_quantile(s, rho, shift):
    """Wrong variants for discrimination: quant = the (q+1+shift)-th largest.

    Note: when N/(rho+1) is an integer, the q-th and the (q+1)-th largest give
    the same L*_AN (the asymmetric norm is flat between them: its slope in the
    quantile is N - q(rho+1) = 0), so shift=-1 is not always discriminative;
    shift=+1 is, whenever the two order statistics differ (slope < 0 there).
    """
    n, k = s.shape
    rho = float(k - 1 if rho is None else rho)
    q = int(math.floor(n / (rho + 1)))
    l_star = 0.0
    for c in range(k):
        col = s[:, c]
        quant = np.sort(col)[::-1][min(max(q + shift, 0), n - 1)]
        l_star += ref.asym_norm_1rho(col - quant, rho)
    beta = n * rho * min(1.0, k / (rho + 1))
    return (beta - l_star) / beta


@pytest.mark.parametrize("rho", [None, 1, 2.5], ids=["rho_default", "rho_1", "rho_2.5"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("case", list(CASES))
def test_asym_cheeger_cut_pool_matches_reference(case, sparse, rho):
    cfg = CASES[case]
    tf.random.set_seed(cfg["seed"] + 100)
    a, x = make_graph(**cfg)
    check_case_sanity(a)
    alpha1, alpha2 = 0.785, 0.514
    # temperature 0.5: assignments far from uniform (L_AN far from 1) but not crisp
    pool = AsymCheegerCutPool(
        cfg["k"],
        totvar_coeff=alpha1,
        balance_coeff=alpha2,
        rho=rho,
        temperature=0.5,
        return_selection=True,
    )
    out = pool([tf.constant(x), to_tf(a, sparse)])
    assert len(out) == 3
    x_pool, a_pool, s = out
    if isinstance(a_pool, tf.SparseTensor):
        a_pool = tf.sparse.to_dense(a_pool)
    s = f64(s)
    n, k = a.shape[0], cfg["k"]
    assert s.shape == (n, k)
    np.testing.assert_allclose(s.sum(1), 1.0, rtol=0, atol=1e-5)

    xp_ref, ap_ref = ref.mincut_pool_unnormalized(a, s, x)  # S^T X, S^T A S
    np.testing.assert_allclose(f64(x_pool), xp_ref, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(f64(a_pool), ap_ref, rtol=RTOL, atol=ATOL)

    tv_ref, an_ref = ref.gtv_loss(a, s), ref.asym_norm_loss(s, rho)
    got = loss_values(pool)
    assert len(got) == 2, got
    np.testing.assert_allclose(got, [alpha1 * tv_ref, alpha2 * an_ref], rtol=RTOL, atol=ATOL)
    # 1 - L_AN = L*_AN / beta, compared relatively (sensitive even when L_AN ~ 1)
    np.testing.assert_allclose(1.0 - got[1] / alpha2, 1.0 - an_ref, rtol=1e-3, atol=1e-6)

    # the case discriminates: normalising L_GTV by N (or by 2E counted as nnz
    # without the factor 2) is wrong, and so is an off-by-one quantile
    nnz = np.count_nonzero(a)
    tv_wrong_n = tv_ref * (2.0 * nnz) / (2.0 * n)
    assert not np.isclose(alpha1 * tv_wrong_n, got[0], rtol=1e-3, atol=1e-6)
    assert not np.isclose(alpha1 * 2.0 * tv_ref, got[0], rtol=1e-3, atol=1e-6)
    wrong_an = [_asym_norm_shifted_quantile(s, rho, sh) for sh in (-1, 1)]
    assert any(not np.isclose(alpha2 * v, got[1], rtol=1e-3, atol=1e-6) for v in wrong_an)
    # ranges (L_GTV <= 1 only holds for weights <= 1; here L_GTV <= max weight)
    assert 0.0 <= an_ref <= 1.0 and 0.0 <= tv_ref <= a.max() + 1e-12


def test_asym_cheeger_rho_changes_the_balance_loss():
    # the same S under rho = K-1 and rho = 2.5 must give the reference's two values
    cfg = CASES["n23_weighted_loop"]
    a, x = make_graph(**cfg)
    vals = {}
    for rho in (None, 2.5):
        tf.random.set_seed(7)
        pool = AsymCheegerCutPool(cfg["k"], rho=rho, temperature=0.2, return_selection=True)
        _, _, s = pool([tf.constant(x), tf.constant(a)])
        s = f64(s)
        vals[rho] = (loss_values(pool)[1], ref.asym_norm_loss(s, rho))
        np.testing.assert_allclose(vals[rho][0], vals[rho][1], rtol=RTOL, atol=ATOL)
    assert not np.isclose(vals[None][1], vals[2.5][1], rtol=1e-3)


# --------------------------------------------------------------------- GTVConv
GTV_SETTINGS = {
    # (delta_coeff, epsilon or "mid": epsilon = geometric mean of the smallest and
    # largest edge distance, so that the clamp max(., eps) is active on some edges only)
    "delta1_eps1e-3": (1.0, 1e-3),
    "delta0.311_eps_mid": (0.311, "mid"),
}


def _edge_distances(a, xt, degree_normalized):
    d = a.sum(1)
    d_is = np.where(d > 0, 1.0 / np.sqrt(np.where(d > 0, d, 1.0)), 0.0)
    ii, jj = np.nonzero(a)
    keep = ii != jj
    ii, jj = ii[keep], jj[keep]
    if degree_normalized:
        q = np.sqrt(a[ii, jj])[:, None] * (xt[ii] * d_is[ii, None] - xt[jj] * d_is[jj, None])
        return np.abs(q).sum(1)
    return np.abs(xt[ii] - xt[jj]).sum(1)


@pytest.mark.parametrize("setting", list(GTV_SETTINGS))
@pytest.mark.parametrize("degree_normalized", [False, True], ids=["plain", "degnorm"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("case", list(CASES))
def test_gtv_conv_matches_reference(case, sparse, degree_normalized, setting):
    cfg = CASES[case]
    a, x = make_graph(**cfg, x_scale=1.0)
    check_case_sanity(a)
    channels = 5
    rng = np.random.default_rng(cfg["seed"] + 11)
    w = rng.normal(scale=0.7, size=(x.shape[1], channels)).astype(np.float32)
    b = rng.normal(size=(channels,)).astype(np.float32)

    delta, eps = GTV_SETTINGS[setting]
    xt64 = x.astype(np.float64) @ w.astype(np.float64)
    dist = _edge_distances(a.astype(np.float64), xt64, degree_normalized)
    if eps == "mid":
        eps = float(np.sqrt(dist.min() * dist.max()))
        assert np.any(dist < eps * 0.9) and np.any(dist > eps * 1.1)  # clamp active on some edges

    layer = GTVConv(channels, delta_coeff=delta, epsilon=eps, degree_normalized=degree_normalized)
    inputs = [tf.constant(x), to_tf(a, sparse)]
    layer(inputs)  # build
    assert tuple(layer.kernel.shape) == w.shape and tuple(layer.bias.shape) == b.shape
    layer.kernel.assign(w)
    layer.bias.assign(b)
    out = f64(layer(inputs))
    np.testing.assert_allclose(f64(layer.kernel.numpy()), w, rtol=0, atol=0)

    expected = ref.gtv_conv(
        x, a, layer.kernel.numpy(), layer.bias.numpy(), delta, eps, degree_normalized
    )
    assert out.shape == expected.shape
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)

    # the case discriminates: the other variant, the plain update without the
    # epsilon clamp / without removing self-loops, and XW + b all differ
    other = ref.gtv_conv(x, a, w, b, delta, eps, not degree_normalized)
    assert not np.allclose(out, other, rtol=1e-3, atol=1e-3)
    assert not np.allclose(out, xt64 + b, rtol=1e-3, atol=1e-3)
    if setting.endswith("mid"):
        no_clamp = ref.gtv_conv(x, a, w, b, delta, 1e-12, degree_normalized)
        assert not np.allclose(out, no_clamp, rtol=1e-3, atol=1e-3)


def test_gtv_conv_isolated_and_self_loop_only_nodes_keep_xw_plus_b():
    # node 0 has only a self-loop, node 5 is isolated: their rows are X W + b
    n = 6
    a = np.zeros((n, n), np.float32)
    a[0, 0] = 2.0
    for i, j, v in [(1, 2, 1.0), (2, 3, 0.5), (3, 4, 2.0), (1, 4, 1.5)]:
        a[i, j] = a[j, i] = v
    rng = np.random.default_rng(21)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    for degree_normalized in (False, True):
        for sparse in (False, True):
            layer = GTVConv(4, delta_coeff=0.8, epsilon=1e-3, degree_normalized=degree_normalized)
            inputs = [tf.constant(x), to_tf(a, sparse)]
            layer(inputs)
            layer.bias.assign(rng.normal(size=(4,)).astype(np.float32))
            out = f64(layer(inputs))
            w, b = layer.kernel.numpy(), layer.bias.numpy()
            xwb = x.astype(np.float64) @ w.astype(np.float64) + b
            assert np.all(np.isfinite(out))
            np.testing.assert_allclose(out[[0, 5]], xwb[[0, 5]], rtol=RTOL, atol=ATOL)
            np.testing.assert_allclose(
                out, ref.gtv_conv(x, a, w, b, 0.8, 1e-3, degree_normalized), rtol=RTOL, atol=ATOL
            )
            assert not np.allclose(out[1:5], xwb[1:5], atol=1e-3)


def test_gtv_conv_delta_zero_is_xw_plus_b():
    cfg = CASES["n12_weighted_iso_loop"]
    a, x = make_graph(**cfg)
    layer = GTVConv(3, delta_coeff=0.0)
    out = f64(layer([tf.constant(x), tf.constant(a)]))
    expected = x.astype(np.float64) @ layer.kernel.numpy().astype(np.float64) + layer.bias.numpy()
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)
