"""Detection: social value and VCSE mentions (spaCy rules + classifier), context and policy facts.

Heavy imports (spaCy) happen on first use of these names, so importing ``svmine.detect`` (e.g.
for ``svmine.detect.classifier``) stays cheap.
"""

from __future__ import annotations

__all__ = ["Detector", "DetectionResult", "make_pipeline"]


def __getattr__(name: str):
    if name in ("Detector", "DetectionResult"):
        from svmine.detect import detector

        return getattr(detector, name)
    if name == "make_pipeline":
        from svmine.detect.pipeline import make_pipeline

        return make_pipeline
    raise AttributeError(name)
