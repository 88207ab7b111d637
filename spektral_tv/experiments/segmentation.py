"""Image segmentation by clustering the region adjacency graph of an image
with MinCutPool or TVGNN (the MinCutPool paper §5.1, Fig. 4), and its scores
against ground-truth masks.

The image is over-segmented (Felzenszwalb or SLIC, scikit-image), the regions
become the nodes of a region adjacency graph (similarity of mean colours as
edge weights; mean and total colour as node features) and the pool, trained
unsupervised with `model.fit` on its auxiliary losses, groups them into K
segments.

    spektral-tv segment                          # scikit-image's coffee cup, MinCutPool, K = 4
    spektral-tv segment --image horse.jpeg --k 4 --pool tvgnn --out results/segment-horse
    spektral-tv segment --image-dir IMAGES --mask-dir MASKS --out results/segment-scores
    spektral-tv segment --tfds oxford_iiit_pet --limit 100 --out results/segment-pets

One picture (--image, default scikit-image's coffee cup): writes
OUT/segmentation.png (original | over-segmentation | graph | result),
OUT/labels.npy (the cluster of every pixel, int, H x W of the input image)
and OUT/results.json (graph size, epochs, losses, cluster sizes).

Scores (--tfds NAME, or --image-dir DIR --mask-dir DIR with the same file
stems): every image is over-segmented once, and the same region adjacency
graph is clustered by MinCutPool, by TVGNN and by scikit-image's normalized
cut (`skimage.graph.cut_normalized`, Shi & Malik: a classic, non-learned
baseline, its threshold chosen to give K segments where it can). Each
method's pixel labels are scored against the mask: ARI (adjusted Rand index,
sklearn) and best-match mIoU (clusters matched one-to-one to the mask's
segments by the Hungarian method, the IoU of every segment averaged, 0 for
a segment left unmatched). Pixels of --ignore-label are left out. K is
--k, else the number of segments in the image's mask (folder mode) or the
dataset's (2 for oxford_iiit_pet). Writes OUT/results.json (per image: its
size, graph, K and each method's scores; per method: means and standard
deviations; written after every image, --resume skips the images done) and
OUT/examples.png (the first images, their masks and each method's labels).

TFDS: oxford_iiit_pet (Parkhi et al., 2012; 3669 test pictures of cats and
dogs, about 800 MB) is the dataset chosen: its trimaps split each picture
into pet (1), background (2) and a border band (3, left out of the scores),
a two-segment ground truth that a colour-based, unsupervised clustering can
be judged on without naming classes (PASCAL VOC or COCO masks name objects
of 20-80 classes, which no unsupervised clustering can be asked to match).
Where TFDS can download (not on this machine), run

    spektral-tv segment --tfds oxford_iiit_pet --limit 200 --out results/segment-pets

(`--data-dir` to keep the data elsewhere than ~/tensorflow_datasets;
SPEKTRAL_TV_OFFLINE=1 forbids the download).
"""

import os

from spektral_tv.experiments import _common

#: Over-segmentation methods (`spektral_tv.datasets.images.OVERSEGMENTATIONS`;
#: named here so that the command line is checked without TensorFlow).
OVERSEGMENTATIONS = ("felzenszwalb", "slic")
POOLS = ("mincut", "tvgnn")
#: Methods of the scoring mode: the two pools and the normalized cut.
METHODS = ("mincut", "tvgnn", "ncut")
TITLES = {"mincut": "MinCutPool", "tvgnn": "TVGNN", "ncut": "normalized cut"}
# Region graphs have a few hundred nodes: fewer epochs than the papers'
# citation-network settings are enough (the authors' script: 40 000 steps).
DEFAULT_EPOCHS = {"mincut": 2000, "tvgnn": 300}
DEFAULT_K = 4
MAX_SIDE = 400  # larger pictures are shrunk for the over-segmentation
#: TFDS datasets with masks: the feature holding the mask, the label left
#: out of the scores, and K (the mask's segments without that label).
TFDS_DATASETS = {
    "oxford_iiit_pet": dict(mask="segmentation_mask", ignore_label=3, k=2),
}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif", ".webp")
EXAMPLES = 4  # images drawn in examples.png


