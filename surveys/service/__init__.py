"""The survey's rules (one module per concern, re-exported here).

- `signals`: the needs and offers of the answers, as `traffpunkt.needs.NeedSignal`s.
"""

from surveys.service.signals import need_signals

__all__ = ["need_signals"]
