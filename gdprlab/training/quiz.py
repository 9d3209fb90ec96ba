"""Lesson quizzes: question banks, deterministic draws and scoring (no widgets, no I/O beyond loading).

A bank is a YAML file per lesson in `gdprlab/training/banks/` (package data), schema `gdprlab-quiz/1`::

    schema: gdprlab-quiz/1
    lesson: 02_permission            # = the file's stem
    title: "Permission: lawful basis and consent"
    pass_mark: 0.8                   # share of the attempt's points needed to pass, in (0, 1]
    questions_per_attempt: 8         # the pool must be larger
    questions:
      - id: perm-01                  # unique within the bank
        type: single                 # single | multiple | true_false | scenario
        scenario: "..."              # required for scenario (a single-choice question about a situation)
        question: "..."
        points: 1                    # > 0; 1 when left out
        articles: ["6(1)(a)", "7(3)"]    # existing GDPR provisions, see gdprlab.regulation.articles.exists
        explanation: "..."
        options:                     # true_false: exactly "True" and "False"
          - {text: "...", correct: true, feedback: "..."}     # correct: false when left out
          - {text: "...", correct: false, feedback: "..."}

`load_bank` rejects a broken bank with one `BankError` listing every problem, each naming the file, the
question id and the field. Keys outside the schema are problems too (a misspelt optional key would
otherwise be lost silently).

Drawing (`draw`) is a pure function of (bank, learner, attempt number). Each learner gets a fixed
ordering of the pool, derived from sha256(learner, lesson, question id); attempt n takes the next
`questions_per_attempt` questions of that ordering, cyclically, so a retry always brings questions the
previous attempt did not have (and consecutive attempts never draw the same set, since the pool is larger
than an attempt). The order in which the drawn questions are shown and each question's option order come
from sha256(learner, lesson, attempt, question id[, option]). Nothing depends on Python's `hash` or the
`random` module, so a draw is the same on every machine and Python version.

Scoring (`check`, `score`): single, true_false and scenario questions take exactly one option.
Multiple-choice questions are scored **all or nothing**: the points are given only when the selected
options are exactly the correct ones. Partial credit was rejected on purpose: in this training, picking
some of the right answers plus a wrong one (e.g. a lawful basis that does not apply) is not "mostly
right", and all-or-nothing keeps the pass mark meaningful. The feedback of every chosen option and the
question's explanation are returned either way. An unanswered question scores 0.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from gdprlab.regulation import articles as gdpr_articles
from gdprlab.regulation.policy import yaml_problem

SCHEMA = "gdprlab-quiz/1"
TYPES: tuple[str, ...] = ("single", "multiple", "true_false", "scenario")
SINGLE_ANSWER_TYPES = frozenset({"single", "true_false", "scenario"})
TRUE_FALSE_TEXTS = ("True", "False")

_BANK_KEYS = {"schema", "lesson", "title", "pass_mark", "questions_per_attempt", "questions"}
_QUESTION_KEYS = {"id", "type", "scenario", "question", "points", "articles", "explanation", "options"}
_OPTION_KEYS = {"text", "correct", "feedback"}


# --------------------------------------------------------------------------------------------- model
@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    question: str
    articles: tuple[str, ...]
    explanation: str
    options: tuple[Option, ...]
    points: float = 1
    scenario: str | None = None

    @property
    def correct_indices(self) -> tuple[int, ...]:
        return tuple(i for i, o in enumerate(self.options) if o.correct)


@dataclass(frozen=True)
class Bank:
    lesson: str
    title: str
    pass_mark: float
    questions_per_attempt: int
    questions: tuple[Question, ...]
    path: Path | None = None

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(f"bank {self.lesson!r} has no question {question_id!r}")

    def to_dict(self) -> dict[str, Any]:
        """The bank in its YAML shape (defaults filled in), as hashed by `bank_version`."""
        return {
            "schema": SCHEMA,
            "lesson": self.lesson,
            "title": self.title,
            "pass_mark": self.pass_mark,
            "questions_per_attempt": self.questions_per_attempt,
            "questions": [
                {
                    "id": q.id,
                    "type": q.type,
                    **({"scenario": q.scenario} if q.scenario is not None else {}),
                    "question": q.question,
                    "points": q.points,
                    "articles": list(q.articles),
                    "explanation": q.explanation,
                    "options": [
                        {"text": o.text, "correct": o.correct, "feedback": o.feedback} for o in q.options
                    ],
                }
                for q in self.questions
            ],
        }


@dataclass(frozen=True)
class Problem:
    file: str
    question: str | None  # question id (or "#3" when the question has no usable id); None: bank level
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.question is not None:
            where.append(f"question {self.question}")
        if self.field is not None:
            where.append(f"field {self.field}")
        return f"{': '.join(where)}: {self.message}"


class BankError(ValueError):
    """A question bank that cannot be used; `problems` lists every problem found (file, question, field)."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        head = f"invalid question bank {file} ({len(problems)} problem{'s' if len(problems) != 1 else ''})"
        super().__init__("\n".join([head, *(f"  {p}" for p in problems)]))


