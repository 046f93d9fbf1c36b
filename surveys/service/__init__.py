"""The survey's rules (one module per concern, re-exported here).

- `signals`: the needs and offers of the answers, as `traffpunkt.needs.NeedSignal`s.
- `contacts`: who named a topic as a need and agreed to be contacted (planning's invitations).
"""

from surveys.service.contacts import SurveyContact, contacts_for_topics
from surveys.service.signals import need_signals

__all__ = ["SurveyContact", "contacts_for_topics", "need_signals"]
