"""Shapes of the evaluation API (msgspec): the organiser's settings, the attendee's answer and
follow-up, and the anonymous results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta, Struct

from evaluations.statuses import FollowUpUse, QuestionKind

Score = Annotated[int, Meta(ge=1, le=5)]
QuestionText = Annotated[str, Meta(min_length=1, max_length=300)]
Option = Annotated[str, Meta(min_length=1, max_length=100)]
FreeText = Annotated[str, Meta(max_length=2000)]
MAX_QUESTIONS = 5
MIN_GROUP = 3  # no result (and no free text) for fewer answers than this


class QuestionIn(Struct, forbid_unknown_fields=True, kw_only=True):
    kind: QuestionKind
    text: QuestionText
    # For `choice`: 2-8 options, in the organiser's order.
    options: Annotated[list[Option], Meta(max_length=8)] = []


class SettingsIn(Struct, forbid_unknown_fields=True, kw_only=True):
    follow_up: bool = True
    questions: Annotated[list[QuestionIn], Meta(max_length=MAX_QUESTIONS)] = []


class Question(Struct, frozen=True, kw_only=True):
    id: str  # "q1".."q5", in the order given
    kind: QuestionKind
    text: str
    options: list[str] = []


class SettingsOut(Struct, kw_only=True):
    event: UUID
    follow_up: bool
    questions: list[Question]
    requests: int  # evaluation mails sent so far
    answers: int


class AnswerIn(Struct, forbid_unknown_fields=True, kw_only=True):
    overall: Score
    relevance: Score
    next_step: FreeText = ""
    topics: Annotated[list[str], Meta(max_length=20)] = []
    wants_follow_up_contact: bool = False
    # {question id: 1-5 for scale, an option for choice, text for text}
    custom: dict[str, int | str] = {}


class FollowUpIn(Struct, forbid_unknown_fields=True, kw_only=True):
    used: FollowUpUse
    text: FreeText = ""


class AnswerOut(Struct, kw_only=True):
    overall: int
    relevance: int
    next_step: str
    topics: list[str]
    wants_follow_up_contact: bool
    custom: dict[str, int | str]
    answered_at: datetime
    updated_at: datetime


class FollowUpOut(Struct, kw_only=True):
    used: FollowUpUse
    text: str
    answered_at: datetime


class EvaluationOut(Struct, kw_only=True):
    """What the personal link shows: the event, the questions, the answer so far."""

    event: UUID
    title: str
    questions: list[Question]
    answer: AnswerOut | None
    # Until when the answer can be given or changed; None: no answer yet, no limit.
    editable_until: datetime | None
    can_answer: bool
    follow_up_open: bool  # the follow-up has been sent
    follow_up_can_answer: bool  # …and its answer can be given or changed now
    follow_up: FollowUpOut | None


class Scale(Struct, kw_only=True):
    average: float
    distribution: list[int]  # answers giving 1, 2, 3, 4, 5


class ChoiceCount(Struct, kw_only=True):
    option: str
    count: int


class CustomResult(Struct, kw_only=True):
    id: str
    kind: QuestionKind
    text: str
    answers: int
    scale: Scale | None = None
    choices: list[ChoiceCount] | None = None
    texts: list[str] | None = None  # only with 3 answers or more


class FollowUpResult(Struct, kw_only=True):
    answers: int
    yes: int
    partly: int
    no: int
    texts: list[str]


class ResultGroup(Struct, kw_only=True):
    """One group of answers (an event, a topic, a municipality, a month, or all). With fewer
    than 3 answers only `suppressed` is said: no count, no average, no text."""

    key: str
    label: str
    suppressed: bool
    answers: int | None = None
    overall: Scale | None = None
    relevance: Scale | None = None
    wants_follow_up_contact: int | None = None
    next_steps: list[str] | None = None
    topics_wanted: dict[str, int] | None = None
    custom: list[CustomResult] | None = None  # per event only (each event asks its own)
    # The follow-up's answers, suppressed on their own (None) below 3.
    follow_up: FollowUpResult | None = None


class ResultList(Struct, kw_only=True):
    """`{items, next}` as every list of the API; the groups are few, so `next` is null."""

    items: list[ResultGroup]
    total: ResultGroup
    next: str | None = None


class QuestionFigures(Struct, kw_only=True, omit_defaults=True):
    """One question of an event's evaluation: `overall`, `relevance`, `wants_follow_up_contact`,
    `follow_up` or the organiser's own (`q1`…`q5`). The figures are absent while fewer than 3
    answered it (a free-text question has none: its texts are on the results page)."""

    key: str
    kind: str  # scale, choice, text, yes_no (wants_follow_up_contact), follow_up
    text: str = ""  # the organiser's wording of their own questions
    answers: int | msgspec.UnsetType = msgspec.UNSET
    mean: float | msgspec.UnsetType = msgspec.UNSET
    # scale: answers giving 1..5; choice: per option, in `options` order; yes_no: [no, yes];
    # follow_up: [yes, partly, no]
    distribution: list[int] | msgspec.UnsetType = msgspec.UNSET
    options: list[str] | msgspec.UnsetType = msgspec.UNSET


class EventEvaluation(Struct, kw_only=True):
    event: UUID
    requests: int  # evaluation mails sent
    answers: int
    follow_up_answers: int
    questions: list[QuestionFigures]


def question_ids(questions: list[QuestionIn]) -> list[Question]:
    return [
        Question(id=f"q{i}", kind=q.kind, text=q.text, options=list(q.options))
        for i, q in enumerate(questions, 1)
    ]


def decode_questions(stored: str) -> list[Question]:
    return msgspec.json.decode(stored or "[]", type=list[Question])