# ------------------------------------------------------------------------------------------ loading
def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _nonempty_str(v: Any) -> bool:
    return isinstance(v, str) and v.strip() != ""


class _Validator:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, question: str | None, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, question, field, message))

    def unknown_keys(self, data: dict, allowed: set[str], question: str | None, prefix: str = "") -> None:
        for key in sorted(set(data) - allowed, key=str):
            self.add(question, f"{prefix}{key}", f"unknown key; allowed: {', '.join(sorted(allowed))}")

    def option(self, qid: str, qtype: Any, i: int, raw: Any) -> Option | None:
        field = f"options[{i}]"
        if not isinstance(raw, dict):
            self.add(qid, field, "must be a mapping with text, correct and feedback")
            return None
        self.unknown_keys(raw, _OPTION_KEYS, qid, f"{field}.")
        text = raw.get("text")
        if qtype == "true_false" and isinstance(text, bool):
            text = str(text)  # YAML reads an unquoted True/False as a boolean
        if not _nonempty_str(text):
            hint = ' (quote it in YAML: text: "Yes")' if isinstance(text, bool) else ""
            self.add(qid, f"{field}.text", f"must be non-empty text, got {text!r}{hint}")
        correct = raw.get("correct", False)
        if not isinstance(correct, bool):
            self.add(qid, f"{field}.correct", f"must be true or false, got {correct!r}")
        feedback = raw.get("feedback")
        if not _nonempty_str(feedback):
            self.add(qid, f"{field}.feedback", "missing feedback")
        return Option(str(text), correct is True, str(feedback))

    def question(self, n: int, raw: Any, seen: set[str]) -> Question | None:
        if not isinstance(raw, dict):
            self.add(f"#{n + 1}", None, "must be a mapping")
            return None
        qid = raw.get("id")
        if not _nonempty_str(qid):
            label = f"#{n + 1}"
            self.add(label, "id", f"missing or empty id, got {qid!r}")
        else:
            label = qid = str(qid)
            if qid in seen:
                self.add(label, "id", "duplicate id")
            seen.add(qid)
        self.unknown_keys(raw, _QUESTION_KEYS, label)

        qtype = raw.get("type")
        if qtype not in TYPES:
            self.add(label, "type", f"unknown type {qtype!r}; types: {', '.join(TYPES)}")
        scenario = raw.get("scenario")
        if scenario is not None and not _nonempty_str(scenario):
            self.add(label, "scenario", "must be non-empty text when given")
        if qtype == "scenario" and not _nonempty_str(scenario):
            self.add(label, "scenario", "required for type scenario")
        text = raw.get("question")
        if not _nonempty_str(text):
            self.add(label, "question", "missing question text")
        points = raw.get("points", 1)
        if not _is_number(points) or points <= 0:
            self.add(label, "points", f"must be a number > 0, got {points!r}")
        explanation = raw.get("explanation")
        if not _nonempty_str(explanation):
            self.add(label, "explanation", "missing explanation")

        refs = raw.get("articles")
        if not isinstance(refs, list) or not refs:
            self.add(label, "articles", "must be a non-empty list of article references such as '6(1)(a)'")
            refs = []
        refs = [str(r) for r in refs]
        for ref in refs:
            reason = gdpr_articles.why_not(ref)
            if reason is not None:
                self.add(label, "articles", f"{ref!r}: {reason}")

        raw_options = raw.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            self.add(label, "options", "must be a list of at least two options")
            raw_options = raw_options if isinstance(raw_options, list) else []
        options = [self.option(label, qtype, i, o) for i, o in enumerate(raw_options)]
        opts = tuple(o for o in options if o is not None)
        texts = [o.text for o in opts]
        if len(set(texts)) != len(texts):
            self.add(label, "options", "two options have the same text")
        n_correct = sum(o.correct for o in opts)
        if qtype in SINGLE_ANSWER_TYPES and opts and n_correct != 1:
            self.add(label, "options", f"type {qtype} needs exactly one correct option, has {n_correct}")
        if qtype == "multiple" and opts and n_correct < 1:
            self.add(label, "options", "type multiple needs at least one correct option, has 0")
        if qtype == "true_false" and sorted(texts) != sorted(TRUE_FALSE_TEXTS):
            self.add(
                label,
                "options",
                f"type true_false needs exactly two options, 'True' and 'False'; got {texts}",
            )

        return Question(
            id=label,
            type=str(qtype),
            question=str(text),
            articles=tuple(refs),
            explanation=str(explanation),
            options=opts,
            points=points if _is_number(points) else 1,
            scenario=str(scenario) if scenario is not None else None,
        )


