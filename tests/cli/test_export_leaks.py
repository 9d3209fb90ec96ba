"""Leaks of personal data from `gdprlab progress` (issue 14): no name or e-mail address of the roster reaches
the HR CSV, the xAPI statements, the chain heads, the terminal or an error message. Certificates are the one
output that names a person, on purpose: each names its own person and nobody else, and holds no e-mail.

Every file the commands write (anywhere under the test's folder but the store and the input rosters) and
everything they print is searched, case-insensitively, for every raw value of the roster, also after
undoing JSON's \\u escapes and HTML's entities (so `Wi\\u015bniewska` or `O&#x27;Brien` are found too).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
from pathlib import Path

import pytest
from helpers import graded_attempt

from gdprlab.cli.main import main
from gdprlab.training.certificates import certificate_file_name
from gdprlab.training.store.progress import ProgressStore

#: staff id, learner id ("" = the staff id), name, e-mail, department, role, crm_access
PEOPLE = (
    ("S1", "", "Krystyna Wiśniewska", "krystyna.wisniewska@firma.pl", "sales", "sales_rep", "standard"),
    ("S2", "jm-204", "Jürgen Müller", "juergen.mueller@firma.de", "hr", "hr_officer", "full"),
    ("S3", "", "Zbigniew Brzęczyszczykiewicz", "z.brzeczyszczykiewicz@poczta.onet.pl", "sales",
     "account_manager", "standard"),
    ("S4", "", "Siobhán O'Brien-Nakamura", "siobhan.obrien@firma.ie", "support", "agent", "none"),
)
NAMES = {staff: name for staff, _, name, *_ in PEOPLE}
EMAILS = {staff: email for staff, _, _, email, *_ in PEOPLE}


def raw_values(people=PEOPLE) -> tuple[str, ...]:
    """Every raw personal value of `people`: full names, each part of a name, e-mail addresses and their
    local parts (the transliterations a careless export might produce are local parts already)."""
    values: list[str] = []
    for _, _, name, email, *_ in people:
        values += [name, *name.replace("-", " ").split(), email, email.split("@")[0]]
    return tuple(dict.fromkeys(values))


RAW = raw_values()


def readable(text: str) -> str:
    """`text` with JSON escapes and HTML entities undone, each form once."""
    forms = [text, html.unescape(text)]
    with contextlib.suppress(ValueError):
        forms.append(json.dumps(json.loads(text), ensure_ascii=False))
    return "\n".join(forms)


def leaks(text: str, raw: tuple[str, ...] = RAW) -> list[str]:
    folded = readable(text).casefold()
    return [value for value in raw if value.casefold() in folded]


def roster_csv(people=PEOPLE) -> str:
    lines = ["staff_id,name,email,department,role,crm_access,start_date,learner_id"]
    lines += [f"{staff},{name},{email},{dept},{role},{access},2020-01-01,{learner}"
              for staff, learner, name, email, dept, role, access in people]
    return "\n".join(lines) + "\n"


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    """The local checkpoint and the outbox are written under the test's folder, so they are searched too."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.setenv("GDPRLAB_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.delenv("GDPRLAB_DB_URL", raising=False)


def run(capsys, *argv: str) -> tuple[int, str]:
    """Exit code and everything printed (stdout and stderr)."""
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def written_files(root: Path) -> dict[Path, str]:
    """Every file under `root` but the store and the input rosters, with its text."""
    return {p: p.read_text(encoding="utf-8", errors="replace") for p in sorted(root.rglob("*"))
            if p.is_file() and "store" not in p.relative_to(root).parts and p.parent != root / "input"}


@pytest.fixture()
def db(tmp_path, capsys):
    """A store with the roster imported and attempts recorded: S1 passed 01 and failed 02, jm-204 (S2)
    passed 01, S3 failed 01, and a learner who is not on the roster passed 01."""
    (tmp_path / "input").mkdir()
    (tmp_path / "store").mkdir()
    (tmp_path / "input" / "staff.csv").write_text(roster_csv(), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'store' / 'progress.sqlite'}"
    code, printed = run(capsys, "progress", "import", str(tmp_path / "input" / "staff.csv"), "--db", url)
    assert code == 0 and "added 4" in printed and leaks(printed) == []
    with ProgressStore(url, outbox_dir=tmp_path / "outbox") as store:
        for learner, lesson, score, day in (("S1", "01_classification", 8, 3), ("S1", "02_permission", 2, 4),
                                            ("jm-204", "01_classification", 7, 5),
                                            ("S3", "01_classification", 1, 6),
                                            ("guest-9", "01_classification", 8, 7)):
            when = dt.datetime(2026, 3, day, 10, tzinfo=dt.UTC)
            assert store.record(graded_attempt(learner, lesson, score, submitted_at=when)).stored
    return url


def test_the_raw_values_searched_for_are_the_roster_s_and_the_search_finds_them():
    assert {"Krystyna Wiśniewska", "Wiśniewska", "krystyna.wisniewska@firma.pl", "krystyna.wisniewska",
            "Jürgen", "Müller", "juergen.mueller", "O'Brien", "Nakamura"} <= set(RAW)
    # the search sees through JSON escapes, HTML entities and case
    assert leaks(json.dumps({"actor": "Krystyna Wiśniewska"})) == ["Krystyna Wiśniewska", "Krystyna",
                                                                   "Wiśniewska"]
    assert leaks("<p>SIOBHÁN O&#x27;BRIEN</p>") == ["Siobhán", "O'Brien"]
    assert leaks("S1,jm-204,sales,sales_rep,01_classification,True,passed_current") == []


