"""Footprints of every era (issue 14): reference data, crosswalks, resolution across eras, CLI."""

from __future__ import annotations

import csv
import importlib.util
import io
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app
from svmine.errors import ReferenceDataError
from svmine.footprints.era_resolver import EraResolver
from svmine.footprints.eras import REGION_ORDER_2022, geography_for, load_eras

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.fixture(scope="module")
def eras():
    return load_eras()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("geography", "count"),
    [("ccg2016", 209), ("ccg2017", 207), ("ccg2020", 135), ("ccg2021", 106), ("stp2017", 44), ("stp2020", 42),
     ("sub_icb2022", 106), ("icb2022", 42), ("region2017", 4), ("region2022", 7)],
)
def test_every_era_loads(eras, geography, count):
    assert len(eras.geography(geography)) == count


def test_icbs_and_sub_icbs_load_with_their_region(eras):
    regions = eras.geography("region2022")
    icbs, subs = eras.geography("icb2022"), eras.geography("sub_icb2022")
    assert all(o.region_code in regions for o in [*icbs.values(), *subs.values()])
    assert {o.region_code for o in icbs.values()} == set(regions) == set(REGION_ORDER_2022)
    assert all(o.parent_code in icbs and icbs[o.parent_code].region_code == o.region_code for o in subs.values())
    assert all(o.valid_from == "2022-07-01" and o.valid_to == "" for o in icbs.values())
    devon = icbs["E54000037"]
    assert (devon.name, devon.ods, devon.type, regions[devon.region_code].name) == (
        "NHS Devon Integrated Care Board", "QJK", "icb", "South West")


@pytest.mark.parametrize(("source", "target"), [("ccg2016", "icb2022"), ("ccg2016", "sub_icb2022"),
                                                 ("stp2017", "icb2022"), ("ccg2021", "sub_icb2022"),
                                                 ("stp2020", "icb2022"), ("icb2022", "stp2017")])
def test_crosswalk_shares_sum_to_one(eras, source, target):
    totals: dict[str, float] = defaultdict(float)
    for link in eras.crosswalk(source, target):
        totals[link.from_code] += link.share
    assert set(totals) == set(eras.geography(source))
    assert all(abs(t - 1.0) < 1e-9 for t in totals.values())


@pytest.mark.parametrize(
    ("ccg16", "expected"),
    [
        ("E38000041", {"E54000050": 0.6389, "E54000048": 0.3611}),  # NHS Cumbria CCG
        ("E38000144", {"E54000062": 0.6691, "E54000055": 0.3309}),  # NHS Sandwell and West Birmingham CCG
        ("E38000101", {"E54000008": 1.0}),  # NHS Liverpool CCG: whole
    ],
)
def test_split_ccgs_across_icbs(eras, ccg16, expected):
    got = {link.to_code: round(link.share, 4) for link in eras.links("ccg2016", ccg16, "icb2022")}
    assert got == expected


def test_successor_and_predecessor_links(eras):
    # Three Leeds CCGs of 2017 became NHS Leeds CCG (2018), the Sub ICB Location 15F of 2022.
    leeds = [(link.to_code, link.lsoas) for link in eras.links("sub_icb2022", "E38000225", "ccg2017")]
    assert leeds == [("E38000096", 195), ("E38000095", 155), ("E38000094", 132)]  # largest share first
    assert eras.unchanged("ccg2021", "E38000006", "sub_icb2022")  # Barnsley: same code, same LSOAs
    assert not eras.unchanged("ccg2016", "E38000041", "ccg2017")


@pytest.mark.parametrize(
    ("kind", "year", "message"),
    [("ccg", 2019, "no CCG list for 2019"), ("icb", 2020, "use --kind stp"), ("stp", 2023, "use --kind icb"),
     ("sub_icb", 2021, "use --kind ccg")],
)
def test_years_without_a_list_are_refused(kind, year, message):
    with pytest.raises(ReferenceDataError, match=message):
        geography_for(kind, year)


@pytest.fixture(scope="module")
def icb2022():
    return EraResolver("icb", 2022)


