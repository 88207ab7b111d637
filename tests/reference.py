"""Independent NumPy (float64) ground truth for the formulas of the two papers.

Written from the equations, not from any library's code:

* [000] Bianchi, Grattarola, Alippi, "Spectral Clustering with Graph Neural
  Networks for Graph Pooling" (ICML 2020): eq. 6 (cut and orthogonality
  losses), eq. 7 and the post-processing of A_pool right after it.
* [002] Hansen, Bianchi, "Total Variation Graph Neural Networks" (ICML 2023):
  eqs. 12-16 (GTV and asymmetric-norm losses), eqs. 26-29 (GTVConv) and
  appendix A.4 (degree-weighted GTVConv).

Every function works on ONE graph: dense adjacency ``a`` (N, N), assignments
``s`` (N, K), features ``x`` (N, F).  Clarity over speed: plain loops or dense
matrix algebra, everything in float64.
"""

import math

import numpy as np


def _f64(*arrays):
    return [np.asarray(v, dtype=np.float64) for v in arrays]


def _inv_sqrt_or_zero(d):
    """Elementwise d**-1/2, with 0 where d == 0 (no inf, no NaN)."""
    d = np.asarray(d, dtype=np.float64)
    out = np.zeros_like(d)
    pos = d > 0
    out[pos] = 1.0 / np.sqrt(d[pos])
    return out


def softmax(z):
    """Row-wise softmax in float64 (the pools' S = softmax(MLP(X)))."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------
# MinCutPool [000]
# --------------------------------------------------------------------------
def mincut_loss(a, s):
    """L_c = -Tr(S^T A S) / Tr(S^T D S), D = diag(A 1)  ([000] eq. 6)."""
    a, s = _f64(a, s)
    d = np.diag(a.sum(axis=1))
    num = np.trace(s.T @ a @ s)
    den = np.trace(s.T @ d @ s)
    return -num / den


def ortho_loss(s):
    """L_o = || S^T S / ||S^T S||_F - I_K / sqrt(K) ||_F  ([000] eq. 6)."""
    (s,) = _f64(s)
    k = s.shape[1]
    ss = s.T @ s
    return np.linalg.norm(ss / np.linalg.norm(ss, "fro") - np.eye(k) / math.sqrt(k), "fro")


def mincut_pool(a, s, x):
    """([000] eq. 7 + post-processing) -> (x_pool, a_pool).

    x_pool = S^T X;  A_pool = S^T A S;  Â = A_pool with its diagonal set to 0;
    a_pool = D̂^-1/2 Â D̂^-1/2 with D̂ = diag(Â 1) and 0 in place of d^-1/2 when d = 0.
    """
    a, s, x = _f64(a, s, x)
    x_pool = s.T @ x
    a_hat = s.T @ a @ s
    np.fill_diagonal(a_hat, 0.0)
    d_is = _inv_sqrt_or_zero(a_hat.sum(axis=1))
    a_pool = d_is[:, None] * a_hat * d_is[None, :]
    return x_pool, a_pool


def mincut_pool_unnormalized(a, s, x):
    """Plain eq. 7 of [000] (and eq. 30 of [002]): (S^T X, S^T A S)."""
    a, s, x = _f64(a, s, x)
    return s.T @ x, s.T @ a @ s


# --------------------------------------------------------------------------
# Asymmetric Cheeger cut losses [002]
# --------------------------------------------------------------------------
def gtv_loss(a, s):
    """L_GTV = sum_k sum_{i<j} a_ij |s_ik - s_jk| / (2E)  ([002] eqs. 12, 14).

    For a symmetric A this is the sum over all ordered pairs i != j divided by
    2 * nnz(A) (E = nnz/2 undirected edges); that ordered-pairs form is what is
    computed here, with nnz = number of nonzero entries of A (a self-loop, if
    any, counts once in nnz and contributes 0 to the numerator).
    """
    a, s = _f64(a, s)
    n, k = s.shape
    total = 0.0
    for i in range(n):
        for j in range(n):
            if i == j or a[i, j] == 0:
                continue
            for c in range(k):
                total += a[i, j] * abs(s[i, c] - s[j, c])
    nnz = np.count_nonzero(a)
    return total / (2.0 * nnz)


def quant_rho(v, rho):
    """The (q+1)-th largest entry of v, q = floor(N / (rho + 1))  ([002] eq. 13)."""
    v = np.asarray(v, dtype=np.float64)
    n = v.shape[0]
    q = int(math.floor(n / (rho + 1.0)))
    return np.sort(v)[::-1][q]


def asym_norm_1rho(v, rho):
    """||x||_{1,rho} = sum_i (rho * x_i if x_i >= 0 else -x_i)."""
    total = 0.0
    for xi in np.asarray(v, dtype=np.float64):
        total += rho * xi if xi >= 0 else -xi
    return total


def asym_norm_loss(s, rho=None):
    """L_AN = (beta - L*_AN) / beta  ([002] eqs. 13, 15, 16).

    L*_AN = sum_k ||s_k - quant_rho(s_k)||_{1,rho};  rho defaults to K - 1;
    beta = N rho min(1, K / (rho + 1))  (= N rho when rho = K - 1).
    """
    (s,) = _f64(s)
    n, k = s.shape
    if rho is None:
        rho = k - 1
    rho = float(rho)
    l_star = 0.0
    for c in range(k):
        col = s[:, c]
        l_star += asym_norm_1rho(col - quant_rho(col, rho), rho)
    beta = n * rho * min(1.0, k / (rho + 1.0))
    return (beta - l_star) / beta


# --------------------------------------------------------------------------
# GTVConv [002]
# --------------------------------------------------------------------------
def gtv_conv(x, a, w, b, delta, eps, degree_normalized=False):
    """GTVConv without activation.

    degree_normalized=False ([002] eqs. 26-29, with delta the multiplier of L̂):
        X̃ = X W;  Γ̂_ij = a_ij / max(||x̃_i - x̃_j||_1, eps) for i != j
        (self-loops contribute nothing);  L̂ = diag(Γ̂ 1) - Γ̂;
        out = (I - delta L̂) X̃ + b.
    degree_normalized=True ([002] A.4):
        d = A 1;  q_ij = sqrt(a_ij) (x̃_i / sqrt(d_i) - x̃_j / sqrt(d_j));
        γ_ij = a_ij / max(eps, ||q_ij||_1);  L_Γ = diag(Γ 1) - Γ;
        out = (I - delta D^-1/2 L_Γ D^-1/2) X̃ + b  (D^-1/2 entry 0 where d = 0).
    """
    x, a, w = _f64(x, a, w)
    n = a.shape[0]
    xt = x @ w
    d = a.sum(axis=1)
    d_is = _inv_sqrt_or_zero(d)
    gamma = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i == j or a[i, j] == 0:
                continue
            if degree_normalized:
                q = math.sqrt(a[i, j]) * (xt[i] * d_is[i] - xt[j] * d_is[j])
                gamma[i, j] = a[i, j] / max(eps, np.abs(q).sum())
            else:
                gamma[i, j] = a[i, j] / max(np.abs(xt[i] - xt[j]).sum(), eps)
    lap = np.diag(gamma.sum(axis=1)) - gamma
    if degree_normalized:
        lap = d_is[:, None] * lap * d_is[None, :]
    out = (np.eye(n) - delta * lap) @ xt
    if b is not None:
        out = out + np.asarray(b, dtype=np.float64)[None, :]
    return out
