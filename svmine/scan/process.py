"""The per-document work a scan farms out: extract → detect → attribute, into one ``DocumentResult``.

``process_document`` runs in a worker process (local pool or Dask) and never raises: every
failure becomes a ``status: "failed"`` result with an error code, so the writer can record it
and the batch goes on. Expensive objects (the spaCy pipeline with its patterns and classifier,
the footprint manifest) are built once per worker process and cached by the options that shape
them, because a worker handles many documents.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from svmine.errors import SvmineError
from svmine.model import Attribution, DocumentResult

# Options a scan passes to every worker, with their defaults. Plain values only (picklable).
DEFAULT_OPTIONS: dict[str, Any] = {
    "engine": "auto",
    "ocr": True,
    "max_pages": 2000,
    "timeout": None,  # extraction's own time limit (used on Dask; the local pool kills instead)
    "patterns_dir": None,
    "model_path": None,  # None: the detector's default model
    "use_classifier": True,
    "manifest": None,  # CSV mapping files to footprints
}

_DETECTORS: dict[tuple, Any] = {}
_MANIFESTS: dict[str, Any] = {}
_THREADS_LIMITED = False


def limit_threads() -> None:
    """One compute thread per worker process: the pool is the parallelism (called by executors).

    scikit-learn brings OpenMP and OpenBLAS, each starting a thread per core; two workers on two
    cores would run four busy threads and thrash (measured: about twice the time per document).
    """
    global _THREADS_LIMITED
    if _THREADS_LIMITED:
        return
    _THREADS_LIMITED = True
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"  # for libraries loaded later in this process
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)  # for those already loaded (e.g. inherited from the parent)
    except ImportError:
        pass


def resolve_options(options: dict[str, Any] | None) -> dict[str, Any]:
    merged = dict(DEFAULT_OPTIONS)
    merged.update({k: v for k, v in (options or {}).items() if k in DEFAULT_OPTIONS})
    for key in ("patterns_dir", "model_path", "manifest"):
        if merged[key] is not None:  # absolute: workers (Dask) may run in another directory
            merged[key] = os.path.abspath(os.fspath(merged[key]))
    return merged


def get_detector(options: dict[str, Any]):
    """The process's Detector for these options: built on first use, then reused.

    Building one (spaCy pipeline, pattern rules, classifier) costs seconds; a worker handles
    many documents, and forked workers inherit the parent's. The key includes the model file
    that would be loaded and the stat of the rule and model files, so a changed file or a
    changed ``$SVMINE_MODEL`` builds a new one instead of silently reusing the old.
    """
    key = (options.get("patterns_dir"), options.get("model_path"), bool(options.get("use_classifier", True)),
           _sources(options))
    if key not in _DETECTORS:
        from svmine.detect import Detector

        kwargs: dict[str, Any] = {"patterns_dir": key[0], "use_classifier": key[2]}
        if key[2]:
            from svmine.detect.compiled import load_classifier

            # The same verified model, without importing scikit-learn after the first start.
            kwargs["model_path"] = load_classifier(key[1]) or (key[1] if key[1] is not None else "default")
        _DETECTORS[key] = Detector(**kwargs)
    return _DETECTORS[key]


def _sources(options: dict[str, Any]) -> tuple:
    """(path, size, mtime_ns) of the model and of a user pattern folder's files: cheap stats."""
    found = []
    paths: list[Path] = []
    if options.get("use_classifier", True):
        from svmine.detect.classifier import default_model_path

        model = Path(options["model_path"]) if options.get("model_path") else default_model_path()
        paths += [model, model.with_suffix(".json")]
    if options.get("patterns_dir"):
        paths += sorted(Path(options["patterns_dir"]).glob("*.jsonl"))
    for path in paths:
        try:
            info = path.stat()
            found.append((str(path), info.st_size, info.st_mtime_ns))
        except OSError:
            found.append((str(path), None, None))
    return tuple(found)


def fingerprint(options: dict[str, Any]) -> dict[str, str]:
    """pattern_hash and model_hash of the detector these options build."""
    return get_detector(resolve_options(options)).fingerprint()


def quick_fingerprint(options: dict[str, Any]) -> dict[str, str]:
    """The same hashes as ``fingerprint``, read from the files without building the pipeline.

    Building a Detector costs about a second; a re-scan that finds everything current should
    not pay it. tests/test_scan.py checks that both ways agree.
    """
    from svmine.detect.patterns import files_hash, rule_files

    opts = resolve_options(options)
    model_hash = "none"
    if opts["use_classifier"]:
        from svmine.detect.classifier import default_model_path
        from svmine.hashing import sha256_file

        model = Path(opts["model_path"]) if opts["model_path"] else default_model_path()
        if model.is_file():
            model_hash = sha256_file(model)
    return {"pattern_hash": files_hash(rule_files(opts["patterns_dir"])), "model_hash": model_hash}