@pytest.mark.parametrize(
    ("name", "code"),
    [("BOB ICB", "E54000044"), ("NENC ICB", "E54000050"), ("Our Healthier South East London", "E54000030"),
     ("One Gloucestershire ICS", "E54000043"), ("BNSSG", "E54000039"), ("bsol", "E54000055"), ("SNEE", "E54000023"),
     ("NHS Kent and Medway Integrated Care Board", "E54000032"), ("Kent & Medway ICS", "E54000032"),
     ("Devon ICB", "E54000037"), ("NCL", "E54000028"), ("HIOW ICB", "E54000042"), ("LLR", "E54000015")],
)
def test_icb_names_short_forms_and_acronyms(icb2022, name, code):
    res = icb2022.resolve(name)
    assert res.status in ("exact", "accepted") and res.best.code == code, res.reason
    assert res.era.endswith("icb2022")


@pytest.mark.parametrize(
    ("name", "codes", "era"),
    [
        ("Humber, Coast and Vale", ["E54000051"], "stp2017"),
        ("The Black Country and West Birmingham", ["E54000062", "E54000055"], "stp2017, stp2020"),
        ("South Yorkshire and Bassetlaw", ["E54000061", "E54000060"], "stp2017, stp2020"),
    ],
)
def test_old_stp_name_for_2022_is_its_successor_for_review(icb2022, name, codes, era):
    res = icb2022.resolve(name)
    assert res.status == "review"
    assert [m.code for m in res.matches] == codes and res.era == era
    assert "not a name of icb2022" in res.reason


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [("SWL", "exact", "E54000031"), ("SLW", "review", None), ("B.O.B.", "review", None), ("Narnia", "no_match", None)],
)
def test_damaged_acronyms_are_flagged(icb2022, name, status, code):
    res = icb2022.resolve(name)
    assert res.status == status
    if code:
        assert res.best.code == code


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [("Birmingham and Solihull ICB", "exact", "E54000055"), ("Birmingham and Solihull", "exact", "E54000055"),
     ("Birmingham and Solihull STP", "review", "E54000055")],
)
def test_a_name_of_two_eras_given_for_2022_is_the_icb_unless_the_query_says_stp(icb2022, name, status, code):
    res = icb2022.resolve(name)
    assert (res.status, res.best.code) == (status, code), res.reason


def test_any_era_says_which_era_and_an_organisation_word_breaks_a_tie():
    resolver = EraResolver("icb")
    plain, icb = resolver.resolve_many(["Birmingham and Solihull", "Birmingham and Solihull ICB"])
    assert plain.status == "review" and "E54000017 in stp2017, stp2020; E54000055 in icb2022" in plain.reason
    assert (icb.status, icb.best.code, icb.era) == ("exact", "E54000055", "icb2022")
    ccg = EraResolver("ccg").resolve("NHS Central Manchester CCG")
    assert (ccg.status, ccg.best.code, ccg.era) == ("exact", "E38000032", "ccg2016")


def _match(tmp_path, text: str, *args: str):
    path = tmp_path / "names.csv"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(app, ["match", str(path), "-c", "name", *args])


def test_match_2016_name_for_2022_comes_back_as_successor_with_review(tmp_path):
    result = _match(tmp_path, 'name\n"NHS Airedale, Wharfedale and Craven CCG"\nNHS Cumbria CCG\nBarnsley\n',
                    "--kind", "sub_icb", "--year", "2022")
    assert result.exit_code == 0, result.output
    got = rows(result.stdout)
    assert list(got[0])[-3:] == ["status", "era", "reason"]
    assert (got[0]["code"], got[0]["status"], got[0]["footprint"], got[0]["region"]) == (
        "E38000232", "review", "E54000054 NHS West Yorkshire Integrated Care Board", "North East and Yorkshire")
    assert "ccg2017 name" in got[0]["reason"] and "E38000232 NHS West Yorkshire ICB - 36J (100% of LSOAs)" in got[0]["reason"]
    assert got[1]["code"] == "E38000215; E38000228" and "(64% of LSOAs)" in got[1]["reason"]
    assert (got[2]["code"], got[2]["status"], got[2]["era"]) == ("E38000006", "exact", "sub_icb2022")
    assert "3 rows: 2 need review, 0 without a match" in result.stderr


