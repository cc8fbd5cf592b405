"""svmine.outputs: atomic writes, outputs that are inputs, spreadsheet-safe cells, short paths."""

from __future__ import annotations

import csv
import io
import os
import stat

import pytest

from svmine.outputs import (
    OutputError,
    SafeDictWriter,
    SafeWriter,
    atomic_path,
    atomic_write,
    check_output,
    short_paths,
    spreadsheet_safe,
    write_text,
)


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_success_replaces_the_target_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with atomic_write(target) as fh:
        fh.write("new\n")
        assert target.read_text() == "old\n"  # nothing visible until the block ends
    assert target.read_text() == "new\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_failure_keeps_the_old_target_and_removes_the_temporary_file(tmp_path, error):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(type(error)):
        with atomic_write(target) as fh:
            fh.write("half")
            raise error
    assert target.read_text() == "old\n"
    assert _leftovers(tmp_path) == []


def test_failure_without_a_previous_target_leaves_nothing(tmp_path):
    with pytest.raises(ValueError):
        with atomic_write(tmp_path / "new.csv") as fh:
            fh.write("x")
            raise ValueError
    assert list(tmp_path.iterdir()) == []


def test_missing_folders_are_created(tmp_path):
    target = tmp_path / "a" / "b" / "out.txt"
    write_text(target, "hello")
    assert target.read_text() == "hello"


def test_a_file_in_the_way_of_the_folder_is_a_clear_error(tmp_path):
    (tmp_path / "a").write_text("x")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        write_text(tmp_path / "a" / "out.txt", "hello")


def test_permissions_of_the_replaced_file_are_kept(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_new_files_get_the_umask_permissions_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "new.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_a_symlinked_target_is_replaced_where_it_points(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_device_is_written_in_place_not_replaced():
    write_text("/dev/null", "discarded")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_atomic_path_hands_a_library_a_temporary_path(tmp_path):
    target = tmp_path / "book.xlsx"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target and tmp.name.startswith(".")
        tmp.write_bytes(b"PK")
    assert target.read_bytes() == b"PK"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("how", ["same name", "relative", "hard link", "symlink"])
def test_an_output_that_is_an_input_is_refused(tmp_path, monkeypatch, how):
    source = tmp_path / "in.csv"
    source.write_text("name\nx\n")
    out = {"same name": source, "relative": "in.csv", "hard link": tmp_path / "hard.csv",
           "symlink": tmp_path / "soft.csv"}[how]
    if how == "hard link":
        os.link(source, out)
    if how == "symlink":
        out.symlink_to(source)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match="same file as the input"):
        check_output(out, [source])
    with pytest.raises(OutputError):
        write_text(out, "overwritten", [source])
    assert source.read_text() == "name\nx\n"


def test_folders_and_missing_inputs_do_not_block_an_output(tmp_path):
    assert check_output(tmp_path / "out.csv", [tmp_path, None, tmp_path / "missing.csv"]) == tmp_path / "out.csv"


def test_a_folder_is_not_an_output(tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        check_output(tmp_path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("=HYPERLINK(\"http://x.invalid\")", "'=HYPERLINK(\"http://x.invalid\")"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("-3", "-3"),
        ("+4.5", "+4.5"),
        ("-1e5", "-1e5"),
        ("social value", "social value"),
        ("a=b", "a=b"),
        ("", ""),
        (-3, -3),
        (None, None),
    ],
)
def test_spreadsheet_safe(value, expected):
    assert spreadsheet_safe(value) == expected


def test_safe_writers_quote_every_text_cell():
    buf = io.StringIO()
    SafeWriter(buf, lineterminator="\n").writerow(["=1+1", "ok", 2])
    writer = SafeDictWriter(buf, fieldnames=["@head", "b"], lineterminator="\n")
    writer.writeheader()
    writer.writerows([{"@head": "+x", "b": "-y"}])
    assert list(csv.reader(io.StringIO(buf.getvalue()))) == [["'=1+1", "ok", "2"], ["'@head", "b"], ["'+x", "'-y"]]


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["/a/plans/x.pdf", "/a/plans/y.pdf"], ["x.pdf", "y.pdf"]),
        (["/a/plans/x.pdf", "/b/plans/x.pdf", "/b/plans/y.pdf"], ["a/plans/x.pdf", "b/plans/x.pdf", "y.pdf"]),
        (["/c/one/x.pdf", "/c/two/x.pdf"], ["one/x.pdf", "two/x.pdf"]),
        (["x.pdf", "sub/x.pdf"], ["x.pdf", "sub/x.pdf"]),
        (["/same/x.pdf", "/same/x.pdf"], ["x.pdf", "x.pdf"]),
        ([""], [""]),
    ],
)
def test_short_paths(paths, expected):
    shown = short_paths(paths)
    assert [shown[p] for p in paths] == expected


def test_documents_and_mentions_show_short_unique_paths(tmp_path):
    from typer.testing import CliRunner

    import tables_data as td
    from svmine.cli.main import app
    from svmine.store import Store

    deep = "/srv/" + "/".join(f"level{i}" for i in range(12))
    first = td.result(f"{deep}/north/plan.pdf", "1", ["We weigh social value in every award."], None)
    second = td.result(f"{deep}/south/plan.pdf", "2", ["Social value counts for ten per cent."], None)
    lone = td.result(f"{deep}/south/minutes_of_the_board_meeting_held_in_public.pdf", "3", ["No mention."], None)
    first["mentions"] = [td.mention(first, 1, "social value")]
    second["mentions"] = [td.mention(second, 1, "Social value")]
    with Store.open(tmp_path / "s.db") as store:
        for r in (first, second, lone):
            store.save_result(r)
    runner = CliRunner()
    docs = runner.invoke(app, ["documents", "--db", str(tmp_path / "s.db")]).stdout
    assert "north/plan.pdf" in docs and "south/plan.pdf" in docs and "level11/" not in docs
    assert "  minutes_of_the_board_meeting_held_in_public.pdf  " in docs and "…" not in docs
    mentions = runner.invoke(app, ["mentions", "--db", str(tmp_path / "s.db")]).stdout
    assert [line.split()[0] for line in mentions.splitlines()[1:]] == ["north/plan.pdf", "south/plan.pdf"]
