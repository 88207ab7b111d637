"""Self-tests of the NumPy reference (tests/reference.py) on hand-computed cases.

Every expected number below is worked out by hand in the comments, so a wrong
formula in the reference fails here before it is used as ground truth for the
layers (tests/test_formulas.py).
"""

import math

import numpy as np
import pytest

import reference as ref

# 4-node path 0 - 1 - 2 - 3, unit weights: degrees d = [1, 2, 2, 1], E = 3, nnz = 6.
PATH4 = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], dtype=float)
# crisp 2-cluster assignment {0, 1} | {2, 3}
S_CRISP = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=float)
# a soft assignment
S_SOFT = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]])


# ----------------------------------------------------------------- MinCutPool
def test_mincut_loss_path_crisp():
    # S^T A S = [[a01 + a10, a12], [a21, a23 + a32]] = [[2, 1], [1, 2]] -> trace 4
    # S^T D S = diag(d0 + d1, d2 + d3) = diag(3, 3)                   -> trace 6
    # L_c = -4 / 6
    assert ref.mincut_loss(PATH4, S_CRISP) == pytest.approx(-2.0 / 3.0, abs=1e-12)


def test_mincut_loss_path_soft():
    # Tr(S^T A S) = sum_ij a_ij <s_i, s_j> = 2 * (<s0,s1> + <s1,s2> + <s2,s3>)
    #   <s0,s1> = .54 + .04 = .58, <s1,s2> = .18 + .28 = .46, <s2,s3> = .06 + .56 = .62
    #   -> 2 * 1.66 = 3.32
    # Tr(S^T D S) = sum_i d_i ||s_i||^2 = 1*.82 + 2*.52 + 2*.58 + 1*.68 = 3.70
    assert ref.mincut_loss(PATH4, S_SOFT) == pytest.approx(-3.32 / 3.70, abs=1e-12)


def test_mincut_loss_bounds_and_components():
    # two disconnected edges, each its own cluster: L_c reaches its minimum -1
    a = np.zeros((4, 4))
    a[0, 1] = a[1, 0] = 1.0
    a[2, 3] = a[3, 2] = 3.0
    assert ref.mincut_loss(a, S_CRISP) == pytest.approx(-1.0, abs=1e-12)
    # every edge between orthogonal assignments -> numerator 0 -> L_c = 0
    s_alt = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=float)
    assert ref.mincut_loss(PATH4, s_alt) == pytest.approx(0.0, abs=1e-12)


def test_ortho_loss_values():
    # S^T S = 2 I -> S^T S / ||.||_F = I / sqrt(2) = I_K / sqrt(K) -> 0
    assert ref.ortho_loss(S_CRISP) == pytest.approx(0.0, abs=1e-12)
    # all nodes in cluster 0: S^T S / ||.|| = e1 e1^T; minus I/sqrt(2):
    # diag(1 - 1/sqrt2, -1/sqrt2) -> norm sqrt((1 - 1/sqrt2)^2 + 1/2) = sqrt(2 - sqrt2)
    s_one = np.array([[1, 0]] * 4, dtype=float)
    assert ref.ortho_loss(s_one) == pytest.approx(math.sqrt(2 - math.sqrt(2)), abs=1e-12)
    # uniform S (K = 3): S^T S = (N/9) 11^T -> normalised 11^T / 3;
    # (11^T/3 - I/sqrt3): diagonal 1/3 - 1/sqrt3 (3 times), off-diagonal 1/3 (6 times)
    s_unif = np.full((5, 3), 1.0 / 3.0)
    expected = math.sqrt(3 * (1 / 3 - 1 / math.sqrt(3)) ** 2 + 6 / 9)
    assert ref.ortho_loss(s_unif) == pytest.approx(expected, abs=1e-12)