def load_bank(path: str | Path) -> Bank:
    """Read and validate one bank file; raises BankError naming the file, question ids and fields."""
    path = Path(path)
    file = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise BankError(file, [Problem(file, None, None, f"cannot read: {e}")]) from e
    except yaml.YAMLError as e:
        raise BankError(file, [Problem(file, None, None, f"not valid YAML ({yaml_problem(e)})")]) from e
    return _bank_from_data(data, path)


def _bank_from_data(data: Any, path: Path) -> Bank:
    v = _Validator(str(path))
    if not isinstance(data, dict):
        v.add(
            None,
            None,
            "must be a YAML mapping with schema, lesson, title, pass_mark, questions_per_attempt, questions",
        )
        raise BankError(v.file, v.problems)
    if data.get("schema") != SCHEMA:
        v.add(None, "schema", f"unknown schema version {data.get('schema')!r}; expected {SCHEMA!r}")
        raise BankError(v.file, v.problems)  # the rest cannot be read against an unknown schema
    v.unknown_keys(data, _BANK_KEYS, None)
    lesson = data.get("lesson")
    if lesson != path.stem:
        v.add(None, "lesson", f"must be the file's stem {path.stem!r}, got {lesson!r}")
    title = data.get("title")
    if not _nonempty_str(title):
        v.add(None, "title", "missing title")
    pass_mark = data.get("pass_mark")
    if not _is_number(pass_mark) or not 0 < pass_mark <= 1:
        v.add(None, "pass_mark", f"must be a share in (0, 1], got {pass_mark!r}")
    per_attempt = data.get("questions_per_attempt")
    if not isinstance(per_attempt, int) or isinstance(per_attempt, bool) or per_attempt < 1:
        v.add(None, "questions_per_attempt", f"must be a whole number >= 1, got {per_attempt!r}")
        per_attempt = None
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        v.add(None, "questions", "must be a non-empty list")
        raw_questions = []
    seen: set[str] = set()
    questions = tuple(q for n, raw in enumerate(raw_questions) if (q := v.question(n, raw, seen)) is not None)
    if per_attempt is not None and raw_questions and len(raw_questions) <= per_attempt:
        v.add(
            None,
            "questions_per_attempt",
            f"the pool ({len(raw_questions)} questions) must be larger than "
            f"questions_per_attempt ({per_attempt}) so that a retry draws different questions",
        )
    if v.problems:
        raise BankError(v.file, v.problems)
    return Bank(str(lesson), str(title), float(pass_mark), int(per_attempt), questions, path)


def banks_folder() -> Path:
    """The packaged banks folder (gdprlab/training/banks)."""
    return Path(str(resources.files("gdprlab.training").joinpath("banks")))


def load_banks(folder: str | Path | None = None) -> dict[str, Bank]:
    """Every `*.yaml` bank in `folder` (default: the packaged banks), by lesson id in sorted order.

    Raises the BankError of the first broken file (in file-name order); an absent folder gives {}.
    """
    folder = banks_folder() if folder is None else Path(folder)
    if not folder.is_dir():
        return {}
    return {p.stem: load_bank(p) for p in sorted(folder.glob("*.yaml"))}


