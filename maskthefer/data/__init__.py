"""The data path: sources -> faces -> masks -> crops -> records. Needs no deep-learning framework.

    from maskthefer.data.build import BuildOptions, build_dataset
    from maskthefer.data.records import load_split, read_manifest
    from maskthefer.data.pipeline import FacePipeline, PipelineSettings
"""
