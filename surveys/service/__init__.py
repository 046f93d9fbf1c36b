"""The survey's rules (one module per concern, re-exported here).

- `signals`: the needs and offers of the answers, as `traffpunkt.needs.NeedSignal`s.
- `counts`: the needs counted per municipality, topic and urgency, in the database.
- `contacts`: who named a topic as a need and agreed to be contacted (planning's invitations).
"""

from surveys.service.contacts import SurveyContact, contacts_for_topics
from surveys.service.counts import NeedCount, need_counts
from surveys.service.signals import need_signals

__all__ = ["NeedCount", "SurveyContact", "contacts_for_topics", "need_counts", "need_signals"]