def bank_version(bank_or_path: Bank | str | Path) -> str:
    """First 12 hex digits of the sha256 of the bank's canonical content.

    The canonical content is the bank in its YAML shape with defaults filled in, serialised as JSON with
    sorted keys: comments, key order, quoting and layout of the file do not change the version; any change
    to a question, option, mark or setting does.
    """
    bank = bank_or_path if isinstance(bank_or_path, Bank) else load_bank(bank_or_path)
    canonical = json.dumps(bank.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


# -------------------------------------------------------------------------------------------- draws
@dataclass(frozen=True)
class DrawnQuestion:
    """A question as shown: `order[i]` is the index in question.options of the i-th option shown."""

    question: Question
    order: tuple[int, ...]

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def options(self) -> tuple[Option, ...]:
        """The options in the order shown."""
        return tuple(self.question.options[i] for i in self.order)

    def to_original(self, shown: Iterable[int]) -> tuple[int, ...]:
        """Indices of shown options -> indices into question.options."""
        out = []
        for i in shown:
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(self.order):
                raise ValueError(f"question {self.id}: no option #{i!r} (it has {len(self.order)})")
            out.append(self.order[i])
        return tuple(out)


@dataclass(frozen=True)
class Attempt:
    learner: str
    lesson: str
    number: int  # 1 for the first attempt
    bank_version: str
    pass_mark: float
    questions: tuple[DrawnQuestion, ...]

    def question(self, question_id: str) -> DrawnQuestion:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(f"question {question_id!r} is not part of attempt {self.number} of {self.lesson!r}")


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(str(p) for p in (SCHEMA, *parts)).encode("utf-8")).digest()


def pool_order(bank: Bank, learner: str) -> list[Question]:
    """The learner's fixed ordering of the bank's pool; attempt n draws the n-th window of
    ``questions_per_attempt`` questions of it, cyclically (:func:`draw`, :func:`is_draw`)."""
    k = bank.questions_per_attempt
    if len(bank.questions) <= k:
        raise ValueError(f"bank {bank.lesson!r}: the pool must be larger than questions_per_attempt ({k})")
    return sorted(bank.questions, key=lambda q: _digest("pool", learner, bank.lesson, q.id))


def is_draw(bank: Bank, learner: str, question_ids: Iterable[str]) -> bool:
    """Whether ``question_ids`` are the questions of one of ``learner``'s attempts on ``bank`` (whatever its
    number): a grader's check that nobody picked the questions they knew."""
    pool = [q.id for q in pool_order(bank, learner)]
    k, size, wanted = bank.questions_per_attempt, len(pool), set(question_ids)
    if len(wanted) != k:
        return False
    starts = dict.fromkeys(n * k % size for n in range(size))  # every start a window ever has
    return any({pool[(start + j) % size] for j in range(k)} == wanted for start in starts)


def draw(bank: Bank, learner: str, attempt: int) -> Attempt:
    """The questions (and option orders) of attempt number `attempt` (1, 2, ...) of `learner` on `bank`."""
    if not isinstance(learner, str) or not learner.strip():
        raise ValueError(f"learner must be a non-empty id, got {learner!r}")
    if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1:
        raise ValueError(f"attempt must be a whole number >= 1, got {attempt!r}")
    pool = pool_order(bank, learner)
    k = bank.questions_per_attempt
    start = (attempt - 1) * k % len(pool)
    chosen = [pool[(start + j) % len(pool)] for j in range(k)]
    chosen.sort(key=lambda q: _digest("show", learner, bank.lesson, attempt, q.id))
    drawn = tuple(
        DrawnQuestion(
            q,
            tuple(
                sorted(
                    range(len(q.options)),
                    key=lambda i, q=q: _digest("option", learner, bank.lesson, attempt, q.id, i),
                )
            ),
        )
        for q in chosen
    )
    return Attempt(learner, bank.lesson, attempt, bank_version(bank), bank.pass_mark, drawn)


# ------------------------------------------------------------------------------------------ scoring
@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    answered: bool
    correct: bool
    points: float  # awarded
    max_points: float
    selected: tuple[int, ...]  # indices into question.options, in the order chosen
    correct_options: tuple[int, ...]  # indices into question.options
    feedback: tuple[str, ...]  # the feedback of each chosen option
    explanation: str
    articles: tuple[str, ...]


@dataclass(frozen=True)
class AttemptResult:
    learner: str
    lesson: str
    attempt: int
    bank_version: str
    points: float
    max_points: float
    share: float
    pass_mark: float
    passed: bool
    results: tuple[QuestionResult, ...]


