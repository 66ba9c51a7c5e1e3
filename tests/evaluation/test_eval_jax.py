"""Evaluation on KERAS_BACKEND=jax with TensorFlow absent (simulated: sys.modules['tensorflow'] = None)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from maskthefer.evaluation import evaluate_run
from maskthefer.labels import EMOTIONS

from .test_eval_run import _check_against_sklearn, _predictions

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    sys.modules["tensorflow"] = None  # TensorFlow "not installed" from here on
    os.environ["KERAS_BACKEND"] = "jax"
    import keras
    assert keras.backend.backend() == "jax", keras.backend.backend()
    from click.testing import CliRunner
    from maskthefer.cli import main
    from maskthefer.evaluation import evaluate_run, explain_run

    run, out = sys.argv[1], sys.argv[2]
    report = evaluate_run(run, out_dir=os.path.join(out, "eval"), confusion=True)
    cli_eval = CliRunner().invoke(main, ["evaluate", "--run", run, "--out", os.path.join(out, "eval-cli")])
    cli_gradcam = CliRunner().invoke(main, ["explain", "--run", run, "--method", "gradcam"])
    explained = explain_run(run, method=None, tsne_samples=60, out_dir=os.path.join(out, "explain"), curves=False)
    print(json.dumps({
        "accuracy": report.main.metrics.accuracy,
        "impact_rows": len(report.impact),
        "cli_eval": [cli_eval.exit_code, cli_eval.output],
        "cli_gradcam": [cli_gradcam.exit_code, cli_gradcam.output],
        "explain_files": sorted(p.name for p in explained.files),
        "tensorflow_loaded": sorted(
            name for name, module in sys.modules.items()
            if name.split(".")[0] in ("tensorflow", "tf_keras_vis") and module is not None
        ),
    }))
    """
)


@pytest.mark.slow
def test_evaluate_on_jax_without_tensorflow(run_copy, tmp_path):
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(run_copy), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["tensorflow_loaded"] == []

    # Same numbers as sklearn on the jax predictions, and the same predictions as on TensorFlow.
    jax_metrics = _check_against_sklearn(tmp_path / "eval", EMOTIONS)
    assert jax_metrics["backend"] == "jax" and result["impact_rows"] == len(EMOTIONS) + 1
    assert (tmp_path / "eval" / "confusion_normalized.png").is_file()
    evaluate_run(run_copy, out_dir=tmp_path / "tf", confusion=False)
    _, jax_pred, jax_probs = _predictions(tmp_path / "eval" / "predictions.csv", EMOTIONS)
    _, tf_pred, tf_probs = _predictions(tmp_path / "tf" / "predictions.csv", EMOTIONS)
    assert np.allclose(jax_probs, tf_probs, atol=1e-4)
    # The argmax may differ only where two classes are tied to within float error.
    for i in np.flatnonzero(jax_pred != tf_pred):
        assert abs(tf_probs[i, jax_pred[i]] - tf_probs[i, tf_pred[i]]) < 1e-4

    exit_code, output = result["cli_eval"]
    assert exit_code == 0 and "overall accuracy" in output
    # Grad-CAM needs TensorFlow: one clear line, no traceback; t-SNE works without it.
    exit_code, output = result["cli_gradcam"]
    assert exit_code != 0 and "Traceback" not in output
    assert "needs TensorFlow" in output and "--method none" in output
    assert "tsne.png" in result["explain_files"]
