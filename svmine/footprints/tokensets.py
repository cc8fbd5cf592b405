"""Word-set similarity of many queries against fixed reference names, with sparse matrices.

``rapidfuzz.fuzz.token_set_ratio`` inside ``process.cdist`` costs ~60x more than ``ratio`` (it
builds sets per pair); the resolver needs it for every query x reference name. Here each name is
a row of a sparse word-incidence matrix, so one product gives, for all pairs at once, the number
and the total length of the shared words, from which:

- a *subset* (one side's words all in the other, at least one shared) scores 100, as
  ``token_set_ratio`` does;
- otherwise the score is ``token_set_ratio``'s "intersection vs intersection + rest" terms,
  ``2|s| / (2|s| + 1 + |d|)`` with ``s`` the shared words and ``d`` one side's other words (its
  third term, comparing the two rests, is left to ``token_sort_ratio``, which the resolver also
  takes);
- ``extra_place`` marks pairs where one side has a place word the other lacks.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


class TokenSets:
    def __init__(self, names: list[str], places: frozenset[str]):
        words = sorted({w for name in names for w in name.split()})
        self._vocab = {w: i for i, w in enumerate(words)}
        self._places = places
        rows, cols = [], []
        for i, name in enumerate(names):
            for w in set(name.split()):
                rows.append(i)
                cols.append(self._vocab[w])
        incidence = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(names), len(words)))
        self._names_t = incidence.T.tocsr()
        self._count, self._chars, self._place_count = _stats([set(n.split()) for n in names], places)

    def score(self, queries: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(token-set scores 0-100, extra place word) for every query x name pair.

        Only pairs sharing a word can score above 0, and those are few: the arithmetic runs on
        the non-zero entries of the sparse products and is scattered into the dense result.
        """
        sets = [set(q.split()) for q in queries]
        q_count, q_chars, q_places = _stats(sets, self._places)
        shared = self._product(sets, lambda w: 1.0)
        chars = self._product(sets, len)
        places = self._product(sets, lambda w: 2.0 if w in self._places else 1.0)  # same non-zeros as shared
        if not (np.array_equal(shared.indices, chars.indices) and np.array_equal(shared.indices, places.indices)):
            raise AssertionError("sparse products with different patterns")  # cannot happen: same structure
        rows = np.repeat(np.arange(len(sets)), np.diff(shared.indptr))
        cols = shared.indices
        n, c, p = shared.data, chars.data, places.data - shared.data
        sect = c + np.maximum(n - 1, 0)
        rest_q = (q_chars[rows] - c) + np.maximum(q_count[rows] - n - 1, 0)
        rest_n = (self._chars[cols] - c) + np.maximum(self._count[cols] - n - 1, 0)
        partial = np.maximum(2 * sect / (2 * sect + 1 + rest_q), 2 * sect / (2 * sect + 1 + rest_n)) * 100
        subset = (n == q_count[rows]) | (n == self._count[cols])
        scores = np.zeros((len(sets), len(self._count)), dtype=np.float32)
        scores[rows, cols] = np.where(subset, 100.0, partial)
        extra = np.zeros(scores.shape, dtype=bool)  # pairs sharing no word score 0: the flag is moot
        extra[rows, cols] = (p < q_places[rows]) | (p < self._place_count[cols])
        return scores, extra

    def _product(self, sets: list[set[str]], weight) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for i, words in enumerate(sets):
            for w in words:
                j = self._vocab.get(w)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    vals.append(weight(w))
        queries = sparse.csr_matrix((vals, (rows, cols)), shape=(len(sets), len(self._vocab)))
        product = (queries @ self._names_t).tocsr()
        product.sort_indices()
        return product


def _stats(sets: list[set[str]], places: frozenset[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per word set: number of words, total letters, number of place words."""
    count = np.array([len(s) for s in sets], dtype=np.float64)
    chars = np.array([sum(len(w) for w in s) for s in sets], dtype=np.float64)
    place = np.array([sum(w in places for w in s) for s in sets], dtype=np.float64)
    return count, chars, place
