"""RAN (Wang et al. 2020): region attention over the face and its crops, with the region-biased loss."""

from .layers import CROP_ANCHORS, AttentionPooling, FaceRegion, RegionCrops, RegionPooling, crop_boxes
from .loss import RegionBiasedLoss, RegionBiasedLossMetric, region_biased_loss
from .ran import DEFAULT_CROPS, FACE_MAP, RAN, REGION_ATTENTION

__all__ = [
    "CROP_ANCHORS",
    "DEFAULT_CROPS",
    "FACE_MAP",
    "RAN",
    "REGION_ATTENTION",
    "AttentionPooling",
    "FaceRegion",
    "RegionBiasedLoss",
    "RegionBiasedLossMetric",
    "RegionCrops",
    "RegionPooling",
    "crop_boxes",
    "region_biased_loss",
]
