"""Offline-capable datasets (Spektral ``Dataset`` subclasses) and seeded
synthetic graphs.

Real datasets look for their files in ``$SPEKTRAL_TV_DATA/<Family>/<name>``,
then in Spektral's dataset folder, and download them there only as a last
resort. A file that is missing everywhere raises :class:`DatasetNotFoundError`;
a file that is found but empty, truncated or garbage raises
:class:`DatasetFileError` naming it and saying what to do.

Modules: ``_paths`` (the folders searched, the cache), ``_download`` (the
network and archive extraction), ``_readers`` (npz, Planetoid pickles, text
files of numbers), ``_graph`` (adjacency clean-up, dtype, labels, features),
``_base`` (the base dataset classes); one module per dataset family, plus
``synthetic``, ``features`` and ``images``.
"""

from ._base import DatasetNotFoundError
from ._paths import cache_folder, data_roots
from ._readers import DatasetFileError
from .bench import Bench
from .citation import Citation, Citeseer, Cora, Pubmed
from .dblp import DBLP
from .features import (
    LargeGraphs,
    clustering_coefficient,
    clustering_coefficient_features,
    degree_features,
    structural_features,
)
from .images import default_image, oversegment, region_adjacency_graph
from .synthetic import community_graph, grid2d, grid_graph, noisy_sbm, ring_graph, sbm
from .tudataset import TUDataset

__all__ = [
    "DBLP",
    "Bench",
    "Citation",
    "Citeseer",
    "Cora",
    "DatasetFileError",
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