def test_hr_csv_xapi_and_terminal_hold_no_name_or_e_mail(tmp_path, db, capsys):
    out = tmp_path / "out"
    printed = ""
    for argv in (["export", "--out", str(out / "hr.csv"), "--xapi", str(out / "x.json")],
                 ["summary", "--by", "department"], ["summary", "--by", "lesson"], ["overdue"],
                 ["verify"]):
        code, text = run(capsys, "progress", *argv, "--db", db,
                         *(["--as-of", "2026-06-30"] if argv[0] != "verify" else []))
        assert code == 0, text
        printed += text
    files = written_files(tmp_path)
    assert {out / "hr.csv", out / "x.json", out / "chain-heads.json"} <= set(files)
    assert leaks(printed) == [], printed
    assert {str(p): leaks(text) for p, text in files.items() if leaks(text)} == {}

    # what the outputs do hold: ids, so that HR and the LRS can still tell people apart
    hr_lines = files[out / "hr.csv"].splitlines()
    assert hr_lines[0].startswith("staff_id,learner_id,department,role,lesson,")
    assert any(line.startswith("S2,jm-204,hr,hr_officer,01_classification,") for line in hr_lines)
    statements = json.loads(files[out / "x.json"])
    assert len(statements) == 5
    actors = {json.dumps(s["actor"], sort_keys=True) for s in statements}
    assert all("mbox" not in a and '"name": "' in a for a in actors)
    assert {s["actor"]["account"]["name"] for s in statements} == {"S1", "jm-204", "S3", "guest-9"}


@pytest.mark.parametrize(("problem", "people"), [
    ("unknown access level holding a name", [(*PEOPLE[0][:6], "Krystyna Wiśniewska")]),
    ("an e-mail in the date column", None),
    ("an e-mail as a duplicated learner id",
     [(*p[:1], "krystyna.wisniewska@firma.pl", *p[2:]) for p in PEOPLE[:2]]),
    ("a name too long", [(*PEOPLE[0][:2], "Krystyna Wiśniewska " * 11, *PEOPLE[0][3:])]),
    ("a name as the staff id, duplicated", [("Jürgen Müller", *p[1:]) for p in PEOPLE[:2]]),
])
def test_a_bad_roster_is_one_message_without_raw_values(tmp_path, capsys, problem, people):
    text = roster_csv(people or PEOPLE[:1])
    if people is None:
        text = text.replace("2020-01-01", "krystyna.wisniewska@firma.pl")
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "bad.csv").write_text(text, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'store' / 'progress.sqlite'}"
    code, printed = run(capsys, "progress", "import", str(tmp_path / "input" / "bad.csv"), "--db", url)
    assert code == 2 and "bad.csv, row " in printed and "Traceback" not in printed, printed
    assert leaks(printed) == [], printed
    assert leaks("".join(written_files(tmp_path).values())) == []


def test_a_roster_in_another_encoding_or_missing_staff_is_one_message_without_raw_values(tmp_path, db,
                                                                                          capsys):
    (tmp_path / "input" / "cp1250.csv").write_bytes(roster_csv().encode("cp1250"))
    code, printed = run(capsys, "progress", "import", str(tmp_path / "input" / "cp1250.csv"), "--db", db)
    assert code == 2 and "cp1250.csv: not UTF-8 text" in printed and leaks(printed) == [], printed
    # an import that would remove people lists them by staff id, never by name
    (tmp_path / "input" / "partial.csv").write_text(roster_csv(PEOPLE[:1]), encoding="utf-8")
    code, printed = run(capsys, "progress", "import", str(tmp_path / "input" / "partial.csv"), "--db", db)
    assert code == 2 and "S2, S3, S4" in printed and leaks(printed) == [], printed


def test_an_export_from_a_missing_store_is_one_message_and_writes_nothing(tmp_path, capsys):
    missing = f"sqlite:///{tmp_path / 'store' / 'typo.sqlite'}"
    out = tmp_path / "out"
    code, printed = run(capsys, "progress", "export", "--db", missing, "--out", str(out / "hr.csv"),
                        "--xapi", str(out / "x.json"), "--certificates", str(out / "certs"))
    assert code == 2 and "no progress database" in printed and "Traceback" not in printed
    assert leaks(printed) == [] and not out.exists()


def test_certificates_name_their_person_and_nothing_else_personal(tmp_path, db, capsys):
    """With 01_classification the one required lesson, S1 and jm-204 (S2) completed; S3 failed it, and
    guest-9 is not on the roster: no certificate for them."""
    certs = tmp_path / "out" / "certs"
    (tmp_path / "input" / "req.yaml").write_text("default: [01_classification]\n", encoding="utf-8")
    code, printed = run(capsys, "progress", "export", "--db", db, "--as-of", "2026-06-30", "--certificates",
                        str(certs), "--requirements", str(tmp_path / "input" / "req.yaml"))
    assert code == 0 and leaks(printed) == [], printed  # the terminal shows file names (learner ids) only
    pages = {p.name: p.read_text(encoding="utf-8") for p in certs.glob("*.html")}
    staff_of = {"S1": "S1", "jm-204": "S2"}  # learner id -> staff id
    files = {certificate_file_name(learner): staff for learner, staff in staff_of.items()}
    assert set(pages) == set(files)
    for page_name, page in pages.items():
        staff = files[page_name]
        # the purpose: it names its person ...
        assert NAMES[staff] in html.unescape(page) and leaks(page, (EMAILS[staff],)) == []
        # ... and nobody else
        assert leaks(page, raw_values([p for p in PEOPLE if p[0] != staff])) == [], page_name
    assert "Krystyna Wiśniewska (S1)" in pages["S1.html"] and "Jürgen Müller (jm-204)" in pages["jm-204.html"]
    heads = (certs / "chain-heads.json").read_text()
    assert leaks(heads) == [], heads