def test_mincut_pool_path_crisp():
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])
    x_pool, a_pool = ref.mincut_pool(PATH4, S_CRISP, x)
    # S^T X: cluster sums
    np.testing.assert_allclose(x_pool, [[4, 6], [12, 14]], atol=1e-12)
    # A_pool = [[2, 1], [1, 2]] -> diagonal zeroed [[0, 1], [1, 0]], degrees 1, 1 -> unchanged
    np.testing.assert_allclose(a_pool, [[0, 1], [1, 0]], atol=1e-12)
    # without post-processing the diagonal is still there
    _, a_raw = ref.mincut_pool_unnormalized(PATH4, S_CRISP, x)
    np.testing.assert_allclose(a_raw, [[2, 1], [1, 2]], atol=1e-12)


def test_mincut_pool_normalization_by_hand():
    # 3 crisp clusters on the weighted graph below: Â (off-diagonal part of S^T A S)
    # = [[0, 2, 0], [2, 0, 4], [0, 4, 0]], degrees 2, 6, 4
    # -> Ã_01 = 2 / sqrt(2*6), Ã_12 = 4 / sqrt(6*4)
    a = np.zeros((3, 3))
    a[0, 1] = a[1, 0] = 2.0
    a[1, 2] = a[2, 1] = 4.0
    a[0, 0] = 5.0  # self-loop: goes on the diagonal of A_pool and is removed
    s = np.eye(3)
    _, a_pool = ref.mincut_pool(a, s, np.ones((3, 1)))
    expected = np.zeros((3, 3))
    expected[0, 1] = expected[1, 0] = 2 / math.sqrt(12)
    expected[1, 2] = expected[2, 1] = 4 / math.sqrt(24)
    np.testing.assert_allclose(a_pool, expected, atol=1e-12)


def test_mincut_pool_zero_degree_no_nan_and_symmetric():
    rng = np.random.default_rng(0)
    a = np.zeros((6, 6))
    a[0, 1] = a[1, 0] = 1.0
    a[2, 3] = a[3, 2] = 0.5
    # cluster 2 receives only node 5 (isolated) -> zero degree in Â
    s = np.zeros((6, 3))
    s[[0, 1], 0] = 1
    s[[2, 3], 1] = 1
    s[[4, 5], 2] = 1
    _, a_pool = ref.mincut_pool(a, s, np.ones((6, 2)))
    assert np.all(np.isfinite(a_pool))
    np.testing.assert_allclose(a_pool, 0.0)  # every edge internal -> Â = 0
    s_soft = rng.dirichlet(np.ones(3), size=6)
    _, a_pool = ref.mincut_pool(a, s_soft, np.ones((6, 2)))
    assert np.all(np.isfinite(a_pool))
    np.testing.assert_allclose(a_pool, a_pool.T, atol=1e-12)
    np.testing.assert_allclose(np.diag(a_pool), 0.0, atol=1e-12)


# ----------------------------------------------------------- GTV loss [002]
def test_gtv_loss_path_crisp():
    # only edge (1, 2) is cut: sum_k |s_1k - s_2k| = 2; eq. 12 sums i<j -> L* = 2;
    # E = 3 -> L_GTV = 2 / (2*3) = 1/3  (ordered pairs: 4 / (2*6) = 1/3)
    assert ref.gtv_loss(PATH4, S_CRISP) == pytest.approx(1.0 / 3.0, abs=1e-12)
    # the obviously wrong normalisation by N instead of nnz would give 4/(2*4) = 1/2
    assert not np.isclose(ref.gtv_loss(PATH4, S_CRISP), 0.5)


def test_gtv_loss_path_soft():
    # edge (0,1): |.9-.6| + |.1-.4| = .6 ; (1,2): .3 + .3 = .6 ; (2,3): .1 + .1 = .2
    # L* = 1.4, 2E = 6 -> 1.4 / 6
    assert ref.gtv_loss(PATH4, S_SOFT) == pytest.approx(1.4 / 6.0, abs=1e-12)


def test_gtv_loss_weighted_with_self_loop():
    # weights 2 on (0,1), 3 on (1,2), self-loop 7 on node 3 (isolated otherwise)
    a = np.zeros((4, 4))
    a[0, 1] = a[1, 0] = 2.0
    a[1, 2] = a[2, 1] = 3.0
    a[3, 3] = 7.0
    # crisp S {0,1} | {2,3}: only (1,2) cut -> ordered sum = 2 * 3 * 2 = 12
    # nnz = 5 (4 off-diagonal + the self-loop) -> 12 / (2*5) = 1.2
    assert ref.gtv_loss(a, S_CRISP) == pytest.approx(1.2, abs=1e-12)


