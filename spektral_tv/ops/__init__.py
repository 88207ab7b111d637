"""Pure TensorFlow graph operations and losses used by the layers."""

from spektral_tv.ops.graph import (
    BATCH,
    DISJOINT,
    SINGLE,
    EdgeList,
    PaddedGraphs,
    block_diagonal,
    degrees,
    edges_from_adjacency,
    edges_from_batch,
    gtv_step,
    propagate,
    to_padded,
)
from spektral_tv.ops.losses import (
    asymmetric_norm_loss,
    coarsen_adjacency,
    mincut_loss,
    orthogonality_loss,
    total_variation_loss,
)

__all__ = [
    "BATCH",
    "DISJOINT",
    "SINGLE",
    "EdgeList",
    "PaddedGraphs",
    "asymmetric_norm_loss",
    "block_diagonal",
    "coarsen_adjacency",
    "degrees",
    "edges_from_adjacency",
    "edges_from_batch",
    "gtv_step",
    "mincut_loss",
    "orthogonality_loss",
    "propagate",
    "to_padded",
    "total_variation_loss",
]
