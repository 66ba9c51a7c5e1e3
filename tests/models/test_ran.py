"""RAN (Wang et al. 2020): region-biased loss and attention pooling by hand, crop geometry, the shared trunk,
the published count, and the loss actually moving attention from the whole face to a crop.

Build/forward/round-trip/training/JAX checks for every model, and the count within 2 %, are in
test_zoo_common.py.
"""

from __future__ import annotations

import cv2
import keras
import numpy as np
import pytest
from test_zoo_common import eye_region_batch

from maskthefer.errors import MaskTheFERError
from maskthefer.models import PREDICTIONS, create_model, model_spec
from maskthefer.models.ran import (
    DEFAULT_CROPS,
    FACE_MAP,
    REGION_ATTENTION,
    AttentionPooling,
    RegionBiasedLoss,
    RegionBiasedLossMetric,
    RegionCrops,
    crop_boxes,
    region_biased_loss,
)

TINY = model_spec("ran").tiny_config

# Self-attention weights of three faces over (whole face, crop 1, crop 2); binary fractions, so exact in float32.
ATTENTION = np.array([[0.5, 0.625, 0.25], [0.75, 0.625, 0.25], [0.25, 0.875, 0.125]], np.float32)
# By hand, margin 0.125: best crop minus face = 0.125, -0.125, 0.625 -> max(0, 0.125 - gap) = 0, 0.25, 0.
PER_FACE = [0.0, 0.25, 0.0]


def test_region_biased_loss_hand_checked():
    np.testing.assert_array_equal(np.asarray(region_biased_loss(ATTENTION, margin=0.125)), PER_FACE)
    labels = keras.utils.to_categorical([0, 3, 6], 7)  # what a trainer passes; the loss has no target and ignores it
    assert float(RegionBiasedLoss(margin=0.125)(labels, ATTENTION)) == pytest.approx(0.25 / 3)
    assert float(RegionBiasedLoss(margin=0.125, weight=2.0)(labels, ATTENTION)) == pytest.approx(0.5 / 3)
    assert float(RegionBiasedLoss(margin=0.125)(labels[[0, 2]], ATTENTION[[0, 2]])) == 0.0  # a crop ahead in both
    # The metric averages over every face of the epoch, not over batch means.
    metric = RegionBiasedLossMetric(margin=0.125)
    metric.update_state(labels[:2], ATTENTION[:2])
    metric.update_state(labels[2:], ATTENTION[2:])
    assert float(metric.result()) == pytest.approx(0.25 / 3)
    restored = RegionBiasedLoss.from_config(RegionBiasedLoss(margin=0.3, weight=0.5).get_config())
    assert (restored.margin, restored.weight) == (0.3, 0.5)


def test_attention_pooling_is_the_weighted_mean_of_the_paper():
    values = np.array([[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]], np.float32)
    # sum w v / sum w with w = (1, 0.5, 0.5): (1 * [1, 2] + 0.5 * [3, 4] + 0.5 * [5, 6]) / 2 = [2.5, 3.5]
    weights = np.array([[[1.0], [0.5], [0.5]]], np.float32)
    np.testing.assert_allclose(np.asarray(AttentionPooling()([values, weights])), [[2.5, 3.5]], rtol=1e-6)


def test_crop_boxes_hand_checked():
    # 0.75 of 48x96 is 36x72; the free margins are 12 rows and 24 columns.
    assert crop_boxes(48, 96, DEFAULT_CROPS, 0.75) == [
        (0, 0, 48, 96),  # the whole face comes first
        (0, 0, 36, 72),  # top-left
        (0, 24, 36, 72),  # top-right
        (12, 12, 36, 72),  # center-down
        (12, 0, 36, 72),  # bottom-left
        (12, 24, 36, 72),  # bottom-right
    ]


def test_region_crops_stack_the_face_and_its_resized_crops(fer_faces):
    images, _ = eye_region_batch(fer_faces, 7, n=2)
    stacked = np.asarray(RegionCrops(DEFAULT_CROPS, 0.75)(images))
    assert stacked.shape == (2 * 6, 48, 96, 1)
    boxes = crop_boxes(48, 96, DEFAULT_CROPS, 0.75)
    for face in range(2):
        np.testing.assert_array_equal(stacked[face * 6], images[face])  # region 0: the face, untouched
        for region, (top, left, height, width) in enumerate(boxes[1:], start=1):
            crop = images[face, top : top + height, left : left + width, 0]
            expected = cv2.resize(crop, (96, 48), interpolation=cv2.INTER_LINEAR)  # an independent bilinear resize
            np.testing.assert_allclose(stacked[face * 6 + region, ..., 0], expected, atol=1e-5)