def test_gtv_loss_range():
    # all edges cut by crisp S -> L_GTV = 1 (unit weights)
    s_alt = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=float)
    assert ref.gtv_loss(PATH4, s_alt) == pytest.approx(1.0, abs=1e-12)
    # constant S -> 0
    assert ref.gtv_loss(PATH4, np.full((4, 2), 0.5)) == pytest.approx(0.0, abs=1e-12)


# -------------------------------------------------- asymmetric norm [002]
def test_quant_rho_index():
    v = np.array([0.5, 0.1, 0.9, 0.3, 0.7])  # sorted desc: .9 .7 .5 .3 .1
    # rho = 1: q = floor(5/2) = 2 -> 3rd largest = .5
    assert ref.quant_rho(v, 1) == 0.5
    # rho = 4: q = floor(5/5) = 1 -> 2nd largest = .7
    assert ref.quant_rho(v, 4) == 0.7
    # rho = 2.5: q = floor(5/3.5) = 1 -> .7
    assert ref.quant_rho(v, 2.5) == 0.7
    # rho = 0.5: q = floor(5/1.5) = 3 -> 4th largest = .3
    assert ref.quant_rho(v, 0.5) == 0.3


def test_asym_norm_balanced_crisp_is_zero():
    # default rho = K-1 = 1; q = 2; 3rd largest of [1,1,0,0] is 0 ->
    # each column gives rho*2 = 2 -> L* = 4 = beta = N rho -> L_AN = 0
    assert ref.asym_norm_loss(S_CRISP) == pytest.approx(0.0, abs=1e-12)
    assert ref.ortho_loss(S_CRISP) == pytest.approx(0.0, abs=1e-12)
    # K = 3, N = 6, two nodes per cluster
    s3 = np.repeat(np.eye(3), 2, axis=0)
    assert ref.asym_norm_loss(s3) == pytest.approx(0.0, abs=1e-12)
    assert ref.ortho_loss(s3) == pytest.approx(0.0, abs=1e-12)


def test_asym_norm_uniform_is_one():
    for n, k in [(4, 2), (7, 3), (10, 5)]:
        s = np.full((n, k), 1.0 / k)
        assert ref.asym_norm_loss(s) == pytest.approx(1.0, abs=1e-12)
        assert ref.asym_norm_loss(s, rho=2.5) == pytest.approx(1.0, abs=1e-12)


def test_asym_norm_unbalanced_crisp():
    # {0,1,2} | {3}, rho = 1, q = 2:
    # column 0 [1,1,1,0]: 3rd largest 1 -> diffs [0,0,0,-1] -> 1
    # column 1 [0,0,0,1]: 3rd largest 0 -> diffs [0,0,0, 1] -> rho*1 = 1
    # L* = 2, beta = 4 -> L_AN = (4 - 2)/4 = 0.5
    s = np.array([[1, 0], [1, 0], [1, 0], [0, 1]], dtype=float)
    assert ref.asym_norm_loss(s) == pytest.approx(0.5, abs=1e-12)


def test_asym_norm_soft_rho3():
    # S_SOFT, K = 2, rho = 3 (not K-1): q = floor(4/4) = 1 -> 2nd largest
    # column 0 [.9,.6,.3,.2]: quant .6, diffs [.3, 0, -.3, -.4] -> 3*.3 + .3 + .4 = 1.6
    # column 1 [.1,.4,.7,.8]: quant .7, diffs [-.6, -.3, 0, .1] -> .6 + .3 + 0 + 3*.1 = 1.2
    # L* = 2.8; beta = N rho min(1, K/(rho+1)) = 4*3*min(1, 2/4) = 6
    # L_AN = (6 - 2.8)/6
    assert ref.asym_norm_loss(S_SOFT, rho=3) == pytest.approx(3.2 / 6.0, abs=1e-12)
    # rho = 1 (the default here): q = 2, quant = 3rd largest
    # col 0: quant .3 -> diffs [.6, .3, 0, -.1] -> 1.0 ; col 1: quant .4 -> [-.3, 0, .3, .4] -> 1.0
    # L* = 2, beta = 4 -> 0.5
    assert ref.asym_norm_loss(S_SOFT) == pytest.approx(0.5, abs=1e-12)
    assert ref.asym_norm_loss(S_SOFT, rho=1) == pytest.approx(0.5, abs=1e-12)


