"""Whether a person completed a course, and the time it counts: pure functions of what was
recorded (no database, no clock), so the rule is tested on its own.

The rule of an event (events.tables.Event): at least `min_sessions` of its sessions attended
(None: all of them), and a passed exam when `requires_exam`. Cancelled sessions count neither
way. A single event (no sessions) is one session: attended when checked in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Rule:
    sessions: int  # sessions that take place (cancelled ones not counted)
    min_sessions: int | None = None
    requires_exam: bool = False

    @property
    def needed(self) -> int:
        """Sessions to attend: the rule's number, never more than take place, at least one."""
        wanted = self.sessions if self.min_sessions is None else self.min_sessions
        return max(1, min(wanted, self.sessions))


def completed(rule: Rule, attended: int, exam_passed: bool) -> bool:
    return attended >= rule.needed and (exam_passed or not rule.requires_exam)


def minutes(spans: list[tuple[datetime, datetime]]) -> int:
    """Whole minutes of these (start, end) spans, each counted once."""
    return sum(max(0, int((end - start).total_seconds() // 60)) for start, end in set(spans))


def hours_text(total_minutes: int, lang: str = "sv") -> str:
    """ "7,5" (sv) or "7.5" (en): hours with at most two decimals, as a certificate says it."""
    text = f"{total_minutes / 60:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "sv" else text
