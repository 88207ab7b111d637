"""The private TensorFlow modules that spektral_tv.ops uses, in one place.

TensorFlow's CSR sparse-matrix kernels (multithreaded on CPU, cuSPARSE on GPU)
and the test for an XLA context are not public API. If a TensorFlow release
moves them, `csr_ops` is None and `use_csr` answers False: every op then takes
its XLA-safe path (gathers and segment sums), which is correct everywhere and
only slower.
"""

import tensorflow as tf

try:
    from tensorflow.python.ops import control_flow_util
except ImportError:  # pragma: no cover - private module moved
    control_flow_util = None

try:
    from tensorflow.python.ops.linalg.sparse import sparse_csr_matrix_ops as csr_ops
except ImportError:  # pragma: no cover - private module moved
    csr_ops = None


def in_xla_context():
    """Whether the ops being traced will be compiled by XLA (jit_compile).

    Without the private helper the answer is True, so callers choose the
    path that also compiles.
    """
    if control_flow_util is None:  # pragma: no cover
        return True
    return control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph())


def use_csr(dtype):
    """Whether CSR kernels can run here: float32, not under XLA, kernels found."""
    return csr_ops is not None and dtype == tf.float32 and not in_xla_context()
