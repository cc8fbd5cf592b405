"""SHA-256 of a file: the one way svmine fingerprints documents, models, annotation sets and
cached page images (store rows, manifests, corpus checksums and model metadata compare these)."""

from __future__ import annotations

import hashlib
import os

BLOCK = 1 << 20  # read in 1 MiB blocks: a large PDF or model never sits whole in memory


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