# ---------------------------------------------------------------- images


def read_image(path, what="--image"):
    """An RGB uint8 picture (H, W, 3) read from `path`; ValueError naming
    the file when it is not a picture."""
    import numpy as np
    from skimage import io
    from skimage.color import gray2rgb, rgba2rgb
    from skimage.util import img_as_ubyte

    try:
        image = np.asarray(io.imread(path))
    except Exception as error:  # unreadable or not an image
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ValueError(f"{what}: cannot read {path} as an image ({reason})") from None
    if image.ndim == 3 and image.shape[2] == 4:
        image = rgba2rgb(image)
    elif image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        image = gray2rgb(image)
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 2:
        raise ValueError(
            f"{what}: {path} is not an RGB or grey picture (array of shape {image.shape})"
        )
    return img_as_ubyte(image)


def read_mask(path, what="--mask-dir"):
    """The segment id of every pixel (H, W) int64 read from `path`: a grey
    picture's values, or one id per distinct colour of an RGB picture."""
    import numpy as np
    from skimage import io

    try:
        mask = np.asarray(io.imread(path))
    except Exception as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ValueError(f"{what}: cannot read {path} as a mask ({reason})") from None
    if mask.ndim == 3 and mask.shape[2] == 1:
        mask = mask[..., 0]
    if mask.ndim == 3:  # colour masks: one id per colour
        flat = mask.reshape(-1, mask.shape[2])
        _, ids = np.unique(flat, axis=0, return_inverse=True)
        mask = ids.reshape(mask.shape[:2])
    if mask.ndim != 2:
        raise ValueError(f"{what}: {path} is not a mask picture (shape {mask.shape})")
    return mask.astype(np.int64)


def downscale(image, max_side):
    """`image` shrunk so that its longer side is at most `max_side` pixels
    (`spektral_tv.datasets.images.downscale`)."""
    from spektral_tv.datasets.images import downscale as shrink

    return shrink(image, max_side)


def pixel_labels(region_labels, segments, shape):
    """The cluster of every pixel at resolution `shape` (nearest neighbour)."""
    import numpy as np

    labels = np.asarray(region_labels).astype(np.int32)[segments]
    return resize_labels(labels, shape)


def resize_labels(labels, shape):
    """Integer labels (H, W) resized to `shape` by nearest neighbour."""
    import numpy as np
    from skimage.transform import resize

    if labels.shape == tuple(shape):
        return labels
    return resize(labels, shape, order=0, preserve_range=True, anti_aliasing=False).astype(
        labels.dtype if labels.dtype.kind == "i" else np.int64
    )


# ---------------------------------------------------------------- scores


def mask_segments(mask, ignore_label=None):
    """`(ids, valid)`: the mask's segments numbered 0 .. C-1 and the boolean
    map of the pixels scored (those not equal to `ignore_label`)."""
    import numpy as np

    mask = np.asarray(mask)
    valid = np.ones(mask.shape, bool) if ignore_label is None else mask != ignore_label
    ids = np.full(mask.shape, -1, np.int64)
    ids[valid] = np.unique(mask[valid], return_inverse=True)[1].ravel()
    return ids, valid


