"""A multinomial logistic model stored as JSON, so scoring needs numpy only.

scikit-learn fits it (graders/rubric/train.py); here it is only evaluated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MODELS_DIR = Path(__file__).resolve().parent / "models"


@dataclass(frozen=True)
class LinearModel:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray        # classes x features (or 1 x features for a regressor)
    intercept: np.ndarray
    classes: tuple[float, ...]
    meta: dict

    def decision(self, x: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(x) - self.mean) / self.scale
        return z @ self.coef.T + self.intercept

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        # A temperature fitted on cross-validated rows calibrates the confidence (train.fit_temperature).
        logits = self.decision(x) / float(self.meta.get("temperature", 1.0))
        if logits.shape[1] == 1:  # binary logistic: one column of log-odds for classes[1]
            positive = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return np.stack([1.0 - positive, positive], axis=1)
        logits = logits - logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    def to_json(self) -> str:
        return json.dumps({
            "features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "coef": self.coef.tolist(), "intercept": self.intercept.tolist(),
            "classes": list(self.classes), "meta": self.meta,
        }, indent=1)


def model_from_dict(data: dict) -> LinearModel:
    return LinearModel(
        features=tuple(data["features"]), mean=np.asarray(data["mean"], dtype=np.float64),
        scale=np.asarray(data["scale"], dtype=np.float64), coef=np.atleast_2d(np.asarray(data["coef"], dtype=np.float64)),
        intercept=np.atleast_1d(np.asarray(data["intercept"], dtype=np.float64)),
        classes=tuple(float(c) for c in data["classes"]), meta=dict(data.get("meta", {})),
    )


@lru_cache(maxsize=8)
def load_model(name: str) -> LinearModel:
    path = MODELS_DIR / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: fitted model missing; run `python -m graders.rubric train`")
    return model_from_dict(json.loads(path.read_text(encoding="utf-8")))
