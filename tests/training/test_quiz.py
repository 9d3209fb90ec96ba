"""gdprlab.training.quiz: bank validation, deterministic draws, scoring."""

from __future__ import annotations

import re

import pytest
import yaml

from gdprlab.training import quiz
from gdprlab.training.quiz import BankError, check, draw, load_bank, load_banks, score

LESSON = "02_permission"


def _option(text, correct=False):
    return {"text": text, "correct": correct, "feedback": f"feedback for {text}"}


def _question(n: int, qtype: str = "single") -> dict:
    q = {
        "id": f"perm-{n:02d}",
        "type": qtype,
        "question": f"Question {n}?",
        "points": 1,
        "articles": ["6(1)(a)", "7(3)"],
        "explanation": "Because Art. 7(3) (Conditions for consent) says so.",
        "options": [_option("A", True), _option("B"), _option("C")],
    }
    if qtype == "scenario":
        q["scenario"] = "A customer withdraws consent by e-mail."
    if qtype == "true_false":
        q["options"] = [_option("True", True), _option("False")]
    if qtype == "multiple":
        q["options"] = [_option("A", True), _option("B", True), _option("C"), _option("D")]
    return q


def _bank(n_questions: int = 12, per_attempt: int = 8) -> dict:
    types = ["single", "multiple", "true_false", "scenario"]
    return {
        "schema": "gdprlab-quiz/1",
        "lesson": LESSON,
        "title": "Permission: lawful basis and consent",
        "pass_mark": 0.8,
        "questions_per_attempt": per_attempt,
        "questions": [_question(i + 1, types[i % 4]) for i in range(n_questions)],
    }


def _write(tmp_path, data, name=LESSON):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def bank(tmp_path):
    return load_bank(_write(tmp_path, _bank()))


# ------------------------------------------------------------------------------------------ loading
def test_valid_bank_loads(bank, tmp_path):
    assert bank.lesson == LESSON and bank.pass_mark == 0.8 and bank.questions_per_attempt == 8
    assert len(bank.questions) == 12
    q = bank.question("perm-04")
    assert q.type == "scenario" and q.scenario.startswith("A customer")
    assert q.articles == ("6(1)(a)", "7(3)")
    assert q.options[0] == quiz.Option("A", True, "feedback for A")
    assert bank.question("perm-02").correct_indices == (0, 1)
    assert load_banks(tmp_path) == {LESSON: bank}


def test_load_banks_of_an_absent_folder(tmp_path):
    assert load_banks(tmp_path / "nowhere") == {}


def test_unquoted_true_false_in_yaml(tmp_path):
    text = _write(tmp_path, _bank()).read_text(encoding="utf-8").replace("text: 'True'", "text: True")
    assert "text: True\n" in text
    (tmp_path / f"{LESSON}.yaml").write_text(text, encoding="utf-8")
    assert load_bank(tmp_path / f"{LESSON}.yaml").question("perm-03").options[0].text == "True"


def _mutated(mutate):
    data = _bank()
    mutate(data)
    return data


def _q(data, qid):
    return next(q for q in data["questions"] if q["id"] == qid)