def test_match_icb_without_year_reports_the_era(tmp_path):
    result = _match(tmp_path, 'name\nBOB ICB\n"West, North and East Cumbria"\n', "--kind", "icb")
    got = rows(result.stdout)
    assert [(r["code"], r["status"], r["era"]) for r in got] == [
        ("E54000044", "exact", "icb2022"), ("E54000047", "exact", "stp2017")]


def test_match_stp_default_is_still_2017(tmp_path):
    got = rows(_match(tmp_path, "name\nKent and Medway\n").stdout)
    assert "era" not in got[0] and got[0]["code"] == "E54000032"


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--kind", "ccg", "--year", "2019"], "no CCG list for 2019"), (["--kind", "icb", "--year", "soon"], "--year must be"),
     (["--kind", "icb", "--context-column", "name"], "--context-column works with")],
)
def test_match_bad_era_usage(tmp_path, args, message):
    result = _match(tmp_path, "name\nDevon\n", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_footprints_geography_icb2022_in_region_order():
    result = runner.invoke(app, ["footprints", "--geography", "icb2022", "--format", "csv"])
    assert result.exit_code == 0, result.output
    got = rows(result.stdout)
    assert len(got) == 42
    regions = list(dict.fromkeys(r["region"] for r in got))
    assert regions == ["North East and Yorkshire", "North West", "Midlands", "East of England", "London",
                       "South East", "South West"]


@pytest.mark.parametrize(("geography", "n"), [("ccg2016", 209), ("ccg2021", 106), ("stp2020", 42), ("sub_icb2022", 106)])
def test_footprints_lists_any_era(geography, n):
    got = rows(runner.invoke(app, ["footprints", "-g", geography, "-f", "csv"]).stdout)
    assert len(got) == n and all(r["region"] for r in got)


def test_footprints_geography_region_filter():
    got = rows(runner.invoke(app, ["footprints", "-g", "sub_icb2022", "-r", "London", "-f", "csv"]).stdout)
    assert len(got) == 5 and {r["parent_name"] for r in got} >= {"NHS North Central London Integrated Care Board"}


def test_footprints_crosswalk_csv(tmp_path):
    result = runner.invoke(app, ["footprints", "crosswalk", "--from", "ccg2016", "--to", "icb2022"])
    assert result.exit_code == 0, result.output
    got = rows(result.stdout)
    assert list(got[0]) == ["from_code", "from_name", "to_code", "to_name", "share"]
    cumbria = [(r["to_code"], r["share"]) for r in got if r["from_code"] == "E38000041"]
    assert cumbria == [("E54000050", "0.6389"), ("E54000048", "0.3611")]
    assert len({r["from_code"] for r in got}) == 209
    out = tmp_path / "x.csv"
    assert runner.invoke(app, ["footprints", "crosswalk", "--from", "stp2017", "--to", "icb2022", "-o", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("from_code,from_name,to_code,to_name,share\n")


def test_footprints_crosswalk_of_regions_and_bad_geography():
    got = rows(runner.invoke(app, ["footprints", "crosswalk", "--from", "region2017", "--to", "region2022"]).stdout)
    london = [(r["to_name"], r["share"]) for r in got if r["from_name"] == "London"]
    assert london == [("London", "1.0000")]
    assert len({r["to_code"] for r in got if r["from_name"] == "Midlands and East of England"}) >= 2
    result = runner.invoke(app, ["footprints", "crosswalk", "--from", "ccg2019", "--to", "icb2022"])
    assert result.exit_code == 2 and "ccg2019" in result.output


def test_old_region_name_for_2022_is_flagged():
    res = EraResolver("region", 2022).resolve("Midlands and East")
    assert res.status == "review" and "region2017" in res.reason
    assert {m.name for m in res.matches} >= {"Midlands", "East of England"}


def test_bad_era_data_names_file_and_line(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ROOT / "svmine" / "footprints" / "data", data)
    path = data / "era_variants.csv"
    path.write_text(path.read_text(encoding="utf-8") + "icb2022,E54099999,Nowhere,typed\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"era_variants.csv: line \d+: unknown icb2022 code E54099999"):
        load_eras(data)


def test_icb_evaluation_meets_its_targets():
    spec = importlib.util.spec_from_file_location("eval_icb_resolver", ROOT / "scripts" / "eval_icb_resolver.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = module.evaluate()
    n = sum(r["n"] for r in report.values())
    top1 = sum(r["counts"]["top1"] for r in report.values())
    assert n > 2000 and top1 / n >= 0.98
    assert sum(r["counts"]["wrong_unflagged"] for r in report.values()) == 0
    assert sum(r["counts"]["confident_predecessor"] for r in report.values()) == 0


@pytest.fixture(scope="module")
def table_db(tmp_path_factory):
    import tables_data as td

    return td.make_store(tmp_path_factory.mktemp("icb") / "t.db")


def test_table_by_icb2022(table_db, tmp_path):
    manifest = tmp_path / "m.csv"
    # NHS North East and North Cumbria ICB has a code of its own (E54000050, no 2017 STP has it)
    manifest.write_text("file,footprint_code\nunplaced.txt,E54000050\n", encoding="utf-8")
    result = runner.invoke(app, ["table", "--db", str(table_db), "--geography", "icb2022", "--manifest", str(manifest),
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    got = [r for r in rows(result.stdout) if r.get("code", "").startswith("E54")]
    assert len(got) == 42
    assert list(dict.fromkeys(r["region"] for r in got)) == [
        "North East and Yorkshire", "North West", "Midlands", "East of England", "London", "South East", "South West"]
    nenc = next(r for r in got if r["code"] == "E54000050")
    assert nenc["name"] == "NHS North East and North Cumbria Integrated Care Board" and "yes" in nenc.values()


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--compare", "appendix3"], "stp2017"), (["--level", "ccg"], "stp2017"), (["--region", "Atlantis"], "Atlantis")],
)
def test_table_by_icb2022_refusals(table_db, args, message):
    result = runner.invoke(app, ["table", "--db", str(table_db), "--geography", "icb2022", *args])
    assert result.exit_code == 2 and message in result.output


def test_table_by_icb2022_region_filter(table_db):
    result = runner.invoke(app, ["table", "--db", str(table_db), "--geography", "icb2022", "--region", "London",
                                 "--format", "csv"])
    got = [r for r in rows(result.stdout) if r.get("code", "").startswith("E54")]
    assert result.exit_code == 0 and len(got) == 5 and {r["region"] for r in got} == {"London"}


def test_table_by_icb2022_terminal_keeps_nhs_england_region_order(table_db):
    out = runner.invoke(app, ["table", "--db", str(table_db), "--geography", "icb2022"]).output
    headings = [line for line in out.splitlines() if line and not line.startswith(" ") and ":" not in line]
    assert headings == ["North East and Yorkshire", "North West", "Midlands", "East of England", "London",
                        "South East", "South West"]


@pytest.mark.parametrize(
    ("name", "status", "codes"),
    [
        ("NHS South Yorkshire ICB - 02P", "exact", ["E38000006"]),
        ("Barnsley", "exact", ["E38000006"]),
        ("Barnsley (02P)", "accepted", ["E38000006"]),
        ("NHS Frimley ICB - 15A", "review", ["E38000252"]),  # name and code disagree: not two footprints
        ("Barnsley (15F)", "review", ["E38000006"]),
        ("Leeds / Bradford District and Craven", "exact", ["E38000225", "E38000232"]),
        ("Cumbria", "review", ["E38000215", "E38000228"]),  # the 2016 county CCG, split in 2017
        ("NHS South Yorkshire ICB - 03P", "review", ["E38000006"]),
    ],
)
def test_sub_icb_names(name, status, codes):
    res = EraResolver("sub_icb", 2022).resolve(name)
    assert (res.status, [m.code for m in res.matches]) == (status, codes), res.reason
