"""Benchmark the sentence classifier: model load time and predict_proba throughput.

Usage: .venv/bin/python benchmarks/bench_classifier.py [--model PATH] [--sentences N] [--repeat R]

Sentences come from the annotation set (cycled up to N), so the text has the length and
vocabulary of real plan sentences. Prints one line per figure; keep runs short on shared machines.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    from svmine.detect.classifier import default_model_path, load_classifier
    from svmine.detect.training import default_annotations_path, load_annotations

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--sentences", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    path = args.model or default_model_path()
    load_s = best_of(args.repeat, lambda: load_classifier(path))
    clf = load_classifier(path)
    if clf is None:
        raise SystemExit(f"no model at {path}; run `svmine train` first")
    texts = [r["text"] for r in load_annotations(default_annotations_path())]
    sentences = (texts * (args.sentences // len(texts) + 1))[: args.sentences]
    words = sum(len(s.split()) for s in sentences)
    print(f"model: {path} ({path.stat().st_size / 1e6:.2f} MB)")
    print(f"load (sha256 + type check + skops load): {load_s * 1000:.0f} ms (best of {args.repeat})")
    print(f"sentences: {len(sentences)}, mean words/sentence {words / len(sentences):.1f}")
    for batch in (1, 32, 256, len(sentences)):
        chunks = [sentences[i:i + batch] for i in range(0, len(sentences), batch)]
        if batch == 1:
            chunks = chunks[:500]  # one at a time is slow: time a sample
        n = sum(len(c) for c in chunks)
        secs = best_of(args.repeat, lambda: [clf.predict_proba(c) for c in chunks])
        print(f"predict_proba batch {batch:>5}: {n / secs:>9,.0f} sentences/s  ({words / len(sentences) * n / secs:>11,.0f} words/s)")
    lat = [best_of(1, lambda: clf.predict_proba([sentences[0]])) for _ in range(50)]
    print(f"single-sentence latency: median {statistics.median(lat) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
