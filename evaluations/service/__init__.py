"""The evaluation's rules (one module per concern, re-exported here):

- `sending`: the evaluation mail after an event and the follow-up three months later, once
  per checked-in attendee (the sender's periodic job `send_evaluations`).
- `answering`: the personal link's form, the answer (changeable for 14 days), the follow-up;
  an erased registration's link and answers dropped.
- `settings`: the organiser's own questions and the follow-up switch, per event.
- `results`: anonymous results (never fewer than 3 answers in a shown group) and exports.
- `signals`: the topics wanted next as `traffpunkt.needs.NeedSignal`s (the needs map).
- `_common`: the windows of time and the personal link.

Inside the package modules import each other directly, never through this file.
"""

from evaluations.service._common import EDIT_WINDOW, FOLLOW_UP_AFTER, SEND_WITHIN
from evaluations.service.answering import (
    answer,
    answer_follow_up,
    evaluation,
    on_registration_erased,
)
from evaluations.service.results import (
    ResultQuery,
    event_evaluation,
    export,
    group_results,
    parse_query,
    results,
)
from evaluations.service.sending import send_evaluations, send_for_event
from evaluations.service.settings import get_settings, save_settings
from evaluations.service.signals import need_signals

__all__ = [
    "EDIT_WINDOW",
    "FOLLOW_UP_AFTER",
    "SEND_WITHIN",
    "ResultQuery",
    "answer",
    "answer_follow_up",
    "evaluation",
    "event_evaluation",
    "export",
    "get_settings",
    "group_results",
    "need_signals",
    "on_registration_erased",
    "parse_query",
    "results",
    "save_settings",
    "send_evaluations",
    "send_for_event",
]