# (what is broken, mutation, question id named or None, field named, message pattern)
BROKEN = [
    ("unknown schema", lambda d: d.update(schema="gdprlab-quiz/2"), None, "schema", "unknown schema version"),
    (
        "unknown type",
        lambda d: _q(d, "perm-01").update(type="essay"),
        "perm-01",
        "type",
        "unknown type 'essay'",
    ),
    (
        "no correct option (single)",
        lambda d: _q(d, "perm-01")["options"][0].update(correct=False),
        "perm-01",
        "options",
        "exactly one correct option, has 0",
    ),
    (
        "two correct options (single)",
        lambda d: _q(d, "perm-05")["options"][1].update(correct=True),
        "perm-05",
        "options",
        "exactly one correct option, has 2",
    ),
    (
        "no correct option (scenario)",
        lambda d: _q(d, "perm-04")["options"][0].update(correct=False),
        "perm-04",
        "options",
        "exactly one correct option, has 0",
    ),
    (
        "no correct option (true_false)",
        lambda d: _q(d, "perm-03")["options"][0].update(correct=False),
        "perm-03",
        "options",
        "exactly one correct option, has 0",
    ),
    (
        "no correct option (multiple)",
        lambda d: [o.update(correct=False) for o in _q(d, "perm-02")["options"]],
        "perm-02",
        "options",
        "at least one correct option",
    ),
    ("duplicate id", lambda d: _q(d, "perm-07").update(id="perm-06"), "perm-06", "id", "duplicate id"),
    (
        "missing explanation",
        lambda d: _q(d, "perm-05").pop("explanation"),
        "perm-05",
        "explanation",
        "missing explanation",
    ),
    (
        "blank explanation",
        lambda d: _q(d, "perm-05").update(explanation="  "),
        "perm-05",
        "explanation",
        "missing explanation",
    ),
    (
        "missing feedback",
        lambda d: _q(d, "perm-06")["options"][2].pop("feedback"),
        "perm-06",
        r"options\[2\]\.feedback",
        "missing feedback",
    ),
    (
        "empty articles",
        lambda d: _q(d, "perm-09").update(articles=[]),
        "perm-09",
        "articles",
        "non-empty list",
    ),
    (
        "unparseable article",
        lambda d: _q(d, "perm-09").update(articles=["Art. 7"]),
        "perm-09",
        "articles",
        "not an article reference",
    ),
    (
        "article 100",
        lambda d: _q(d, "perm-09").update(articles=["7(3)", "100(1)"]),
        "perm-09",
        "articles",
        "not an article reference",
    ),
    (
        "article 0",
        lambda d: _q(d, "perm-09").update(articles=["0"]),
        "perm-09",
        "articles",
        "articles 1 to 99",
    ),
    (
        "non-existent paragraph",
        lambda d: _q(d, "perm-09").update(articles=["7(5)"]),
        "perm-09",
        "articles",
        "paragraphs 1 to 4, not 5",
    ),
    (
        "non-existent point",
        lambda d: _q(d, "perm-09").update(articles=["6(1)(g)"]),
        "perm-09",
        "articles",
        r"points \(a\) to \(f\)",
    ),
    ("zero points", lambda d: _q(d, "perm-10").update(points=0), "perm-10", "points", "> 0"),
    ("negative points", lambda d: _q(d, "perm-10").update(points=-1), "perm-10", "points", "> 0"),
    (
        "pool equal to questions_per_attempt",
        lambda d: d.update(questions_per_attempt=12),
        None,
        "questions_per_attempt",
        r"pool \(12 questions\) must be larger",
    ),
    (
        "pool smaller than questions_per_attempt",
        lambda d: d.update(questions_per_attempt=20),
        None,
        "questions_per_attempt",
        "must be larger",
    ),
    ("pass_mark 0", lambda d: d.update(pass_mark=0), None, "pass_mark", r"\(0, 1\]"),
    ("pass_mark above 1", lambda d: d.update(pass_mark=1.5), None, "pass_mark", r"\(0, 1\]"),
    ("pass_mark as percent", lambda d: d.update(pass_mark=80), None, "pass_mark", r"\(0, 1\]"),
    (
        "scenario without scenario text",
        lambda d: _q(d, "perm-08").pop("scenario"),
        "perm-08",
        "scenario",
        "required for type scenario",
    ),
    (
        "true_false with other texts",
        lambda d: _q(d, "perm-07").update(options=[_option("Yes", True), _option("No")]),
        "perm-07",
        "options",
        "'True' and 'False'",
    ),
    (
        "true_false with three options",
        lambda d: _q(d, "perm-07")["options"].append(_option("Maybe")),
        "perm-07",
        "options",
        "'True' and 'False'",
    ),
    ("misspelt key", lambda d: _q(d, "perm-01").update(scenaro="x"), "perm-01", "scenaro", "unknown key"),
    ("lesson is not the file stem", lambda d: d.update(lesson="03_other"), None, "lesson", "file's stem"),
]


