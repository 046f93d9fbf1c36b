"""The reasons of a `planning.demand.Demand`, as a sentence in the reader's language:
"9 företag i Åsele behöver e-handel; senaste aktiviteten om det för 14 månader sedan"."""

from __future__ import annotations

from events import topics
from planning.demand import Demand, ReasonKind
from traffpunkt import i18n
from traffpunkt.localtime import to_local
from traffpunkt.settings import current_settings


def topic_in_text(slug: str, lang: str) -> str:
    """The topic's label inside a sentence: "e-handel", but "AI-verktyg i vardagen"."""
    topic = topics.BY_SLUG.get(slug)
    label = topic.label(lang) if topic else slug
    if len(label) > 1 and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def reason_texts(d: Demand, place: str, lang: str, tz: str | None = None) -> list[str]:
    """The reasons in words; dates in `tz` (the place's zone; else the service's)."""
    tz = tz or current_settings().default_timezone
    topic = topic_in_text(d.topic, lang)
    out: list[str] = []
    for r in d.reasons:
        if r.kind == ReasonKind.COMPANIES:
            text = i18n.ngettext(
                lang,
                "%(num)s company in %(place)s needs %(topic)s",
                "%(num)s companies in %(place)s need %(topic)s",
                r.count,
            )
            out.append(text % {"num": r.count, "place": place, "topic": topic})
        elif r.kind == ReasonKind.URGENT:
            text = i18n.ngettext(
                lang, "%(num)s of them needs it now", "%(num)s of them need it now", r.count
            )
            out.append(text % {"num": r.count})
        elif r.kind == ReasonKind.LAST_HELD:
            if r.months == 0:
                out.append(i18n.gettext(lang, "the last activity on it was less than a month ago"))
            else:
                text = i18n.ngettext(
                    lang,
                    "the last activity on it %(num)s month ago",
                    "the last activity on it %(num)s months ago",
                    r.months,
                )
                out.append(text % {"num": r.months})
        elif r.kind == ReasonKind.NEVER_HELD:
            out.append(i18n.gettext(lang, "no activity on it there yet"))
        elif r.kind == ReasonKind.PLANNED and r.at is not None:
            day = to_local(r.at, tz).date().isoformat()
            out.append(i18n.gettext(lang, "the next one is planned for %(date)s") % {"date": day})
    return out


def reason_sentence(d: Demand, place: str, lang: str, tz: str | None = None) -> str:
    return "; ".join(reason_texts(d, place, lang, tz))


def N_(message: str) -> str:
    """Marks a message id for the catalog; translated where it is shown."""
    return message


# What each rule of `planning.tours.check_tour` means, for the tour page and its errors.
PROBLEM_TEXTS = {
    "not_working_day": N_("Not a working day"),
    "expert_unavailable": N_("The expert cannot travel that day"),
    "not_consecutive": N_("Not the working day after the previous stop"),
    "locality_twice": N_("The locality is on the tour twice"),
    "locality_busy": N_("The locality already has an event that day"),
    "unknown_venue": N_("Not a venue of this locality"),
    "too_small": N_("The venue is too small"),
    "venue_busy": N_("The venue is taken that day"),
    "too_far": N_("The travel and the seminar do not fit one working day"),
}
