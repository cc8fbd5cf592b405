"""Reference data: counts, mappings, the Cumbria split, the Manchester merger, regeneration."""

import importlib.util
import shutil
from pathlib import Path

import pytest

from svmine.errors import ReferenceDataError
from svmine.footprints.reference import load_reference

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "svmine" / "footprints" / "data"
CUMBRIA = "E38000041"
MANCHESTER_2016 = {"E38000032": "NHS Central Manchester CCG", "E38000123": "NHS North Manchester CCG",
                   "E38000158": "NHS South Manchester CCG"}


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def test_counts(ref):
    assert len(ref.ccgs[2016]) == 209
    assert len(ref.ccgs[2017]) == 207
    assert len(ref.stps) == 44
    assert [r.short_name for r in ref.region_order()] == ["North", "Midlands and East", "London", "South"]
    assert [r.name for r in ref.region_order()][0] == "North of England"


def test_every_ccg_has_an_stp_and_region(ref):
    for year in (2016, 2017):
        for code in ref.ccgs[year]:
            maps = ref.stp_mappings(code, year)
            assert maps, code
            assert abs(sum(m.share for m in maps) - 1.0) < 0.01
    assert sum(len(ref.stps_in_region(r)) for r in ref.regions) == 44


def test_codes_and_names(ref):
    assert ref.stps["E54000034"].name == "Frimley Health"
    assert ref.ccgs[2017]["E38000217"].name == "NHS Manchester CCG"
    assert ref.ccgs[2016]["E38000001"].ods == "02N"
    assert ref.region_of_stp("E54000027").short_name == "London"


def test_ccg_lookup_across_years(ref):
    assert ref.ccg("E38000041").year == 2016  # only in the 2016 list
    assert ref.ccg("E38000217").year == 2017
    assert ref.ccg("E38000101", 2016).name == "NHS Liverpool CCG"
    assert ref.ccg("E38000217", 2016) is None
    with pytest.raises(ReferenceDataError, match="no CCG list for 2019"):
        ref.stp_mappings("E38000101", 2019)


def test_cumbria_split_2016(ref):
    maps = ref.stp_mappings(CUMBRIA, 2016)
    assert {m.stp_code for m in maps} == {"E54000047", "E54000048"}
    assert all(m.split for m in maps)
    assert maps[0].stp_code == "E54000047" and maps[0].share > 0.5  # largest share first
    assert CUMBRIA in {c.code for c in ref.ccgs_in_stp("E54000048", 2016)}
    # every other 2016 CCG lies in exactly one STP
    others = [c for c in ref.ccgs[2016] if len(ref.stp_mappings(c, 2016)) > 1]
    assert others == [CUMBRIA]
    assert CUMBRIA not in ref.ccgs[2017]  # Cumbria was reorganised in April 2017


def test_manchester_merger(ref):
    preds = ref.predecessors("E38000217")
    assert {p.ccg16_code for p in preds} == set(MANCHESTER_2016)
    assert all(p.change == "merged" and p.share == 1.0 for p in preds)
    for code, name in MANCHESTER_2016.items():
        assert ref.ccgs[2016][code].name == name
        assert code not in ref.ccgs[2017]
        assert [s.ccg17_code for s in ref.successors(code)] == ["E38000217"]
    assert ref.successors("E38000101") == []  # Liverpool unchanged


def test_variants_and_appendix3(ref):
    by_source = {}
    for v in ref.variants:
        by_source.setdefault(v.source, set()).add((v.name, v.stp_code))
    assert ("East London", "E54000029") in by_source["trust_lookup"]
    assert ("Joined Up Care Derbyshire", "E54000012") in by_source["ons_2019"]
    assert ("Cornwall&theIslesOfScilly", "E54000036") in by_source["plan_url"]
    assert ("Kent & Medway", "E54000032") in by_source["appendix3_2017"]
    assert len(ref.appendix3) == 44
    assert {r.stp_code for r in ref.appendix3} == set(ref.stps)
    assert [r.footprint for r in ref.appendix3 if r.verdict == "yes"] == [
        "Greater Manchester", "Humber, Coast and Vale", "Northamptonshire", "Nottinghamshire",
        "North Central London", "North West London"]


def test_bad_data_names_file_and_line(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / "stp_variants.csv"
    path.write_text(path.read_text() + "E54099999,Nowhere,typo\n")
    with pytest.raises(ReferenceDataError, match=r"stp_variants.csv: line \d+: unknown STP code E54099999"):
        load_reference(data)


def test_build_script_regenerates_the_shipped_files(shared_dir, tmp_path):
    spec = importlib.util.spec_from_file_location("build_reference", ROOT / "scripts" / "build_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--shared", str(shared_dir), "--out", str(tmp_path)]) == 0
    for csv_file in sorted(DATA.glob("*.csv")):
        assert (tmp_path / csv_file.name).read_bytes() == csv_file.read_bytes(), csv_file.name