@pytest.mark.parametrize(("what", "mutate", "qid", "field", "pattern"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_bank_is_rejected(tmp_path, what, mutate, qid, field, pattern):
    path = _write(tmp_path, _mutated(mutate))
    with pytest.raises(BankError) as info:
        load_bank(path)
    message = str(info.value)
    assert str(path) in message
    lines = [line for line in message.splitlines() if re.search(pattern, line)]
    assert lines, message
    line = lines[0]
    assert str(path) in line
    if qid is not None:
        assert f"question {qid}" in line
    assert re.search(f"field {field}", line), line
    assert all(p.file == str(path) for p in info.value.problems)


def test_all_problems_in_one_error(tmp_path):
    def mutate(d):
        _q(d, "perm-01").pop("explanation")
        _q(d, "perm-02").update(points=0)
        _q(d, "perm-03")["options"][1].pop("feedback")

    with pytest.raises(BankError) as info:
        load_bank(_write(tmp_path, _mutated(mutate)))
    assert [(p.question, p.field) for p in info.value.problems] == [
        ("perm-01", "explanation"),
        ("perm-02", "points"),
        ("perm-03", "options[1].feedback"),
    ]


def test_question_without_id_is_named_by_position(tmp_path):
    with pytest.raises(BankError, match=r"question #3: field id"):
        load_bank(_write(tmp_path, _mutated(lambda d: d["questions"][2].pop("id"))))


def test_invalid_yaml_and_non_mapping(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("schema: [unclosed\n", encoding="utf-8")
    with pytest.raises(BankError, match=re.escape(str(path)) + ".*not valid YAML"):
        load_bank(path)
    path.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(BankError, match="must be a YAML mapping"):
        load_bank(path)


def test_load_banks_raises_for_a_broken_file(tmp_path):
    _write(tmp_path, _bank())
    broken = _mutated(lambda d: d.update(lesson="03_broken", pass_mark=2))
    _write(tmp_path, broken, name="03_broken")
    with pytest.raises(BankError, match="03_broken.yaml"):
        load_banks(tmp_path)


# ------------------------------------------------------------------------------------------ version
def test_bank_version(tmp_path, bank):
    path = tmp_path / f"{LESSON}.yaml"
    v = quiz.bank_version(bank)
    assert re.fullmatch(r"[0-9a-f]{12}", v)
    assert quiz.bank_version(path) == quiz.bank_version(str(path)) == v
    # layout, comments and key order do not matter
    data = _bank()
    relaid = tmp_path / "relaid" / f"{LESSON}.yaml"
    relaid.parent.mkdir()
    relaid.write_text(
        "# a comment\n" + yaml.safe_dump(data, sort_keys=True, default_flow_style=True), encoding="utf-8"
    )
    assert quiz.bank_version(relaid) == v
    # content does
    data["questions"][0]["options"][1]["feedback"] = "changed"
    assert quiz.bank_version(_write(tmp_path, data)) != v


# --------------------------------------------------------------------------------------------- draw
def _ids(attempt):
    return [q.id for q in attempt.questions]


def test_draw_is_deterministic(bank):
    a, b = draw(bank, "alice", 1), draw(bank, "alice", 1)
    assert a == b
    assert len(a.questions) == 8 and len(set(_ids(a))) == 8
    assert a.bank_version == quiz.bank_version(bank) and a.lesson == LESSON and a.number == 1


def test_draw_survives_reloading(tmp_path, bank):
    again = load_bank(_write(tmp_path, _bank()))
    assert draw(again, "alice", 3) == draw(bank, "alice", 3)


def test_draw_pinned():
    """The draw depends only on sha256 of fixed strings: pinned so that a change of algorithm is noticed."""
    b = quiz.Bank(
        LESSON,
        "t",
        0.8,
        2,
        tuple(
            quiz.Question(
                f"q{i}",
                "single",
                "?",
                ("5(1)(a)",),
                "e",
                (quiz.Option("A", True, "f"), quiz.Option("B", False, "f"), quiz.Option("C", False, "f")),
            )
            for i in range(4)
        ),
    )
    assert [(q.id, q.order) for q in draw(b, "learner-1", 1).questions] == [
        ("q1", (0, 2, 1)),
        ("q2", (1, 2, 0)),
    ]
    assert [(q.id, q.order) for q in draw(b, "learner-1", 2).questions] == [
        ("q3", (1, 2, 0)),
        ("q0", (0, 1, 2)),
    ]
    assert quiz.bank_version(b) == "06f25e76759a"


def test_retries_draw_different_questions(bank):
    for learner in ("alice", "bob", "carol", "dave", "e" * 40):
        attempts = [draw(bank, learner, n) for n in range(1, 11)]
        for prev, nxt in zip(attempts, attempts[1:], strict=False):
            assert set(_ids(prev)) != set(_ids(nxt)), (learner, prev.number)
        # with 12 questions and 8 per attempt, the first two attempts together cover the whole pool
        assert set(_ids(attempts[0])) | set(_ids(attempts[1])) == {q.id for q in bank.questions}


def test_retry_differs_even_with_pool_one_larger(tmp_path):
    b = load_bank(_write(tmp_path, _bank(n_questions=9, per_attempt=8)))
    for n in range(1, 20):
        assert set(_ids(draw(b, "alice", n))) != set(_ids(draw(b, "alice", n + 1)))


def test_learners_get_different_draws(bank):
    orders = {tuple(_ids(draw(bank, f"learner-{i}", 1))) for i in range(20)}
    assert len(orders) > 15


def test_options_are_shuffled_with_a_seed(bank):
    a = draw(bank, "alice", 1)
    for dq in a.questions:
        assert sorted(dq.order) == list(range(len(dq.question.options)))
        assert dq.options == tuple(dq.question.options[i] for i in dq.order)
    assert draw(bank, "alice", 1).questions[0].order == a.questions[0].order
    # across learners and attempts the option orders vary (not always the file order)
    orders = {dq.order for n in range(1, 6) for dq in draw(bank, "bob", n).questions if len(dq.order) == 3}
    assert len(orders) > 1
    assert any(dq.order != tuple(range(len(dq.order))) for dq in a.questions)


def test_draw_rejects_bad_arguments(bank):
    with pytest.raises(ValueError, match="attempt"):
        draw(bank, "alice", 0)
    with pytest.raises(ValueError, match="learner"):
        draw(bank, "", 1)


# ------------------------------------------------------------------------------------------ scoring
def test_check_single(bank):
    q = bank.question("perm-01")  # A correct, B, C wrong
    right = check(q, [0])
    assert right.correct and right.points == 1 and right.max_points == 1
    assert right.feedback == ("feedback for A",) and right.explanation.startswith("Because")
    assert right.articles == ("6(1)(a)", "7(3)") and right.correct_options == (0,)
    wrong = check(q, [2])
    assert not wrong.correct and wrong.points == 0 and wrong.feedback == ("feedback for C",)
    blank = check(q, [])
    assert not blank.answered and blank.points == 0 and blank.feedback == ()
    with pytest.raises(ValueError, match="takes one option"):
        check(q, [0, 1])
    with pytest.raises(ValueError, match="no option #3"):
        check(q, [3])


def test_check_multiple_is_all_or_nothing(bank):
    q = bank.question("perm-02")  # A, B correct; C, D wrong
    assert check(q, [0, 1]).correct and check(q, [1, 0]).points == 1
    assert check(q, [0, 0, 1]).selected == (0, 1)
    partial = check(q, [0])
    assert not partial.correct and partial.points == 0 and partial.feedback == ("feedback for A",)
    extra = check(q, [0, 1, 2])
    assert not extra.correct and extra.points == 0
    assert extra.feedback == ("feedback for A", "feedback for B", "feedback for C")


def test_check_drawn_question_uses_shown_order(bank):
    a = draw(bank, "alice", 1)
    for dq in a.questions:
        shown_right = [i for i, o in enumerate(dq.options) if o.correct]
        assert check(dq, shown_right).correct
        assert check(dq, shown_right).selected == tuple(dq.order[i] for i in shown_right)


def _answers(attempt, right: set[str]):
    """Correct answers for question ids in `right`, a wrong option for the others."""
    out = {}
    for dq in attempt.questions:
        good = [i for i, o in enumerate(dq.options) if o.correct]
        bad = [i for i, o in enumerate(dq.options) if not o.correct]
        out[dq.id] = good if dq.id in right else bad[:1]
    return out


def test_score_pass_and_fail(bank):
    a = draw(bank, "alice", 1)
    ids = _ids(a)
    full = score(a, _answers(a, set(ids)))
    assert (full.points, full.max_points, full.share, full.passed) == (8, 8, 1.0, True)
    assert full.lesson == LESSON and full.learner == "alice" and full.attempt == 1
    assert full.bank_version == a.bank_version and full.pass_mark == 0.8
    assert [r.question_id for r in full.results] == ids
    assert all(r.explanation and r.feedback for r in full.results)

    borderline = score(a, _answers(a, set(ids[:7])))  # 7/8 = 0.875 >= 0.8
    assert borderline.points == 7 and borderline.passed
    failed = score(a, _answers(a, set(ids[:6])))  # 6/8 = 0.75 < 0.8
    assert failed.points == 6 and failed.share == 0.75 and not failed.passed


def test_score_exactly_at_the_pass_mark(tmp_path):
    data = _bank(n_questions=12, per_attempt=10)  # 8/10 = 0.8: passes despite float arithmetic
    b = load_bank(_write(tmp_path, data))
    a = draw(b, "alice", 1)
    result = score(a, _answers(a, set(_ids(a)[:8])))
    assert result.share == pytest.approx(0.8) and result.passed


def test_score_weights_points_and_counts_unanswered(tmp_path):
    data = _bank()
    for q in data["questions"]:
        q["points"] = 2 if q["type"] == "multiple" else 1
    b = load_bank(_write(tmp_path, data))
    a = draw(b, "alice", 1)
    multiple = [dq.id for dq in a.questions if dq.question.type == "multiple"]
    expected_max = sum(dq.question.points for dq in a.questions)
    answers = _answers(a, set(multiple))
    for qid in _ids(a):
        if qid not in multiple:
            answers.pop(qid)
    result = score(a, answers)
    assert result.max_points == expected_max
    assert result.points == 2 * len(multiple)
    assert sum(not r.answered for r in result.results) == 8 - len(multiple)


def test_score_rejects_foreign_answers(bank):
    a = draw(bank, "alice", 1)
    foreign = next(q.id for q in bank.questions if q.id not in _ids(a))
    with pytest.raises(ValueError, match=foreign):
        score(a, {foreign: [0]})


# ------------------------------------------------------------------------------ submitting and revealing
def test_unanswered_lists_the_questions_without_an_answer_by_their_number(tmp_path):
    attempt = draw(load_bank(_write(tmp_path, _bank())), "u1", 1)
    ids = [q.id for q in attempt.questions]
    assert quiz.unanswered(attempt, {}) == list(range(1, 9))
    answers = {qid: [0] for qid in ids}
    assert quiz.unanswered(attempt, answers) == []
    answers[ids[2]] = []
    del answers[ids[5]]
    assert quiz.unanswered(attempt, answers) == [3, 6]


@pytest.mark.parametrize(("passed", "round_number", "allowed", "reveal", "again"), [
    (True, 1, None, True, False),  # a pass shows the answers; the lesson is done
    (False, 1, None, False, True),  # unlimited: never revealed before a pass
    (False, 9, None, False, True),
    (False, 2, 3, False, True),
    (False, 3, 3, True, False),  # the last allowed attempt: answers shown, no other attempt
    (True, 3, 3, True, False),
])
def test_answers_are_revealed_after_a_pass_or_the_last_allowed_attempt(passed, round_number, allowed, reveal,
                                                                      again):
    assert quiz.reveals_answers(passed, round_number, allowed) is reveal
    assert quiz.may_try_again(passed, round_number, allowed) is again


def test_attempts_allowed_comes_from_the_environment():
    assert quiz.attempts_allowed({}) is None
    assert quiz.attempts_allowed({quiz.ATTEMPTS_ENV: " "}) is None
    assert quiz.attempts_allowed({quiz.ATTEMPTS_ENV: "0"}) is None
    assert quiz.attempts_allowed({quiz.ATTEMPTS_ENV: "3"}) == 3
    for bad in ("three", "-1"):
        with pytest.raises(ValueError, match=quiz.ATTEMPTS_ENV):
            quiz.attempts_allowed({quiz.ATTEMPTS_ENV: bad})
