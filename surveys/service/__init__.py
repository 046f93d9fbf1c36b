"""The survey's rules (one module per concern, re-exported here).

- `signals`: the needs and offers of the answers, as `traffpunkt.needs.NeedSignal`s.
- `companies`: the companies that answered, for the funder's report.
"""

from surveys.queries import SurveyCompany
from surveys.service.companies import companies_answered
from surveys.service.signals import need_signals

__all__ = ["SurveyCompany", "companies_answered", "need_signals"]
