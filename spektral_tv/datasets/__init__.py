"""Offline-capable datasets (Spektral ``Dataset`` subclasses) and seeded
synthetic graphs.

Real datasets look for their files in ``$SPEKTRAL_TV_DATA/<Family>/<name>``,
then in Spektral's dataset folder, and download them there only as a last
resort (see :mod:`spektral_tv.datasets._base`).
"""
from ._base import DatasetNotFoundError, cache_folder, data_roots
from .bench import Bench
from .citation import Citation, Citeseer, Cora, Pubmed
from .dblp import DBLP
from .features import (
    LargeGraphs,
    clustering_coefficient,
    clustering_coefficient_features,
    structural_features,
)
from .images import default_image, oversegment, region_adjacency_graph
from .synthetic import community_graph, grid2d, grid_graph, noisy_sbm, ring_graph, sbm
from .tudataset import TUDataset, degree_features

__all__ = [
    "DBLP",
    "Bench",
    "Citation",
    "Citeseer",
    "Cora",
    "DatasetNotFoundError",
    "LargeGraphs",
    "Pubmed",
    "TUDataset",
    "cache_folder",
    "clustering_coefficient",
    "clustering_coefficient_features",
    "community_graph",
    "data_roots",
    "default_image",
    "degree_features",
    "grid2d",
    "grid_graph",
    "noisy_sbm",
    "oversegment",
    "region_adjacency_graph",
    "ring_graph",
    "sbm",
    "structural_features",
]
