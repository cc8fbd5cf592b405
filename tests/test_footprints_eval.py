"""The resolver evaluation on the real public name variants (needs ../shared)."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def eval_module():
    spec = importlib.util.spec_from_file_location("eval_resolver", ROOT / "scripts" / "eval_resolver.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.shared
@pytest.mark.parametrize("mode", ["held-out", "shipped"])
def test_no_unflagged_wrong_answers(shared_dir, eval_module, mode):
    report = eval_module.evaluate(shared_dir, mode)
    assert set(report) >= {"trust_lookup", "ons_2019", "plan_url", "damaged_stp", "damaged_ccg16", "damaged_ccg17"}
    unflagged = {name: [(q, exp) for q, exp, res in r["errors"] if res.status in ("exact", "accepted")]
                 for name, r in report.items()}
    assert all(not errors for errors in unflagged.values()), unflagged
    n = sum(r["n"] for r in report.values())
    top1 = sum(r["counts"]["top1"] for r in report.values())
    assert n > 3000
    assert top1 / n >= 0.99


def test_damage_generator(eval_module):
    import random

    damaged = eval_module.damage("Somerset", random.Random(0))
    assert "omerset" in damaged and "merset" in damaged and "erset" in damaged
    assert "rset" not in damaged  # fewer than five letters left: not generated
    assert "Sornerset" in damaged  # m -> rn
    assert all(d != "Somerset" for d in damaged)