def _get_manifest(path: str):
    if path not in _MANIFESTS:
        from svmine.footprints.manifest import load_manifest

        _MANIFESTS[path] = load_manifest(path)
    return _MANIFESTS[path]


def process_document(path: str | os.PathLike[str], options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Extract, detect and attribute one file; returns the ``DocumentResult`` as a dict (never raises).

    A dict because this is the process boundary: the result travels from the worker to the parent."""
    started = time.perf_counter()
    path = os.path.abspath(os.fspath(path))
    opts = resolve_options(options)
    result = DocumentResult(path)
    try:
        stat = os.stat(path)
        result.size, result.mtime_ns = stat.st_size, stat.st_mtime_ns
        detector = get_detector(opts)
        fp = detector.fingerprint()
        result.pattern_hash, result.model_hash = fp["pattern_hash"], fp["model_hash"]
        _run_pipeline(path, opts, detector, result)
    except SvmineError as exc:
        result.fail(exc.code, str(exc))
    except OSError as exc:  # vanished or unreadable between planning and processing
        result.fail("unreadable", f"{path}: cannot read ({exc.strerror or exc})")
    except MemoryError:
        result.fail("memory_error", f"{path}: ran out of memory")
    except Exception as exc:  # noqa: BLE001 - a batch records any failure and goes on
        result.fail("internal_error", f"{path}: {type(exc).__name__}: {exc}")
    if result.sha256 is None:
        result.sha256 = _hash_or_none(path)
    if not result.ok and opts["manifest"]:
        result.attribute(_manifest_only(path, result.sha256, opts), keep_names=False)
    result.seconds = round(time.perf_counter() - started, 4)
    return result.to_dict()


def _run_pipeline(path: str, opts: dict[str, Any], detector, result: DocumentResult) -> None:
    from svmine.extract import extract_document

    doc = extract_document(path, engine=opts["engine"], ocr=opts["ocr"], max_pages=opts["max_pages"], timeout=opts["timeout"])
    result.sha256 = doc.sha256
    result.format, result.page_unit = doc.format, doc.page_unit
    result.metadata, result.warnings = dict(doc.metadata), list(doc.warnings)
    result.pages = [p.to_dict() for p in doc.pages]
    found = detector.detect(doc)
    result.mentions = [m.to_dict() for m in found.mentions]
    result.facts = [f.to_dict() for f in found.facts]
    result.attribute(_attribute(doc, opts))


def _attribute(doc, opts: dict[str, Any]) -> Attribution:
    """The document's footprint: the manifest's entry when it names the file, else from its text."""
    from svmine.footprints.attribution import attribute_document

    manifest = _get_manifest(opts["manifest"]) if opts.get("manifest") else None
    return attribute_document(doc, manifest=manifest)


def _manifest_only(path: str, sha256: str | None, opts: dict[str, Any]) -> Attribution | None:
    """A failed document still belongs to the footprint its manifest entry names."""
    from svmine.footprints.attribution import attribute_document
    from svmine.model import Document

    try:
        att = attribute_document(Document(path=path, sha256=sha256 or "", format="unknown"),
                                 manifest=_get_manifest(opts["manifest"]))
    except Exception:  # noqa: BLE001 - the failure already recorded matters more
        return None
    return att if att.source == "manifest" else None


def prepare(options: dict[str, Any], formats: set[str] | None = None) -> dict[str, str]:
    """Build what workers share (detector, manifest) in this process; returns the fingerprint.

    Called by the scan's parent before it starts workers: a broken pattern folder, model or
    manifest stops the run at once (exit 2) instead of failing every document, and forked
    workers inherit the built (and warmed-up) objects instead of each building their own
    (the pipeline and classifier are loaded once per scan, not once per worker or document).
    ``formats`` ("pdf", "other"; None: all) limits the warm-up to the PDF engines a scan needs:
    importing them costs about 0.3 s that a folder of text files should not pay.
    """
    opts = resolve_options(options)
    if opts["manifest"]:
        _get_manifest(opts["manifest"])
    _warm_up(opts, formats)
    return fingerprint(opts)


def _warm_up(opts: dict[str, Any], formats: set[str] | None = None) -> None:
    """Load what the stages load lazily on first use (PDF engines, spaCy tables, the footprint
    name index), so forked workers do not each pay about half a second on their first file."""
    import importlib

    from svmine.footprints.attribution import attribute_document
    from svmine.model import Document, Page

    for module in ("svmine.extract.pdf", "pdfplumber", "pypdfium2") if formats is None or "pdf" in formats else ():
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    text = "West Yorkshire: the voluntary sector adds social value to local services."
    get_detector(opts).detect_text(text)
    attribute_document(Document(path="<warm-up>", sha256="0" * 64, format="text", pages=[Page(1, text)]))


def _hash_or_none(path: str) -> str | None:
    from svmine.extract import sha256_file

    try:
        return sha256_file(path)
    except OSError:
        return None  # the writer falls back on the hash it planned with
