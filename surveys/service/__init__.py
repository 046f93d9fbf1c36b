"""The survey's rules (one module per concern, re-exported here).

- `rounds`: rounds created and changed by organisers, listed, shown with their figures.
- `invitations`: personal links mailed to companies; reminders, once per invite.
- `answers`: a company's answer through a personal or the open link (one per organisation
  number and round, the latest kept), changed until the round closes, erased from its link.
- `exports`: a round's answers as a spreadsheet.
- `signals`: the needs and offers of the answers, as `traffpunkt.needs.NeedSignal`s.
- `companies`: the companies that answered, for the funder's report.
- `retention`: answers of rounds closed long ago anonymised (the sender, daily).
- `counts`: the needs counted per municipality, topic and urgency, in the database.
- `contacts`: who named a topic as a need and agreed to be contacted (planning's invitations).
"""

from surveys.queries import SurveyCompany
from surveys.service._common import answer_url, closes_text, opens_text
from surveys.service.answers import (
    AnswerContext,
    Submitted,
    erase_by_link,
    link_form,
    open_form,
    submit_by_link,
    submit_open,
)
from surveys.service.companies import companies_answered
from surveys.service.contacts import SurveyContact, contacts_for_topics
from surveys.service.counts import NeedCount, need_counts
from surveys.service.exports import round_table
from surveys.service.invitations import invite, send_reminders
from surveys.service.retention import retention_job
from surveys.service.rounds import create_round, get_round, list_rounds, round_out, update_round
from surveys.service.signals import need_signals

__all__ = [
    "AnswerContext",
    "NeedCount",
    "Submitted",
    "SurveyCompany",
    "SurveyContact",
    "answer_url",
    "closes_text",
    "companies_answered",
    "contacts_for_topics",
    "create_round",
    "erase_by_link",
    "get_round",
    "invite",
    "link_form",
    "list_rounds",
    "need_counts",
    "need_signals",
    "open_form",
    "opens_text",
    "retention_job",
    "round_out",
    "round_table",
    "send_reminders",
    "submit_by_link",
    "submit_open",
    "update_round",
]