def test_asym_norm_rho_non_integer():
    # N = 5, K = 2, rho = 2.5: q = floor(5/3.5) = 1 -> 2nd largest
    s = np.array([[0.8, 0.2], [0.6, 0.4], [0.5, 0.5], [0.1, 0.9], [0.0, 1.0]])
    # col 0 [.8,.6,.5,.1,0]: quant .6 -> diffs [.2, 0, -.1, -.5, -.6]
    #   -> 2.5*.2 + .1 + .5 + .6 = 1.7
    # col 1 [.2,.4,.5,.9,1]: quant .9 -> diffs [-.7, -.5, -.4, 0, .1] -> .7+.5+.4+0+.25 = 1.85
    # L* = 3.55; beta = 5 * 2.5 * min(1, 2/3.5) = 12.5 * 4/7 = 50/7
    expected = (50 / 7 - 3.55) / (50 / 7)
    assert ref.asym_norm_loss(s, rho=2.5) == pytest.approx(expected, abs=1e-12)


# -------------------------------------------------------------- GTVConv [002]
def test_gtv_conv_delta_zero_is_affine():
    rng = np.random.default_rng(1)
    a = (rng.random((6, 6)) < 0.5).astype(float)
    a = np.triu(a, 1)
    a = a + a.T
    x, w, b = rng.normal(size=(6, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
    for dn in (False, True):
        np.testing.assert_allclose(ref.gtv_conv(x, a, w, b, 0.0, 1e-3, dn), x @ w + b, atol=1e-12)


def test_gtv_conv_two_nodes_by_hand():
    # a_01 = 2, X̃ = X (W = I): x0 = [1, 0], x1 = [0, 2]; ||x0 - x1||_1 = 3 -> γ = 2/3
    # L̂ X̃ row 0 = γ (x0 - x1) = 2/3 [1, -2]; row 1 = -row 0
    # delta = 0.5: out0 = [1, 0] - [1/3, -2/3] = [2/3, 2/3]; out1 = [0, 2] + [1/3, -2/3]
    a = np.array([[0, 2.0], [2.0, 0]])
    x = np.array([[1.0, 0.0], [0.0, 2.0]])
    b = np.array([0.25, -1.0])
    out = ref.gtv_conv(x, a, np.eye(2), b, 0.5, 1e-3)
    np.testing.assert_allclose(out, np.array([[2 / 3, 2 / 3], [1 / 3, 4 / 3]]) + b, atol=1e-12)
    # degree-normalised (A.4): d = [2, 2]; q = sqrt2 (x0 - x1)/sqrt2 = [1, -2] -> γ = 2/3
    # D^-1/2 L D^-1/2 = L/2 -> out0 = x0 - .25 * 2/3 [1, -2] = [5/6, 1/3]; out1 = [1/6, 5/3]
    out = ref.gtv_conv(x, a, np.eye(2), b, 0.5, 1e-3, degree_normalized=True)
    np.testing.assert_allclose(out, np.array([[5 / 6, 1 / 3], [1 / 6, 5 / 3]]) + b, atol=1e-12)


def test_gtv_conv_epsilon_clamps():
    # ||x0 - x1||_1 = 0.1 < eps = 1 -> γ = a/eps = 1 ; delta = 1:
    # out0 = 0.1 - 1*(0.1 - 0) = 0 ; out1 = 0 - 1*(0 - 0.1) = 0.1
    a = np.array([[0, 1.0], [1.0, 0]])
    x = np.array([[0.1], [0.0]])
    out = ref.gtv_conv(x, a, np.eye(1), None, 1.0, 1.0)
    np.testing.assert_allclose(out, [[0.0], [0.1]], atol=1e-12)
    # with a small eps, γ = 1/0.1 = 10 -> out0 = 0.1 - 10*0.1 = -0.9
    out = ref.gtv_conv(x, a, np.eye(1), None, 1.0, 1e-3)
    np.testing.assert_allclose(out, [[-0.9], [1.0]], atol=1e-12)


def test_gtv_conv_path3_degree_normalized_by_hand():
    # path 0 - 1 - 2, unit weights, scalar features x = [0, 1, 3], W = [[1]], d = [1, 2, 1]
    a = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    x = np.array([[0.0], [1.0], [3.0]])
    r2 = math.sqrt(2)
    # q_01 = 0/1 - 1/sqrt2 -> |q_01| = 1/sqrt2, γ_01 = sqrt2
    # q_12 = 1/sqrt2 - 3  -> |q_12| = 3 - 1/sqrt2, γ_12 = 1/(3 - 1/sqrt2)
    g01, g12 = r2, 1 / (3 - 1 / r2)
    # (D^-1/2 L_Γ D^-1/2 x)_i = sum_j γ_ij / sqrt(d_i) (x_i/sqrt(d_i) - x_j/sqrt(d_j))
    y0 = g01 * (0 - 1 / r2)
    y1 = g01 / r2 * (1 / r2 - 0) + g12 / r2 * (1 / r2 - 3)
    y2 = g12 * (3 - 1 / r2)
    delta = 0.3
    expected = np.array([[0 - delta * y0], [1 - delta * y1], [3 - delta * y2]])
    out = ref.gtv_conv(x, a, np.eye(1), None, delta, 1e-3, degree_normalized=True)
    np.testing.assert_allclose(out, expected, atol=1e-12)
    # plain variant: γ_01 = 1/1, γ_12 = 1/2
    # L̂ x = [1*(0-1), 1*(1-0) + .5*(1-3), .5*(3-1)] = [-1, 0, 1]
    out = ref.gtv_conv(x, a, np.eye(1), None, delta, 1e-3)
    np.testing.assert_allclose(out, [[0.3], [1.0], [2.7]], atol=1e-12)


def test_gtv_conv_self_loop_and_isolated_node():
    # node 2 has only a self-loop, node 3 is isolated: both keep X̃ + b;
    # the self-loop on node 0 does not change the plain variant
    a = np.zeros((4, 4))
    a[0, 1] = a[1, 0] = 1.0
    a[2, 2] = 1.0
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    for dn in (False, True):
        out = ref.gtv_conv(x, a, w, b, 0.7, 1e-3, dn)
        assert np.all(np.isfinite(out))
        np.testing.assert_allclose(out[2:], (x @ w + b)[2:], atol=1e-12)
    a_loop = a.copy()
    a_loop[0, 0] = 4.0
    np.testing.assert_allclose(
        ref.gtv_conv(x, a_loop, w, b, 0.7, 1e-3), ref.gtv_conv(x, a, w, b, 0.7, 1e-3), atol=1e-12
    )


def test_gtv_conv_matches_dense_vectorized_form():
    # an independent dense-algebra rewrite of the same formula, on a random weighted graph
    rng = np.random.default_rng(5)
    n = 9
    a = rng.uniform(0.5, 2.0, (n, n)) * (rng.random((n, n)) < 0.4)
    a = np.triu(a, 1)
    a = a + a.T
    x, w, b = rng.normal(size=(n, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    xt = x @ w
    dist = np.abs(xt[:, None, :] - xt[None, :, :]).sum(-1)
    gam = a / np.maximum(dist, 1e-3)
    np.fill_diagonal(gam, 0.0)
    lap = np.diag(gam.sum(1)) - gam
    expected = xt - 0.4 * lap @ xt + b
    np.testing.assert_allclose(ref.gtv_conv(x, a, w, b, 0.4, 1e-3), expected, atol=1e-10)
    # and the two variants differ on an irregular graph
    assert not np.allclose(
        ref.gtv_conv(x, a, w, b, 0.4, 1e-3), ref.gtv_conv(x, a, w, b, 0.4, 1e-3, True)
    )
