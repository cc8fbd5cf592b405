"""Official CCG / STP / region footprints, fuzzy name resolution and document attribution.

See docs/architecture.md (footprints) and the README (Footprints).
"""

from svmine.footprints.attribution import attribute_document
from svmine.footprints.manifest import Manifest, Placement, load_manifest
from svmine.footprints.reference import Reference, load_reference
from svmine.footprints.resolver import Candidate, Resolution, Resolver
from svmine.model import Attribution

__all__ = [
    "Attribution",
    "Candidate",
    "Manifest",
    "Placement",
    "Reference",
    "Resolution",
    "Resolver",
    "attribute_document",
    "load_manifest",
    "load_reference",
]
