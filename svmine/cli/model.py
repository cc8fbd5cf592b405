"""Commands `train` and `evaluate`: the sentence classifier (see the README (sentence classifier))."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from svmine.cli.common import fail
from svmine.cli.options import ReportFormat as OutputFormat

app = typer.Typer()


def _store_examples(db: Path) -> list[dict]:
    from svmine.errors import StoreError

    try:
        from svmine.store.decisions import training_examples
    except ImportError as exc:
        raise fail(f"--from-db needs svmine.store.decisions.training_examples, which is not available ({exc})")
    try:
        return training_examples(db)
    except StoreError as exc:
        raise fail(str(exc))


def _score_table(title: str, scores: dict, before: dict | None = None) -> str:
    head = f"{title:<24}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}" + (f"{'F1 before':>11}" if before else "")
    rows = [head]
    for label, s in scores.items():
        row = f"{label:<24}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}{s['support']:>6}"
        if before:
            row += f"{before[label]['f1']:>11.3f}"
        rows.append(row)
    return "\n".join(rows)


@app.command()
def train(
    annotations: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False,
                           help="Annotation JSONL (default: annotations/sentences.jsonl).")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Model file to write (default: models/sentence-classifier.skops; "
                                                "metadata goes beside it as .json).")] = None,
    from_db: Annotated[Optional[Path], typer.Option("--from-db", exists=True, dir_okay=False,
                       help="Add auditors' decisions from this svmine store to the train side.")] = None,
    limit: Annotated[Optional[int], typer.Option(min=20, help="Train on a stratified subset of about N sentences "
                                                 "(quick runs).")] = None,
    cv_folds: Annotated[int, typer.Option(min=2, max=10, help="Cross-validation folds on the train split.")] = 5,
    gold: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False,
                    help="Real-text gold whose tune documents choose the implicit threshold "
                         "(default: annotations/gold/real.jsonl).")] = None,
    shared: Annotated[Optional[Path], typer.Option(file_okay=False, help="Folder the gold's document paths are "
                                                   "relative to (default: $SVMINE_SHARED or ../shared).")] = None,
    real_examples: Annotated[Optional[str], typer.Option(help="Real gold sentences added to the train side: none, "
                             "negatives or all (default: the shipped recipe).")] = None,
    real_cv: Annotated[bool, typer.Option("--real-cv", help="Also run the leave-one-document-out cross-validation "
                                          "of the same recipe and store its figures in the metadata.")] = False,
) -> None:
    """Train the sentence classifier; print cross-validated and held-out scores per label."""
    from svmine.detect.classifier import metadata_path
    from svmine.detect.training import train_model
    from svmine.errors import SvmineError
    from svmine.outputs import check_output

    if out:
        try:  # refused before training: the model or its metadata must not replace an input
            for target in (out, metadata_path(out)):
                check_output(target, [annotations, from_db])
        except SvmineError as exc:
            raise fail(str(exc))
    if real_examples not in (None, *(m.value for m in RealExamples)):
        raise fail("--real-examples must be none, negatives or all")
    extra = _store_examples(from_db) if from_db else []
    if from_db:
        typer.echo(f"{len(extra)} labelled sentences from {from_db}")
    try:
        report = train_model(annotations, extra, out, limit=limit, cv_folds=cv_folds,
                             progress=lambda msg: typer.echo(msg, err=True), gold_path=gold, shared=shared,
                             real_examples=real_examples, real_cv=real_cv)
    except SvmineError as exc:
        raise fail(str(exc))
    if report.merge:
        typer.echo("store examples: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in report.merge.items()))
    typer.echo(f"train {report.n_train} sentences, held-out {report.n_test}")
    typer.echo(_score_table(f"cross-validated ({report.cv_folds}-fold)", report.cv_scores))
    typer.echo(_score_table("held-out", report.heldout_scores, report.before_heldout_scores))
    typer.echo("thresholds: " + ", ".join(f"{k} {v:.2f}" for k, v in report.thresholds.items()))
    real = report.real_examples
    typer.echo(f"real gold sentences in training ({real.get('mode')}): {real.get('added', 0)}"
               + (f" ({real['note']})" if real.get("note") else ""))
    chosen = report.implicit_threshold
    if chosen:
        typer.echo(f"implicit threshold {chosen['value']:.2f} chosen by {chosen['source']}")
    if report.real_cv:
        s = report.real_cv["scores"]["social_value_implicit"]
        typer.echo(f"document CV, implicit: P {s['precision']:.3f} R {s['recall']:.3f} ({s['tp']} TP, {s['fp']} FP)")
    for label, params in report.calibration.items():
        typer.echo(f"calibration: {label} {params['method']} a={params['a']} b={params['b']} ({params['fitted_on']})")
    typer.echo(f"wrote {report.model_path} and {report.metadata_path}")


class Split(str, Enum):
    tune = "tune"
    heldout = "heldout"


class CV(str, Enum):
    documents = "documents"


class RealExamples(str, Enum):
    none = "none"
    negatives = "negatives"
    all = "all"


def _is_real_gold(path: Path) -> bool:
    try:
        first = next((line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()), "")
        data = json.loads(first) if first else {}
    except (OSError, UnicodeDecodeError, ValueError):
        return False  # the ordinary reader reports the problem
    from svmine.detect.gold import is_real_gold

    return isinstance(data, dict) and is_real_gold(data)


def _evaluate_real(gold: Path, model: Optional[Path], split: Optional[Split], shared: Optional[Path],
                   format: OutputFormat) -> None:
    from svmine.detect.evaluation import evaluate_real, format_real
    from svmine.errors import SvmineError

    try:
        report = evaluate_real(gold, model, split.value if split else None, shared)
    except SvmineError as exc:
        raise fail(str(exc))
    if format is OutputFormat.json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(format_real(report))


def _cross_validate(gold: Path, shared: Optional[Path], real_examples: Optional[RealExamples],
                    threshold: Optional[float], errors: bool, format: OutputFormat) -> None:
    from svmine.detect.crossval import cross_validate_documents, format_cross_validation
    from svmine.errors import SvmineError

    try:
        report = cross_validate_documents(gold, shared, real_examples=real_examples.value if real_examples else None,
                                          threshold=threshold, progress=lambda msg: typer.echo(msg, err=True))
    except SvmineError as exc:
        raise fail(str(exc))
    if format is OutputFormat.json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(format_cross_validation(report, errors))


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Option(exists=True, dir_okay=False,
                    help="Gold JSONL: sentences {text, labels}, documents {text, mentions}, or real-text "
                         "gold by reference {doc, sha256, page, start, end, labels} (annotations/gold/real.jsonl).")],
    model: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False,
                     help="Model file (default: $SVMINE_MODEL or models/sentence-classifier.skops).")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", help="table or json.")] = OutputFormat.table,
    split: Annotated[Optional[Split], typer.Option(help="Real gold only: score the tune or the held-out "
                                                   "documents (default: both).")] = None,
    shared: Annotated[Optional[Path], typer.Option(file_okay=False, help="Real gold only: folder the document "
                                                   "paths are relative to (default: $SVMINE_SHARED or ../shared).")] = None,
    cv: Annotated[Optional[CV], typer.Option(help="Real gold only: 'documents' = leave-one-document-out "
                                             "cross-validation (train on the annotation set plus the other "
                                             "documents' gold, score the left-out one, pool).")] = None,
    real_examples: Annotated[Optional[RealExamples], typer.Option(help="With --cv: which gold sentences of the "
                             "other documents join training (default: the shipped recipe).")] = None,
    threshold: Annotated[Optional[float], typer.Option(min=0.0, max=1.0, help="With --cv: implicit threshold "
                         "(default: the shipped recipe's).")] = None,
    show_errors: Annotated[bool, typer.Option("--show-errors", help="With --cv: list false and missed implicit "
                                              "sentences.")] = False,
) -> None:
    """Precision, recall, F1 and confusion counts per label (sentences) or category (mentions)."""
    from svmine.detect.evaluation import evaluate_gold, format_table
    from svmine.errors import SvmineError

    real = _is_real_gold(gold)
    if (real_examples or threshold is not None or show_errors) and not cv:
        raise fail("--real-examples, --threshold and --show-errors apply only with --cv documents")
    if cv and (not real or split or model):
        raise fail("--cv documents needs real-text gold and trains its own models (no --split or --model)")
    if cv:
        _cross_validate(gold, shared, real_examples, threshold, show_errors, format)
        return
    if real:
        _evaluate_real(gold, model, split, shared, format)
        return
    if split or shared:
        raise fail("--split and --shared apply only to real-text gold (annotations/gold/real.jsonl)")
    try:
        report = evaluate_gold(gold, model)
    except ImportError as exc:
        raise fail(f"document gold needs the detector (svmine.detect.Detector): {exc}")
    except SvmineError as exc:
        raise fail(str(exc))
    if format is OutputFormat.json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    typer.echo(f"{report.kind}: {report.n} scored")
    typer.echo(format_table(report))
