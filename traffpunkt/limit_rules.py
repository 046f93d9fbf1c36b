"""The abuse limits and how they are configured (pure: read by traffpunkt.settings).

Each rule is "at most `count` in `window` seconds" for one key (a client address, a target
address or an organiser). Defaults are chosen so that people never meet them: a class or an
office behind one NAT address signing up together stays under the per-client limits, and a
person signing up for several events in an evening stays under the per-address one.

Environment:
- `TRAFFPUNKT_RATE_LIMITS`: `on` (default), `off`, or a number that multiplies every count
  (`10`: ten times as many; the benchmark and load tests use `off`).
- `TRAFFPUNKT_RATE_LIMIT_<RULE>`: `<count>/<window>` with the window in `s`, `m`, `h` or `d`
  (`60/10m`, `3/1d`, `5/h`), or `off` for that rule alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    count: int
    window: int  # seconds


# name -> (default, what happens when it is exceeded; the README's table says the same)
DEFAULTS: dict[str, Rule] = {
    # Sign-ups (API and form), counted per client address: 429.
    "signup_per_client": Rule(60, 600),
    # Sign-ups for one address across all events, including the "already registered" answer
    # that mails the manage link again: 429.
    "signup_per_address": Rule(10, 3600),
    # Sign-in link requests per client address: 429 (the same whether the address is known).
    "signin_per_client": Rule(10, 600),
    # Sign-in links mailed to one address: beyond this no mail, and the same page as always.
    "signin_per_address": Rule(3, 600),
    # Invitation addresses one organiser may mail: 429.
    "invite_per_organiser": Rule(2000, 3600),
    # Invitations to one address across events: beyond this it is not mailed (reported).
    "invite_per_address": Rule(3, 86400),
    # Answers through a survey's open link from one client address: 429.
    "survey_answer_per_client": Rule(30, 600),
    # Survey receipts (the answer's link) mailed to one address: beyond this no mail.
    "survey_receipt_per_address": Rule(3, 3600),
    # Unknown or revoked tokens (manage links, door and API tokens, sign-in and invitation
    # links) per client address: 429 for further misses; a valid token always works.
    "token_misses_per_client": Rule(30, 600),
}

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RULE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


def parse_rule(name: str, text: str) -> Rule | None:
    """`60/10m` -> Rule(60, 600); `off` -> None."""
    if text.strip().lower() in ("off", "0"):
        return None
    m = _RULE.match(text.lower())
    if m is None or int(m.group(1)) < 1 or m.group(2) == "0":
        raise SystemExit(
            f"{name}={text!r}: expected <count>/<window>, e.g. 60/10m, 5/h or 3/1d (or off)"
        )
    return Rule(int(m.group(1)), int(m.group(2) or 1) * _UNITS[m.group(3)])


def from_environment(environ: Mapping[str, str]) -> dict[str, Rule]:
    """The rules in force: defaults, scaled by TRAFFPUNKT_RATE_LIMITS, then per-rule values.
    A rule that is off is absent."""
    switch = environ.get("TRAFFPUNKT_RATE_LIMITS", "on").strip().lower() or "on"
    if switch == "off":
        return {}
    factor = 1.0
    if switch != "on":
        try:
            factor = float(switch)
        except ValueError:
            factor = -1.0
        if not (factor > 0 and math.isfinite(factor)):
            raise SystemExit(
                f"TRAFFPUNKT_RATE_LIMITS={switch!r}: expected on, off or a positive number"
            )
    rules: dict[str, Rule] = {}
    for name, default in DEFAULTS.items():
        var = f"TRAFFPUNKT_RATE_LIMIT_{name.upper()}"
        if var in environ:
            rule = parse_rule(var, environ[var])
        else:
            rule = Rule(max(1, math.ceil(default.count * factor)), default.window)
        if rule is not None:
            rules[name] = rule
    return rules