def test_one_trunk_is_shared_by_all_regions_and_grad_cam_reads_the_whole_face(fer_faces):
    keras.utils.set_random_seed(0)
    model = create_model("ran", **TINY)
    images, _ = eye_region_batch(fer_faces, 7, n=3)
    trunk_end = model.get_layer("stage4_block1_out").output  # blocks (1, 1, 1, 1): the trunk's last layer
    face_map, attention = model.get_layer(FACE_MAP).output, model.get_layer(REGION_ATTENTION).output
    probe = keras.Model(model.input, [trunk_end, face_map, attention])
    stacked, face, attention = (np.asarray(o) for o in probe(images, training=False))
    assert stacked.shape[0] == 3 * 6 and face.shape == (3, *stacked.shape[1:])
    np.testing.assert_array_equal(face, stacked[0::6])  # region 0 of every face, in batch order
    assert attention.shape == (3, 6) and np.all((attention > 0) & (attention < 1))
    # Sharing means RAN has exactly ResNet-18's convolutions, not six copies.
    resnet = create_model("resnet18", **TINY)
    conv_count = lambda m: sum(isinstance(layer, keras.layers.Conv2D) for layer in m.layers)  # noqa: E731
    assert conv_count(model) == conv_count(resnet)


def test_full_size_count_is_resnet18_plus_the_attention_heads_and_matches_the_released_code():
    model = create_model("ran")
    resnet = create_model("resnet18")
    trunk = resnet.count_params() - (512 * 7 + 7)  # without ResNet-18's classifier
    heads = (512 + 1) + (1024 + 1) + (1024 * 7 + 7)  # self-attention FC, relation-attention FC, classifier on [f : F_m]
    assert model.count_params() == trunk + heads == 11_185_993
    # The authors' released PyTorch model (3-channel 7x7 stem, 8 classes) has 11,186,250 trainable parameters.
    assert abs(model.count_params() / model_spec("ran").published_params - 1) < 1e-3
    assert model.get_layer("features").output.shape == (None, 1024)
    assert model.get_layer(FACE_MAP).output.shape == (None, 6, 12, 512)


# The RB-Loss alone leaves the classifier and the relation attention without gradients, as it should.
@pytest.mark.filterwarnings("ignore:Gradients do not exist for variables:UserWarning")
def test_region_biased_loss_moves_attention_from_the_face_to_a_crop(fer_faces):
    """Trained on the RB-Loss alone, the gap (best crop minus whole face) must grow: the loss has a gradient."""
    keras.utils.set_random_seed(0)
    model = create_model("ran", rb_margin=0.5, **TINY)
    images, labels = eye_region_batch(fer_faces, 7)
    losses = {PREDICTIONS: None, REGION_ATTENTION: model.output_losses()[REGION_ATTENTION]}
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss=losses)
    targets = {PREDICTIONS: keras.utils.to_categorical(labels, 7), REGION_ATTENTION: np.zeros((len(images), 6))}

    def gap() -> float:
        attention = np.asarray(model(images, training=False)[1])
        return float(np.mean(attention[:, 1:].max(axis=1) - attention[:, 0]))

    before = gap()
    for _ in range(5):
        model.train_on_batch(images, targets)
    assert gap() > before + 1e-3


def test_output_losses_and_metrics():
    model = create_model("ran", rb_margin=0.2, rb_weight=0.5, **TINY)
    losses = model.output_losses()
    assert model.output_names == [PREDICTIONS, REGION_ATTENTION]
    assert losses[PREDICTIONS] == "categorical_crossentropy"
    assert isinstance(losses[REGION_ATTENTION], RegionBiasedLoss)
    assert (losses[REGION_ATTENTION].margin, losses[REGION_ATTENTION].weight) == (0.2, 0.5)
    assert model.output_metrics()[REGION_ATTENTION][0].margin == 0.2


@pytest.mark.parametrize(
    "kwargs, message",
    [({"crops": ("top-left", "left-eye")}, "unknown RAN crop 'left-eye'"), ({"crop_scale": 1.5}, "crop_scale")],
)
def test_bad_options_are_clear_errors(kwargs, message):
    with pytest.raises(MaskTheFERError, match=message):
        create_model("ran", **{**TINY, **kwargs})