def best_match_miou(truth, pred):
    """Mean IoU of the ground-truth segments after matching clusters to
    segments one-to-one (Hungarian method, largest total IoU); a segment
    left without a cluster (fewer clusters than segments) counts 0.

    Args:
        truth, pred: integer labels of the same pixels (1-D or any shape).

    Returns:
        A float in [0, 1].
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics.cluster import contingency_matrix

    table = contingency_matrix(np.ravel(truth), np.ravel(pred)).astype(np.float64)
    union = table.sum(axis=1, keepdims=True) + table.sum(axis=0, keepdims=True) - table
    iou = table / np.maximum(union, 1)
    rows, cols = linear_sum_assignment(iou, maximize=True)
    return float(iou[rows, cols].sum() / table.shape[0])


def score(mask, labels, ignore_label=None):
    """`{"ari", "miou"}` of pixel `labels` against `mask` (labels are
    resized to the mask's shape), leaving out `ignore_label` pixels."""
    from sklearn.metrics import adjusted_rand_score

    truth, valid = mask_segments(mask, ignore_label)
    labels = resize_labels(labels, truth.shape)
    if not valid.any():
        return {"ari": None, "miou": None}
    truth, pred = truth[valid], labels[valid]
    return {"ari": float(adjusted_rand_score(truth, pred)), "miou": best_match_miou(truth, pred)}


def ncut_regions(a, k, seed=0, max_tries=12):
    """The normalized cut (`skimage.graph.cut_normalized`) of the region
    adjacency graph `a` (scipy, similarity weights): the segment of every
    region, and the threshold used. The threshold is searched (bisection on
    its logarithm) for K segments; when no threshold gives exactly K, the
    nearest count, fewer preferred."""
    import math

    import numpy as np
    import scipy.sparse as sp
    from skimage import graph as skgraph

    a = sp.coo_matrix(a)
    n = a.shape[0]
    rag = skgraph.RAG()
    for node in range(n):
        rag.add_node(node, labels=[node])
    rag.add_weighted_edges_from(
        (int(i), int(j), float(w)) for i, j, w in zip(a.row, a.col, a.data) if i < j
    )
    regions = np.arange(n)

    def cut(threshold):
        labels = skgraph.cut_normalized(regions, rag, thresh=threshold, in_place=False, rng=seed)
        return np.unique(labels, return_inverse=True)[1].ravel()

    low, high = -8.0, 0.0  # log10 of the threshold: few cuts .. many cuts
    best = None
    for _ in range(max_tries):
        middle = (low + high) / 2
        labels = cut(10**middle)
        count = int(labels.max()) + 1
        rank = (abs(count - k), count > k)
        if best is None or rank < best[0]:
            best = (rank, labels, 10**middle)
        if count == k:
            break
        if count < k:
            low = middle
        else:
            high = middle
        if math.isclose(low, high, abs_tol=1e-3):
            break
    return best[1], best[2]


# ---------------------------------------------------------------- command line


def build_parser():
    parser = _common.experiment_parser("segment", __doc__)
    source = parser.add_argument_group("pictures (one of)")
    source.add_argument(
        "--image", default=None, help="one RGB or grey picture; default: scikit-image's coffee cup"
    )
    source.add_argument(
        "--image-dir",
        default=None,
        metavar="DIR",
        help="score every picture of DIR against its mask in --mask-dir",
    )
    source.add_argument(
        "--mask-dir",
        default=None,
        metavar="DIR",
        help="masks of --image-dir's pictures, same file stems: a grey "
        "picture of segment ids, or one colour per segment",
    )
    source.add_argument(
        "--tfds",
        default=None,
        choices=sorted(TFDS_DATASETS),
        help="score the pictures of a tensorflow-datasets dataset against its masks",
    )
    parser.add_argument("--split", default="test", help="--tfds: the split (default test)")
    parser.add_argument(
        "--data-dir",
        default=None,
        metavar="DIR",
        help="--tfds: TFDS's data folder (default ~/tensorflow_datasets)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="score at most this many pictures (default: all of --image-dir; 20 of --tfds)",
    )
    parser.add_argument(
        "--ignore-label",
        type=int,
        default=None,
        help="mask value left out of the scores (--tfds oxford_iiit_pet: 3, the border band)",
    )
    parser.add_argument(
        "--k",
        type=int,
        default=None,
        help=f"number of segments, >= 2 (default {DEFAULT_K}; when "
        "scoring, the number of segments of each mask)",
    )
    parser.add_argument(
        "--pool",
        default="mincut",
        choices=POOLS,
        help="one picture: the pool (scores: every method of --methods)",
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        default=list(METHODS),
        choices=METHODS,
        help="scores: methods to compare (default all three)",
    )
    parser.add_argument("--overseg", default="felzenszwalb", choices=OVERSEGMENTATIONS)
    parser.add_argument("--epochs", type=int, default=None, help=f"default: {DEFAULT_EPOCHS}")
    parser.add_argument(
        "--gtv-step",
        type=float,
        default=None,
        help="TVGNN: scale the region features so that the first GTVConv "
        "step is this fraction of their size (default: the "
        "features as given)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--max-side",
        type=int,
        default=MAX_SIDE,
        help="shrink larger pictures to this many pixels on the longer side",
    )
    _common.add_keras_flags(
        parser, "DIR (scores: DIR/PICTURE-POOL)", "the trained model of one picture"
    )
    _common.add_output_flags(parser, "results/segment-POOL, or results/segment-scores")
    return parser


def _paired_files(parser, image_dir, mask_dir):
    """`[(stem, image path, mask path)]` of the pictures with a mask."""

    def pictures(folder, flag):
        if not os.path.isdir(folder):
            parser.fail(f"{flag}: no such folder {folder}")
        found = {}
        for name in sorted(os.listdir(folder)):
            stem, suffix = os.path.splitext(name)
            if suffix.lower() in IMAGE_SUFFIXES and os.path.isfile(os.path.join(folder, name)):
                found.setdefault(stem, os.path.join(folder, name))
        return found

    images = pictures(image_dir, "--image-dir")
    masks = pictures(mask_dir, "--mask-dir")
    pairs = [(stem, images[stem], masks[stem]) for stem in sorted(images) if stem in masks]
    if not pairs:
        parser.fail(
            f"--image-dir {image_dir} and --mask-dir {mask_dir} have no picture "
            f"with the same file stem ({len(images)} pictures, {len(masks)} masks)"
        )
    return pairs


def _check_picture(parser, path, flag):
    """Usage error unless `path` is a file that Pillow opens as a picture."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as picture:
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        parser.fail(f"{flag}: {path} is not a picture that can be read ({type(error).__name__})")


def _parse(argv):
    """`(parser, args)` with every flag checked (no TensorFlow imported)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _common.check_minimums(parser, args, k=2, epochs=1, max_side=16, seed=0, limit=1)
    _common.check_keras_flags(parser, args)
    if args.gtv_step is not None and not args.gtv_step > 0:
        parser.fail(f"--gtv-step must be > 0, got {args.gtv_step}")
    if (args.image_dir is None) != (args.mask_dir is None):
        parser.fail("--image-dir and --mask-dir go together")
    sources = [
        flag
        for flag, value in (
            ("--image", args.image),
            ("--image-dir", args.image_dir),
            ("--tfds", args.tfds),
        )
        if value is not None
    ]
    if len(sources) > 1:
        parser.fail(f"choose one of --image, --image-dir, --tfds (got {', '.join(sources)})")
    args.scoring = bool(args.image_dir or args.tfds)
    if args.save_model is not None and args.scoring:
        parser.fail("--save-model applies to one picture (--image), not to scores")
    if args.image is not None:
        if not os.path.exists(args.image):
            parser.fail(f"--image: no such file {args.image}")
        if not os.path.isfile(args.image):
            parser.fail(f"--image: {args.image} is not a file")
        _check_picture(parser, args.image, "--image")
    args.pairs = None
    if args.image_dir is not None:
        args.pairs = _paired_files(parser, args.image_dir, args.mask_dir)[: args.limit]
        for _, image_path, mask_path in args.pairs:
            _check_picture(parser, image_path, "--image-dir")
            _check_picture(parser, mask_path, "--mask-dir")
    return parser, args


def parse_args(argv=None):
    """The checked flags; a user mistake ends with a usage error (exit 2)."""
    return _parse(argv)[1]


def main(argv=None):
    """Runs the experiment; returns the summary written to results.json."""
    parser, args = _parse(argv)
    original = None
    if not args.scoring:
        try:  # read before TensorFlow: a bad picture is a usage error
            original = read_image(args.image) if args.image else None
        except ValueError as error:
            parser.fail(str(error))
    default = "segment-scores" if args.scoring else f"segment-{args.pool}"
    out = args.out or os.path.join("results", default)
    command = _common.command_line("segment", argv)
    with _common.output_folder(out):
        if args.scoring:
            return _score(parser, args, out, command)
        return _segment_one(parser, args, out, command, original)


# ---------------------------------------------------------------- one picture


def _cluster(pool, graph, k, epochs, seed, progress, callbacks=(), gtv_step=None):
    """`(model, S, history, epoch_ms)`: `pool` trained on the region graph;
    TVGNN's features scaled for a first GTVConv step of `gtv_step`
    (`spektral_tv.training.gtv_feature_scale`) when it is given."""
    from spektral_tv import training

    x = graph.x
    if pool == "tvgnn" and gtv_step:
        config = training.CLUSTERING_MODELS[pool][1]
        x = x * training.gtv_feature_scale(
            x, graph.a, gtv_step, config["delta_coeff"], config["mp_channels"]
        )
    inputs, sparse_x = training.clustering_inputs(pool, x, graph.a)
    model, history, epoch_ms = training.train_clustering(
        pool,
        inputs,
        k,
        sparse_features=sparse_x,
        epochs=epochs,
        seed=seed,
        progress=progress,
        callbacks=callbacks,
    )
    return model, model(inputs, training=False).numpy(), history, epoch_ms


def _segment_one(parser, args, out, command, original):
    import time

    import numpy as np

    from spektral_tv import metrics, plotting
    from spektral_tv.datasets.images import (
        default_image,
        oversegment,
        region_adjacency_graph,
    )

    if original is None:
        original = default_image(args.max_side)
    image = downscale(original, args.max_side)
    k = args.k or DEFAULT_K
    epochs = args.epochs or DEFAULT_EPOCHS[args.pool]
    segments = oversegment(image, args.overseg)
    n_regions = int(segments.max()) + 1
    if n_regions <= k:
        parser.fail(
            f"--k: the over-segmentation has only {n_regions} regions, fewer than K + 1 = {k + 1}"
        )
    graph = region_adjacency_graph(image, segments)
    start = time.perf_counter()
    model, s, history, epoch_ms = _cluster(
        args.pool,
        graph,
        k,
        epochs,
        args.seed,
        progress=not args.quiet and args.pool,
        callbacks=_common.tensorboard_callbacks(args.tensorboard),
        gtv_step=args.gtv_step,
    )
    seconds = time.perf_counter() - start
    region_labels = s.argmax(axis=1)
    labels = pixel_labels(region_labels, segments, original.shape[:2])
    np.save(os.path.join(out, "labels.npy"), labels)

    edges = plotting.edge_list(graph.a)
    plotting.plot_segmentation(
        image,
        segments,
        graph.pos,
        edges,
        region_labels,
        path=os.path.join(out, "segmentation.png"),
        titles=[
            "original",
            f"over-segmentation ({args.overseg}, {graph.n_nodes} regions)",
            f"region adjacency graph ({len(edges)} edges)",
            f"{TITLES[args.pool]} (K = {k})",
        ],
    )
    summary = {
        "command": command,
        "image": args.image or "skimage.data.coffee",
        "image_shape": list(original.shape[:2]),
        "working_shape": list(image.shape[:2]),
        "pool": args.pool,
        "overseg": args.overseg,
        "k": k,
        "epochs": epochs,
        "seed": args.seed,
        "gtv_step": args.gtv_step,
        "n_regions": int(graph.n_nodes),
        "n_edges": len(edges),
        "final_loss": float(history["loss"][-1]),
        "lowest_loss": float(np.min(history["loss"])),
        "region_cluster_sizes": np.bincount(region_labels, minlength=k).tolist(),
        "pixel_cluster_sizes": np.bincount(labels.ravel(), minlength=k).tolist(),
        "mean_max_assignment": metrics.sharpness(s)["mean_max"],
        "epoch_ms": epoch_ms,
        "seconds": seconds,
    }
    _common.write_json(os.path.join(out, _common.RESULTS_FILE), summary)
    if args.save_model:
        model.save(args.save_model)
    print(
        f"{args.pool} on {summary['image']} ({args.overseg}, {graph.n_nodes} regions): "
        f"K = {k}, {epochs} epochs in {seconds:.0f} s, pixels per cluster "
        f"{summary['pixel_cluster_sizes']} -> {out}"
    )
    return summary


# ---------------------------------------------------------------- scores


def _folder_pictures(pairs):
    """`(id, image, mask)` of every picture of the folder mode."""
    for stem, image_path, mask_path in pairs:
        yield stem, read_image(image_path, "--image-dir"), read_mask(mask_path)


def _tfds_pictures(name, split, data_dir, limit):
    """`(id, image, mask)` of the first `limit` examples of a TFDS dataset."""
    import tensorflow_datasets as tfds

    from spektral_tv.datasets._paths import downloads_allowed

    try:
        dataset = tfds.load(name, split=split, data_dir=data_dir, download=downloads_allowed())
    except Exception as error:  # not downloaded and no network, bad split, ...
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise SystemExit(
            f"spektral-tv segment: error: cannot load the TFDS dataset {name!r} "
            f"(split {split!r}): {type(error).__name__}: {reason[:300]}. Run it where "
            "TFDS can download, or give --data-dir, or score a local folder with "
            "--image-dir/--mask-dir."
        ) from None
    key = TFDS_DATASETS[name]["mask"]
    for index, example in enumerate(tfds.as_numpy(dataset.take(limit))):
        file_name = example.get("file_name", b"")
        ident = (
            file_name.decode()
            if isinstance(file_name, bytes) and file_name
            else f"{split}-{index}"
        )
        yield ident, _as_rgb(example["image"]), example[key][..., 0].astype("int64")


def _as_rgb(image):
    import numpy as np

    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    return image[..., :3].astype(np.uint8)


def _score(parser, args, out, command):
    import time

    import numpy as np

    from spektral_tv.datasets.images import oversegment, region_adjacency_graph

    if args.tfds:
        table = TFDS_DATASETS[args.tfds]
        ignore = table["ignore_label"] if args.ignore_label is None else args.ignore_label
        limit = args.limit or 20
        pictures = _tfds_pictures(args.tfds, args.split, args.data_dir, limit)
        source = {"tfds": args.tfds, "split": args.split}
        dataset_k = table["k"]
    else:
        ignore = args.ignore_label
        pictures = _folder_pictures(args.pairs)
        source = {"image_dir": args.image_dir, "mask_dir": args.mask_dir}
        dataset_k = None
    epochs = {pool: args.epochs or DEFAULT_EPOCHS[pool] for pool in POOLS}
    header = {
        "command": command,
        **source,
        "overseg": args.overseg,
        "max_side": args.max_side,
        "ignore_label": ignore,
        "seed": args.seed,
        "gtv_step": args.gtv_step,
        "k": args.k or dataset_k or "segments of each mask",
        "methods": list(args.methods),
        "epochs": {p: epochs[p] for p in args.methods if p in POOLS},
    }
    previous = _common.read_results(out, args.resume) or {}
    done = {r["id"]: r for r in previous.get("images", [])}
    records, examples = [], []
    results_path = os.path.join(out, _common.RESULTS_FILE)
    summary = None
    for number, (ident, image, mask) in enumerate(pictures, 1):
        if ident in done:
            records.append(done[ident])
            continue
        work = downscale(image, args.max_side)
        segments = oversegment(work, args.overseg)
        truth, _ = mask_segments(mask, ignore)
        classes = int(truth.max()) + 1
        k = args.k or dataset_k or max(2, classes)
        record = {
            "id": ident,
            "shape": list(image.shape[:2]),
            "classes": classes,
            "k": k,
            "n_regions": int(segments.max()) + 1,
        }
        if record["n_regions"] <= k:
            record["skipped"] = f"{record['n_regions']} regions, fewer than K + 1 = {k + 1}"
            records.append(record)
            continue
        graph = region_adjacency_graph(work, segments)
        record["n_edges"] = int(graph.a.nnz // 2)
        record["scores"] = {}
        drawn = {}
        for method in args.methods:
            start = time.perf_counter()
            if method == "ncut":
                region_labels, threshold = ncut_regions(graph.a, k, seed=args.seed)
                extra = {"threshold": threshold}
            else:
                progress = False if args.quiet else f"{number} {ident[:20]} {method}"
                _, s, history, _ = _cluster(
                    method,
                    graph,
                    k,
                    epochs[method],
                    args.seed,
                    progress,
                    _common.tensorboard_callbacks(args.tensorboard, f"{ident}-{method}"),
                    args.gtv_step,
                )
                region_labels = s.argmax(axis=1)
                extra = {"lowest_loss": float(np.min(history["loss"]))}
            labels = pixel_labels(region_labels, segments, mask.shape)
            record["scores"][method] = {
                **score(mask, labels, ignore),
                "n_segments": int(np.unique(labels).size),
                "seconds": time.perf_counter() - start,
                **extra,
            }
            drawn[method] = labels
        if len(examples) < EXAMPLES:
            examples.append((ident, image, mask, drawn))
        records.append(record)
        if not args.quiet:
            scores = ", ".join(
                f"{m} ARI {r['ari']:.3f} mIoU {r['miou']:.3f}"
                for m, r in record["scores"].items()
                if r["ari"] is not None
            )
            print(
                f"{number} {ident}: {record['n_regions']} regions, K = {k}: {scores}", flush=True
            )
        summary = _score_summary(header, records, args.methods)
        _common.write_json(results_path, summary)
    summary = _score_summary(header, records, args.methods)
    if not records:
        parser.fail("no picture to score (--limit, --split?)")
    _common.write_json(results_path, summary)
    if examples:
        _examples_figure(examples, args.methods, ignore, os.path.join(out, "examples.png"))
    for method in args.methods:
        m = summary["methods"][method]
        if "ari_mean" in m:
            print(
                f"{TITLES[method]}: ARI {m['ari_mean']:.3f} ± {m['ari_std']:.3f}, "
                f"mIoU {m['miou_mean']:.3f} ± {m['miou_std']:.3f} over {m['images']} "
                "pictures"
            )
    print(f"{len(records)} picture(s) -> {out}")
    return summary


def _score_summary(header, records, methods):
    scored = [r for r in records if "scores" in r]
    per_method = {}
    for method in methods:
        values = [r["scores"][method] for r in scored if method in r["scores"]]
        per_method[method] = {
            "images": sum(v["ari"] is not None for v in values),
            **_common.mean_std(values, ("ari", "miou", "n_segments")),
        }
    return {
        **header,
        "n_images": len(records),
        "n_skipped": len(records) - len(scored),
        "methods": per_method,
        "images": records,
    }


def _examples_figure(examples, methods, ignore, path):
    import numpy as np
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2.6 * (2 + len(methods)), 2.4 * len(examples)), layout="constrained")
    axes = np.atleast_2d(fig.subplots(len(examples), 2 + len(methods), squeeze=False))
    for row, (ident, image, mask, drawn) in zip(axes, examples):
        truth, _ = mask_segments(mask, ignore)
        panels = [(image, ident[:24]), (truth, "mask")]
        panels += [(drawn[m], f"{TITLES[m]}") for m in methods if m in drawn]
        for ax, (picture, title) in zip(row, panels):
            ax.imshow(
                picture, cmap=None if picture.ndim == 3 else "tab10", interpolation="nearest"
            )
            ax.set_title(title, fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
    fig.savefig(path, dpi=80)