def check(question: Question | DrawnQuestion, selected: Iterable[int]) -> QuestionResult:
    """Judge one answer.

    `selected` indexes `question.options` for a Question, or the options as shown for a DrawnQuestion.
    Single-answer types take at most one option (none: unanswered); multiple choice is all or nothing.
    """
    if isinstance(question, DrawnQuestion):
        indices = question.to_original(selected)
        question = question.question
    else:
        indices = tuple(selected)
        for i in indices:
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(question.options):
                raise ValueError(f"question {question.id}: no option #{i!r} (it has {len(question.options)})")
    indices = tuple(dict.fromkeys(indices))  # drop repeats, keep the order chosen
    if question.type in SINGLE_ANSWER_TYPES and len(indices) > 1:
        raise ValueError(f"question {question.id} ({question.type}) takes one option, got {len(indices)}")
    right = question.correct_indices
    correct = bool(indices) and set(indices) == set(right)
    return QuestionResult(
        question_id=question.id,
        answered=bool(indices),
        correct=correct,
        points=question.points if correct else 0,
        max_points=question.points,
        selected=indices,
        correct_options=right,
        feedback=tuple(question.options[i].feedback for i in indices),
        explanation=question.explanation,
        articles=question.articles,
    )


def score(attempt: Attempt, answers: Mapping[str, Iterable[int]]) -> AttemptResult:
    """Score an attempt. `answers`: question id -> indices of the options *as shown* (DrawnQuestion.options).

    A question left out of `answers` is unanswered and scores 0; an id not in the attempt is an error.
    Passed when points / max_points >= the bank's pass_mark.
    """
    ids = {q.id for q in attempt.questions}
    stray = sorted(set(answers) - ids)
    if stray:
        raise ValueError(f"answers for questions not in this attempt: {', '.join(stray)}")
    results = tuple(check(q, answers.get(q.id, ())) for q in attempt.questions)
    points = sum(r.points for r in results)
    max_points = sum(r.max_points for r in results)
    share = points / max_points if max_points else 0.0
    return AttemptResult(
        learner=attempt.learner,
        lesson=attempt.lesson,
        attempt=attempt.number,
        bank_version=attempt.bank_version,
        points=points,
        max_points=max_points,
        share=share,
        pass_mark=attempt.pass_mark,
        passed=share >= attempt.pass_mark - 1e-9,
        results=results,
    )


# ------------------------------------------------------------------------------ submitting and revealing
#: Environment variable setting how many attempts a learner has at a quiz before the correct answers of
#: the questions they got wrong are shown; after that attempt no further one is offered. Unset, empty or
#: 0: unlimited attempts, and the correct answers are shown only after a pass.
ATTEMPTS_ENV = "GDPRLAB_QUIZ_ATTEMPTS"


def attempts_allowed(env: Mapping[str, str] | None = None) -> int | None:
    """The configured number of attempts (:data:`ATTEMPTS_ENV`), None for unlimited."""
    raw = (os.environ if env is None else env).get(ATTEMPTS_ENV, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError as error:
        raise ValueError(f"{ATTEMPTS_ENV} must be a whole number of attempts (0: unlimited), got {raw!r}") \
            from error
    if value < 0:
        raise ValueError(f"{ATTEMPTS_ENV} must be 0 (unlimited) or more, got {value}")
    return value or None


def unanswered(attempt: Attempt, answers: Mapping[str, Iterable[int]]) -> list[int]:
    """The numbers (1, 2, … as shown) of the attempt's questions without a chosen option.

    A quiz is not submitted while this is not empty: scoring an empty answer would only reveal feedback
    without the learner having thought about the question."""
    return [number for number, q in enumerate(attempt.questions, start=1) if not list(answers.get(q.id, ()))]


def reveals_answers(passed: bool, round_number: int, allowed: int | None) -> bool:
    """Whether the correct answers of the questions answered wrongly may be shown after this attempt:
    after a pass, or after the last allowed attempt (``round_number`` counts the attempts since the
    learner's last pass, this one included; ``allowed`` None: unlimited)."""
    return passed or (allowed is not None and round_number >= allowed)


def may_try_again(passed: bool, round_number: int, allowed: int | None) -> bool:
    """Whether a new attempt is offered after this one: not after a pass (the lesson is done; the
    refresher comes later), nor after the last allowed attempt."""
    return not passed and (allowed is None or round_number < allowed)
