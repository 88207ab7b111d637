"""`spektral-tv segment` (spektral_tv.experiments.segmentation) on tiny
pictures: one picture, the scores against masks (a local folder, and TFDS
offline with `tfds.testing.mock_data`), the region adjacency graph, and user
mistakes."""

import importlib.util
import json

import numpy as np
import pytest
from experiment_cli import assert_usage_error

from spektral_tv.datasets.images import (
    OVERSEGMENTATIONS,
    oversegment,
    region_adjacency_graph,
)
from spektral_tv.experiments import segmentation


def quadrants(height=48, width=64, seed=0):
    """Four flat colours with a little noise, uint8 (H, W, 3)."""
    rng = np.random.default_rng(seed)
    image = np.zeros((height, width, 3))
    image[: height // 2, : width // 2] = (220, 40, 40)
    image[: height // 2, width // 2 :] = (40, 200, 40)
    image[height // 2 :, : width // 2] = (40, 40, 220)
    image[height // 2 :, width // 2 :] = (230, 230, 60)
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def two_regions(seed, height=90, width=120):
    """A noisy disc on a noisy background and its trimap-like mask: 1 inside,
    2 outside, 3 on a 2-pixel band along the boundary (as oxford_iiit_pet)."""
    from scipy import ndimage
    from skimage import draw

    rng = np.random.default_rng(seed)
    background, foreground = np.array([40, 60, 200]), np.array([230, 150, 30])
    image = np.zeros((height, width, 3)) + background
    mask = np.full((height, width), 2, np.uint8)
    rows, cols = draw.disk(
        (height / 2 + rng.uniform(-6, 6), width / 2 + rng.uniform(-8, 8)),
        height / 3.2,
        shape=(height, width),
    )
    image[rows, cols] = foreground
    mask[rows, cols] = 1
    inside = mask == 1
    band = ndimage.binary_dilation(inside, iterations=2) & ~ndimage.binary_erosion(
        inside, iterations=2
    )
    mask[band] = 3
    image += rng.normal(0, 20, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8), mask


def picture_folders(tmp_path, n=2):
    from skimage import io

    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    for i in range(n):
        image, mask = two_regions(i)
        io.imsave(images / f"pic{i}.png", image, check_contrast=False)
        io.imsave(masks / f"pic{i}.png", mask, check_contrast=False)
    return images, masks


def run(tmp_path, *args):
    out = tmp_path / "out"
    return out, segmentation.main([*args, "--out", str(out), "--quiet"])


# ---------------------------------------------------------------- the graph


@pytest.mark.parametrize("method", ["felzenszwalb", "slic"])
def test_region_adjacency_graph(method):
    image = quadrants()
    segments = oversegment(
        image, method, **({"min_size": 10} if method == "felzenszwalb" else {"n_segments": 30})
    )
    graph = region_adjacency_graph(image, segments)
    n = int(segments.max()) + 1
    assert graph.x.shape == (n, 6) and graph.a.shape == (n, n) and graph.pos.shape == (n, 2)
    a = graph.a.toarray()
    np.testing.assert_allclose(a, a.T)
    assert np.all(np.diag(a) == 0) and np.all((a >= 0) & (a <= 1)) and a.sum() > 0
    # mean and total colour, each divided by its largest entry
    assert np.isclose(graph.x[:, :3].max(), 1) and np.isclose(graph.x[:, 3:].max(), 1)
    assert graph.pos[:, 0].max() < image.shape[1] and graph.pos[:, 1].max() < image.shape[0]


def test_command_line_names_the_package_over_segmentations():
    # Named in the module so that flags are checked before TensorFlow loads.
    assert segmentation.OVERSEGMENTATIONS == tuple(sorted(OVERSEGMENTATIONS))


# ---------------------------------------------------------------- one picture


@pytest.mark.parametrize("pool, overseg", [("mincut", "felzenszwalb"), ("tvgnn", "slic")])
def test_one_picture_writes_labels_and_figure(tmp_path, pool, overseg):
    from skimage import io

    path = tmp_path / "quadrants.png"
    io.imsave(path, quadrants())
    out, summary = run(
        tmp_path,
        "--image",
        str(path),
        "--k",
        "3",
        "--pool",
        pool,
        "--overseg",
        overseg,
        "--epochs",
        "3",
    )
    labels = np.load(out / "labels.npy")
    assert labels.shape == (48, 64) and np.issubdtype(labels.dtype, np.integer)
    assert labels.min() >= 0 and labels.max() < 3
    saved = json.loads((out / "results.json").read_text())
    assert saved == json.loads(json.dumps(summary))
    assert saved["k"] == 3 and saved["pool"] == pool
    assert saved["command"].startswith("spektral-tv segment --image")
    assert sum(saved["pixel_cluster_sizes"]) == 48 * 64
    assert (out / "segmentation.png").stat().st_size > 5000


def test_default_picture_is_shrunk_and_labels_keep_its_shape(tmp_path):
    out, summary = run(tmp_path, "--epochs", "2", "--max-side", "80")
    assert max(summary["working_shape"]) == 80 and summary["k"] == 4
    assert np.load(out / "labels.npy").shape == tuple(summary["image_shape"])


def test_gtv_step_and_saved_model(tmp_path):
    import tf_keras as keras

    path = tmp_path / "segment.keras"
    out, summary = run(
        tmp_path,
        "--pool",
        "tvgnn",
        "--epochs",
        "2",
        "--max-side",
        "64",
        "--gtv-step",
        "0.8",
        "--save-model",
        str(path),
    )
    assert summary["gtv_step"] == 0.8
    model = keras.models.load_model(path)  # no custom_objects
    assert model.output_shape == (None, 4)


def test_tensorboard_logs(tmp_path):
    pytest.importorskip("tensorboard")
    logs = tmp_path / "logs"
    run(
        tmp_path,
        "--pool",
        "tvgnn",
        "--epochs",
        "2",
        "--max-side",
        "64",
        "--tensorboard",
        str(logs),
    )
    assert list(logs.rglob("events.out.tfevents.*"))


# ---------------------------------------------------------------- scores


def test_scores_are_exact_for_a_perfect_and_a_relabelled_answer():
    truth = np.array([[0, 0, 1, 1], [0, 0, 1, 9]])
    assert segmentation.score(truth, truth, ignore_label=9) == {"ari": 1.0, "miou": 1.0}
    swapped = 1 - np.minimum(truth, 1)
    assert segmentation.score(truth, swapped, ignore_label=9) == {"ari": 1.0, "miou": 1.0}
    # one cluster for everything: ARI 0; the matched segment's IoU 4/7, the other 0
    result = segmentation.score(truth, np.zeros_like(truth), ignore_label=9)
    assert result["ari"] == 0.0 and result["miou"] == pytest.approx(4 / 7 / 2)
    # labels at another resolution are resized to the mask's
    big = np.kron(np.array([[0, 1], [0, 1]]), np.ones((2, 2), int))
    assert segmentation.score(np.array([[0, 1], [0, 1]]), big)["miou"] == 1.0


def test_ncut_gives_k_segments_of_two_cliques():
    import scipy.sparse as sp

    block = np.ones((5, 5)) - np.eye(5)
    a = np.block([[block, np.zeros((5, 5))], [np.zeros((5, 5)), block]])
    a[4, 5] = a[5, 4] = 0.05
    labels, threshold = segmentation.ncut_regions(sp.csr_matrix(a), 2)
    assert threshold > 0 and len(set(labels[:5])) == 1 and len(set(labels[5:])) == 1
    assert labels[0] != labels[9]


def test_folder_mode_scores_every_method(tmp_path):
    images, masks = picture_folders(tmp_path, n=2)
    out, summary = run(
        tmp_path,
        "--image-dir",
        str(images),
        "--mask-dir",
        str(masks),
        "--ignore-label",
        "3",
        "--epochs",
        "40",
    )
    saved = json.loads((out / "results.json").read_text())
    assert saved["n_images"] == 2 and saved["ignore_label"] == 3
    assert saved["command"].startswith("spektral-tv segment --image-dir")
    for record in saved["images"]:
        assert record["classes"] == 2 and record["k"] == 2 and record["n_regions"] > 2
        assert sorted(record["scores"]) == ["mincut", "ncut", "tvgnn"]
        for scores in record["scores"].values():
            assert -1 <= scores["ari"] <= 1 and 0 <= scores["miou"] <= 1
    for method in ("mincut", "tvgnn", "ncut"):
        m = saved["methods"][method]
        values = [r["scores"][method]["ari"] for r in saved["images"]]
        assert m["images"] == 2 and m["ari_mean"] == pytest.approx(np.mean(values))
    # A disc on a background in two colours: the non-learned baseline finds it.
    assert saved["methods"]["ncut"]["miou_mean"] > 0.9
    assert (out / "examples.png").stat().st_size > 5000


def test_folder_mode_resume_limit_k_and_methods(tmp_path):
    images, masks = picture_folders(tmp_path, n=2)
    common = (
        "--image-dir",
        str(images),
        "--mask-dir",
        str(masks),
        "--methods",
        "ncut",
        "--k",
        "3",
    )
    out, first = run(tmp_path, *common, "--limit", "1")
    assert first["n_images"] == 1 and first["images"][0]["k"] == 3
    assert list(first["methods"]) == ["ncut"]
    _, resumed = run(tmp_path, *common, "--resume")
    assert [r["id"] for r in resumed["images"]] == ["pic0", "pic1"]
    assert resumed["images"][0] == first["images"][0]


def test_tfds_mode_offline_with_mock_data(tmp_path):
    """Random mock examples (image and mask of different sizes, mask values
    0-254): the pipeline runs and the scores stay in range."""
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=2):
        out, summary = run(
            tmp_path,
            "--tfds",
            "oxford_iiit_pet",
            "--limit",
            "2",
            "--epochs",
            "2",
            "--max-side",
            "64",
            "--methods",
            "mincut",
            "ncut",
        )
    assert summary["tfds"] == "oxford_iiit_pet" and summary["ignore_label"] == 3
    assert summary["n_images"] == 2 and summary["k"] == 2
    for record in summary["images"]:
        for scores in record.get("scores", {}).values():
            assert -1 <= scores["ari"] <= 1 and 0 <= scores["miou"] <= 1


def test_tfds_mode_reads_trimaps(tmp_path):
    """Mock examples shaped as oxford_iiit_pet's (image, segmentation_mask of
    1 pet, 2 background, 3 border): the border is left out, K = 2."""
    import tensorflow as tf
    import tensorflow_datasets as tfds

    pictures = [two_regions(seed) for seed in (5, 6)]

    def as_dataset(self, *args, **kwargs):
        return tf.data.Dataset.from_generator(
            lambda: (
                {
                    "image": image,
                    "segmentation_mask": mask[..., None],
                    "file_name": f"pet{i}.jpg".encode(),
                    "label": 0,
                    "species": 0,
                }
                for i, (image, mask) in enumerate(pictures)
            ),
            output_signature={
                "image": tf.TensorSpec((None, None, 3), tf.uint8),
                "segmentation_mask": tf.TensorSpec((None, None, 1), tf.uint8),
                "file_name": tf.TensorSpec((), tf.string),
                "label": tf.TensorSpec((), tf.int64),
                "species": tf.TensorSpec((), tf.int64),
            },
        )

    with tfds.testing.mock_data(as_dataset_fn=as_dataset):
        _, summary = run(tmp_path, "--tfds", "oxford_iiit_pet", "--methods", "ncut")
    assert [r["id"] for r in summary["images"]] == ["pet0.jpg", "pet1.jpg"]
    assert all(r["classes"] == 2 and r["k"] == 2 for r in summary["images"])
    assert summary["methods"]["ncut"]["miou_mean"] > 0.9


# ---------------------------------------------------------------- user mistakes


def _mistakes(tmp_path):
    (tmp_path / "not_an_image.jpeg").write_text("hello")
    (tmp_path / "empty").mkdir()
    return [
        (["--k", "1"], "--k must be >= 2"),
        (["--epochs", "0"], "--epochs must be >= 1"),
        (["--max-side", "4"], "--max-side must be >= 16"),
        (["--image", str(tmp_path / "missing.jpeg")], "--image: no such file"),
        (["--image", str(tmp_path)], "is not a file"),
        (["--image", str(tmp_path / "not_an_image.jpeg")], "not a picture that can be read"),
        (["--image-dir", str(tmp_path)], "--image-dir and --mask-dir go together"),
        (
            ["--image-dir", str(tmp_path / "nosuch"), "--mask-dir", str(tmp_path)],
            "--image-dir: no such folder",
        ),
        (
            ["--image-dir", str(tmp_path / "empty"), "--mask-dir", str(tmp_path / "empty")],
            "no picture with the same file stem",
        ),
        (
            ["--image", str(tmp_path / "not_an_image.jpeg"), "--tfds", "oxford_iiit_pet"],
            "choose one of",
        ),
        (["--tfds", "voc"], "invalid choice"),
        (["--tfds", "oxford_iiit_pet", "--save-model", "m.keras"], "--save-model applies to one"),
        (["--save-model", "m.h5"], "--save-model must end in .keras"),
        (["--gtv-step", "0"], "--gtv-step must be > 0"),
        (["--limit", "0", "--tfds", "oxford_iiit_pet"], "--limit must be >= 1"),
    ] + (
        []
        if importlib.util.find_spec("tensorboard")
        else [(["--tensorboard", str(tmp_path / "logs")], "--tensorboard needs the tensorboard")]
    )


def test_user_mistakes_exit_2_with_one_line_and_no_folder(tmp_path):
    for flags, message in _mistakes(tmp_path):
        assert_usage_error(tmp_path, "segment", flags, message)


def test_unreadable_mask_is_a_usage_error_naming_the_file(tmp_path):
    images, masks = picture_folders(tmp_path, n=1)
    (masks / "pic0.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(SystemExit) as stop:
        segmentation.main(
            [
                "--image-dir",
                str(images),
                "--mask-dir",
                str(masks),
                "--out",
                str(tmp_path / "never"),
            ]
        )
    assert stop.value.code == 2 and not (tmp_path / "never").exists()


def test_too_few_regions_for_k_is_a_usage_error_and_leaves_no_folder(tmp_path, capsys):
    from skimage import io

    path = tmp_path / "flat.png"
    io.imsave(path, np.full((40, 40, 3), 128, np.uint8), check_contrast=False)
    with pytest.raises(SystemExit) as stop:
        segmentation.main(["--image", str(path), "--k", "3", "--out", str(tmp_path / "never")])
    assert stop.value.code == 2
    assert "--k: the over-segmentation has only 1 regions" in capsys.readouterr().err
    assert not (tmp_path / "never").exists()


def test_tfds_without_network_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("SPEKTRAL_TV_OFFLINE", "1")
    with pytest.raises(SystemExit) as stop:
        segmentation.main(
            [
                "--tfds",
                "oxford_iiit_pet",
                "--data-dir",
                str(tmp_path / "tfds"),
                "--out",
                str(tmp_path / "never"),
                "--quiet",
            ]
        )
    assert "cannot load the TFDS dataset 'oxford_iiit_pet'" in str(stop.value.code)
    assert "--image-dir" in str(stop.value.code)
    assert not (tmp_path / "never").exists()
