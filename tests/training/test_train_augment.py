"""Table II augmentation: the unit mapping, the device layers (train-only) and ImageDataGenerator agreeing."""

from __future__ import annotations

import math
from dataclasses import asdict

import numpy as np
import pytest

from maskthefer.training import Augmentation
from maskthefer.training.augment import image_data_generator, layer_arguments
from maskthefer.training.data import IDGTransform
from maskthefer.training.preprocessing import PixelPreprocessing


def fer_crops(rows, n=16) -> np.ndarray:
    """Real FER2013 faces stretched to 48x96 crops, (n, 48, 96, 1) uint8."""
    import cv2

    return np.stack([cv2.resize(pixels, (96, 48)) for _, pixels, _ in rows[:n]])[..., None]


def test_layer_arguments_express_table_ii_in_layer_units():
    args = layer_arguments(Augmentation(), height=48, width=96)
    assert args["RandomFlip"] == {"mode": "horizontal"}
    assert args["RandomRotation"]["factor"] == pytest.approx(15 / 360)  # a fraction of a full turn
    assert args["RandomZoom"]["height_factor"] == args["RandomZoom"]["width_factor"] == (-0.1, 0.1)
    # ImageDataGenerator shifts rows by width_shift * W pixels and columns by height_shift * H pixels.
    assert args["RandomTranslation"]["height_factor"] == pytest.approx((-0.16, 0.16))
    assert args["RandomTranslation"]["width_factor"] == pytest.approx((-0.04, 0.04))
    assert args["RandomShear"]["x_factor"] == pytest.approx((0.0, math.sin(math.radians(0.1))))
    square = layer_arguments(Augmentation(), height=64, width=64)["RandomTranslation"]
    assert square["height_factor"] == pytest.approx((-0.08, 0.08))


def test_layers_change_images_in_training_and_are_identity_at_inference(fer_faces):
    crops = fer_crops(fer_faces)
    layer = PixelPreprocessing(asdict(Augmentation()), 48, 96, seed=3)
    inference = np.asarray(layer(crops, training=False))
    np.testing.assert_allclose(inference, crops.astype(np.float32) / 255.0, rtol=0, atol=1e-7)
    trained = np.asarray(layer(crops, training=True))
    assert trained.shape == crops.shape and trained.dtype == np.float32
    assert 0.0 <= trained.min() and trained.max() <= 1.0
    changed = np.abs(trained - inference).mean(axis=(1, 2, 3)) > 0.01
    assert changed.all()  # every face got its own random transformation
    again = np.asarray(layer(crops, training=True))
    assert not np.allclose(again, trained)  # fresh draws on every call


def test_layer_config_round_trips_with_table_ii_arguments():
    import keras

    layer = PixelPreprocessing(asdict(Augmentation(zoom=0.15)), 48, 96, seed=1, name="pre")
    restored = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(restored, PixelPreprocessing)
    assert restored.augmentation["zoom"] == 0.15 and [t.name for t in restored.transforms] == [
        t.name for t in layer.transforms
    ]


def _dot_centres(images: np.ndarray) -> np.ndarray:
    """(row, col) centre of mass of the bright dot in each image."""
    weights = images[..., 0].astype(np.float64)
    rows, cols = np.mgrid[: images.shape[1], : images.shape[2]]
    total = weights.sum(axis=(1, 2))
    return np.stack([(weights * rows).sum(axis=(1, 2)) / total, (weights * cols).sum(axis=(1, 2)) / total], 1)


def test_shift_ranges_of_layers_match_image_data_generator():
    """The documented axis swap: on 48x96 both ways move a dot up to ~7.7 px vertically, ~3.8 px sideways."""
    shifts_only = Augmentation(horizontal_flip=False, rotation_degrees=0, zoom=0, shear_degrees=0)
    dot = np.zeros((200, 48, 96, 1), np.uint8)
    dot[:, 21:27, 45:51] = 255
    centre = _dot_centres(dot[:1])[0]

    idg = IDGTransform(image_data_generator(shifts_only), seed=0)(dot, epoch=0, index=0)
    layer = PixelPreprocessing(asdict(shifts_only), 48, 96, seed=0)
    device = np.asarray(layer(dot, training=True)) * 255.0
    for moved in (idg, device):
        offset = np.abs(_dot_centres(moved) - centre)
        assert 6.0 < offset[:, 0].max() <= 7.8  # rows: width_shift 0.08 * 96 columns
        assert 2.5 < offset[:, 1].max() <= 4.0  # columns: height_shift 0.08 * 48 rows


def test_image_data_generator_transform_keeps_batch_shape_and_varies(fer_faces):
    crops = fer_crops(fer_faces, 8)
    transform = IDGTransform(image_data_generator(Augmentation()), seed=0)
    out = transform(crops, epoch=0, index=0)
    assert out.shape == crops.shape and out.dtype == np.float32
    assert np.abs(out - crops).mean() > 1.0  # pixel units 0..255
    np.testing.assert_array_equal(out, transform(crops, epoch=0, index=0))  # reproducible per (epoch, batch)
    assert not np.array_equal(out, transform(crops, epoch=1, index=0))
