"""Whom should each attendee meet? Reciprocal scores, computed for a whole event at once.

For attendees A and B over the topic taxonomy:

- fit(A←B) = share of A's needs that B offers (a researcher's offer to a company counts a bit
  more, as the regional project connects companies with research);
- reciprocity = harmonic mean of fit(A←B) and fit(B←A), as reciprocal recommenders do: a pair
  where only one side gains ranks low, a two-way fit ranks high;
- peer learning = Jaccard overlap of their needs ("you both want to learn digital marketing");
- free-text similarity (hashed word vectors) breaks ties among the shortlisted.

score = 0.65·reciprocity + 0.15·mean one-way fit + 0.15·peer learning + 0.05·text, in [0, 1].

Never oneself, never one's own organisation, never a pair either side declined. Then the list is
re-ranked for diversity: people who are in very many shortlists are damped (so one popular
person is not everyone's first suggestion), and a candidate too similar to one already picked
is pushed down (maximal marginal relevance), so a list is not five copies of the same profile.
Everything is NumPy over N×N matrices: no pairwise Python loops.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from events.topics import TOPICS, decode
from registrations.statuses import AttendeeRole

TOPIC_INDEX = {t.slug: i for i, t in enumerate(TOPICS)}
W_RECIPROCAL, W_ONE_WAY, W_PEER, W_TEXT = 0.65, 0.15, 0.15, 0.05
RESEARCH_BOOST = 1.25  # a researcher's offer meeting a company's need
POPULARITY_DAMPING = 0.35
MMR_LAMBDA = 0.25
SHORTLIST = 30
FIRST_PLACE_SHARE = 0.10
TIE_JITTER = 1e-3
TIE_SEED = 20270304
FIRST_PLACE_MIN_CAP = 3
TEXT_DIMS = 128
_WORD = re.compile(r"[a-zåäöéü0-9]{3,}")


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    organisation: str = ""
    role: str = AttendeeRole.COMPANY.value
    needs: Sequence[str] = ()
    offers: Sequence[str] = ()
    about: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    other: str
    score: float
    they_offer_you_need: tuple[str, ...]
    you_offer_they_need: tuple[str, ...]
    shared_needs: tuple[str, ...]


def _topic_matrix(people: Sequence[Person], attr: str) -> np.ndarray:
    m = np.zeros((len(people), len(TOPICS)), dtype=np.float32)
    for i, p in enumerate(people):
        for slug in getattr(p, attr):
            if (j := TOPIC_INDEX.get(slug)) is not None:
                m[i, j] = 1.0
    return m


def _text_vectors(people: Sequence[Person]) -> np.ndarray:
    """Hashed bag of words, L2-normalised (a tie-breaker needs no vocabulary)."""
    v = np.zeros((len(people), TEXT_DIMS), dtype=np.float32)
    for i, p in enumerate(people):
        for word in _WORD.findall(p.about.lower()):
            v[i, zlib.crc32(word.encode()) % TEXT_DIMS] += 1.0
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    out: np.ndarray = np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)
    return out


BLOCK = 512  # rows per block: block×N float32 buffers stay small and cache-friendly


@dataclass(frozen=True)
class Profiles:
    """The event's attendees as matrices (topics one-hot), plus exclusion data."""

    need: np.ndarray
    offer: np.ndarray
    n_needs: np.ndarray
    company: np.ndarray
    researcher: np.ndarray
    org_id: np.ndarray  # -1: no organisation given
    declined: dict[int, list[int]]

    @classmethod
    def of(cls, people: Sequence[Person], declined: set[tuple[int, int]] | None) -> Profiles:
        need = _topic_matrix(people, "needs")
        orgs: dict[str, int] = {}
        org_id = np.full(len(people), -1, dtype=np.int64)
        for i, p in enumerate(people):
            key = " ".join(p.organisation.lower().split())
            if key:
                org_id[i] = orgs.setdefault(key, len(orgs))
        by_row: dict[int, list[int]] = {}
        for a, b in declined or ():
            by_row.setdefault(a, []).append(b)
            by_row.setdefault(b, []).append(a)
        return cls(
            need=need,
            offer=_topic_matrix(people, "offers"),
            n_needs=need.sum(axis=1),
            company=np.array([p.role == AttendeeRole.COMPANY for p in people]),
            researcher=np.array([p.role == "researcher" for p in people]),
            org_id=org_id,
            declined=by_row,
        )


def block_scores(p: Profiles, rows: slice) -> np.ndarray:
    """Scores of the attendees in `rows` against everyone (block×N); excluded pairs -inf.

    Written to allocate little and touch each N-wide row few times (it is ~60% of the time
    for 5,000 attendees): buffers are reused, the researcher boost only multiplies the
    company×researcher sub-block, and divisions use max(denominator, 1) where the numerator is
    0 whenever the denominator is (same float32 results as the straightforward version).
    """
    n_safe = np.maximum(p.n_needs, 1).astype(np.float32)
    idx = np.arange(rows.start, rows.stop)
    boost = np.float32(RESEARCH_BOOST)
    # mine[a, b]: share of a's needs that b offers.
    mine = p.need[rows] @ p.offer.T
    mine /= n_safe[rows, None]
    company_rows, researchers = np.flatnonzero(p.company[rows]), np.flatnonzero(p.researcher)
    if company_rows.size and researchers.size:
        mine[np.ix_(company_rows, researchers)] *= boost
    np.minimum(mine, 1.0, out=mine)
    # theirs[a, b]: share of b's needs that a offers.
    theirs = p.offer[rows] @ p.need.T
    theirs /= n_safe[None, :]
    researcher_rows, companies = np.flatnonzero(p.researcher[rows]), np.flatnonzero(p.company)
    if researcher_rows.size and companies.size:
        theirs[np.ix_(researcher_rows, companies)] *= boost
    np.minimum(theirs, 1.0, out=theirs)
    total = mine + theirs
    score = np.multiply(mine, theirs, out=mine)
    score *= 2.0
    score /= np.maximum(total, np.float32(1e-30), out=theirs)  # harmonic mean, 0 where 0
    score *= W_RECIPROCAL
    total *= 0.5 * W_ONE_WAY
    score += total
    shared = p.need[rows] @ p.need.T
    union = np.add(p.n_needs[rows, None], p.n_needs[None, :], out=total)
    union -= shared
    shared /= np.maximum(union, 1.0, out=union)
    shared *= W_PEER
    score += shared
    np.putmask(score, score <= 0, -np.inf)
    score[np.arange(len(idx)), idx] = -np.inf  # oneself
    org = p.org_id[idx]
    has = org >= 0
    if has.any():  # one's own organisation
        sub = score[has]
        np.putmask(sub, org[has, None] == p.org_id[None, :], -np.inf)
        score[has] = sub
    for local, i in enumerate(idx.tolist()):
        for j in p.declined.get(i, ()):
            score[local, j] = -np.inf
    out: np.ndarray = score
    return out


def suggest(
    people: Sequence[Person],
    declined: set[tuple[int, int]] | None = None,
    k: int = 10,
) -> dict[str, list[Suggestion]]:
    """Top k suggestions for everyone, diverse and explained."""
    return suggest_all(people, declined, k).as_dict()


def suggest_all(
    people: Sequence[Person],
    declined: set[tuple[int, int]] | None = None,
    k: int = 10,
) -> Suggested:
    """As `suggest`, as arrays: what a worker process sends back (traffpunkt.cpu)."""
    n = len(people)
    ids = [p.id for p in people]
    if n < 2:
        nothing = np.zeros(n, dtype=np.int64)
        return Suggested(ids, np.full((n, 0), -1), np.zeros((n, 0)), nothing, nothing)
    prof = Profiles.of(people, declined)
    width = min(SHORTLIST, n - 1)
    short = np.empty((n, width), dtype=np.int64)
    short_scores = np.empty((n, width), dtype=np.float32)
    for start in range(0, n, BLOCK):
        rows = slice(start, min(start + BLOCK, n))
        block = block_scores(prof, rows)
        # Shortlist per person (argpartition: linear per row, no sort of whole rows).
        part = np.argpartition(-block, width - 1, axis=1)[:, :width]
        short[rows] = part
        short_scores[rows] = np.take_along_axis(block, part, axis=1)
    valid = np.isfinite(short_scores)
    # Popularity: how many shortlists each person is in; damp the most wanted.
    counts = np.bincount(short[valid], minlength=n).astype(np.float32)
    popularity = counts / max(counts.max(), 1.0)
    text = _text_vectors(people)
    text_sim = np.einsum("nd,nmd->nm", text, text[short])
    adjusted = short_scores * (1.0 - POPULARITY_DAMPING * popularity[short]) + W_TEXT * text_sim
    # Equally good candidates are spread over people instead of all going to the first index:
    # a tiny, deterministic jitter breaks ties differently for each person.
    adjusted += (
        np.random.default_rng(TIE_SEED).uniform(0, TIE_JITTER, adjusted.shape).astype(np.float32)
    )
    adjusted = np.where(valid, adjusted, -np.inf)
    # Profile vectors for diversity (needs and offers together, normalised).
    profile = np.concatenate([prof.need, prof.offer], axis=1)
    norms = np.linalg.norm(profile, axis=1, keepdims=True)
    profile = np.divide(profile, norms, out=np.zeros_like(profile), where=norms > 0)
    cand = profile[short]  # N×W×2T
    picked_idx = np.full((n, k), -1, dtype=np.int64)
    max_sim = np.zeros_like(adjusted)
    available = valid.copy()
    every = np.arange(n)
    for step in range(min(k, width)):
        mmr = np.where(available, adjusted - MMR_LAMBDA * max_sim, -np.inf)
        choice = np.argmax(mmr, axis=1)
        ok = np.isfinite(mmr[every, choice])
        picked_idx[ok, step] = choice[ok]
        available[every[ok], choice[ok]] = False
        chosen_vec = cand[every, choice]  # N×2T
        sim = np.einsum("nmd,nd->nm", cand, chosen_vec)
        max_sim = np.where(ok[:, None], np.maximum(max_sim, sim), max_sim)
    _spread_first_places(picked_idx, short, short_scores)
    # Explanations from topic bitmasks (one int per person): cheap for 50,000 suggestions.
    weights = 1 << np.arange(len(TOPICS), dtype=np.int64)
    chosen = np.where(picked_idx >= 0, np.take_along_axis(short, np.maximum(picked_idx, 0), 1), -1)
    chosen_scores = np.take_along_axis(short_scores, np.maximum(picked_idx, 0), 1)
    return Suggested(
        ids,
        chosen,
        np.clip(chosen_scores, 0.0, 1.0).astype(np.float64).round(3),
        prof.need.astype(np.int64) @ weights,
        prof.offer.astype(np.int64) @ weights,
    )


def suggest_rows(
    rows: Sequence[tuple[str, str, str, str, str, str, str]],
    declined: set[tuple[int, int]] | None = None,
    k: int = 10,
) -> Suggested:
    """`suggest_all` for rows as stored (id, name, organisation, role, needs, offers, about;
    topics encoded as events.topics stores them): a worker process's job, so that making 5,000
    Person objects is not left to the event loop either."""
    people = [
        Person(id, name, organisation, role, decode(needs), decode(offers), about)
        for id, name, organisation, role, needs, offers, about in rows
    ]
    return suggest_all(people, declined, k)


class Suggested:
    """Everyone's suggestions as a few arrays: for 5,000 attendees 1 MB, pickled and unpickled
    in ~0.5 ms each, where the same 50,000 Suggestion objects took ~0.95 s each way (frozen
    dataclasses pickle through Python). The objects are made for whom is asked about.
    `chosen[i]`: indexes of person i's suggestions, best first, -1 after the last; `scores[i]`
    their scores; `need_bits`/`offer_bits`: each person's topics as bitmasks."""

    __slots__ = ("_index", "chosen", "ids", "need_bits", "offer_bits", "scores")

    def __init__(
        self,
        ids: list[str],
        chosen: np.ndarray,
        scores: np.ndarray,
        need_bits: np.ndarray,
        offer_bits: np.ndarray,
    ) -> None:
        self.ids, self.chosen, self.scores = ids, chosen, scores
        self.need_bits, self.offer_bits = need_bits, offer_bits
        self._index: dict[str, int] | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (Suggested, (self.ids, self.chosen, self.scores, self.need_bits, self.offer_bits))

    def _items(self, i: int, need: list[int], offer: list[int]) -> list[Suggestion]:
        items = []
        ni, oi = need[i], offer[i]
        for j, sc in zip(self.chosen[i].tolist(), self.scores[i].tolist(), strict=True):
            if j < 0:
                break
            items.append(
                Suggestion(
                    other=self.ids[j],
                    score=sc,
                    they_offer_you_need=_topics(ni & offer[j]),
                    you_offer_they_need=_topics(oi & need[j]),
                    shared_needs=_topics(ni & need[j]),
                )
            )
        return items

    def of(self, person_id: str) -> list[Suggestion]:
        """One person's suggestions (none for someone not among the people)."""
        if self._index is None:
            self._index = {p: i for i, p in enumerate(self.ids)}
        i = self._index.get(person_id)
        if i is None:
            return []
        return self._items(i, self.need_bits.tolist(), self.offer_bits.tolist())

    def as_dict(self) -> dict[str, list[Suggestion]]:
        need, offer = self.need_bits.tolist(), self.offer_bits.tolist()
        return {p: self._items(i, need, offer) for i, p in enumerate(self.ids)}

    def scored(self) -> dict[str, list[tuple[str, float]]]:
        """Each person's suggested others with their scores (the meeting plan's input)."""
        ids, chosen, scores = self.ids, self.chosen.tolist(), self.scores.tolist()
        return {
            p: [(ids[j], sc) for j, sc in zip(chosen[i], scores[i], strict=True) if j >= 0]
            for i, p in enumerate(ids)
        }


def _spread_first_places(
    picked_idx: np.ndarray, short: np.ndarray, short_scores: np.ndarray
) -> None:
    """No one is the first suggestion of more than ~10% of attendees (at least 3): people
    whose best match is strongest choose first; the others get their next-best first and keep
    the popular person further down. In place; a loop over people, not over pairs."""
    n = picked_idx.shape[0]
    has = picked_idx[:, 0] >= 0
    cap = max(FIRST_PLACE_MIN_CAP, int(np.ceil(FIRST_PLACE_SHARE * has.sum())))
    rows_idx = np.arange(n)
    first_col = np.maximum(picked_idx[:, 0], 0)
    best = np.where(has, short_scores[rows_idx, first_col], -np.inf)
    picked = picked_idx.tolist()
    people = np.where(
        picked_idx >= 0, np.take_along_axis(short, np.maximum(picked_idx, 0), 1), -1
    ).tolist()
    firsts: dict[int, int] = {}
    for i in np.argsort(-best, kind="stable").tolist():
        if not has[i]:
            continue
        row, who = picked[i], people[i]
        valid = [pos for pos, person in enumerate(who) if person >= 0]
        # The best-ranked one still under the cap; if all are at it, the least used.
        pos = next(
            (p for p in valid if firsts.get(who[p], 0) < cap),
            min(valid, key=lambda p: firsts.get(who[p], 0)),
        )
        if pos:
            row.insert(0, row.pop(pos))
            who.insert(0, who.pop(pos))
        firsts[who[0]] = firsts.get(who[0], 0) + 1
    picked_idx[:] = np.array(picked, dtype=np.int64)


_SLUGS = tuple(t.slug for t in TOPICS)


@functools.cache
def _topics(bits: int) -> tuple[str, ...]:
    return tuple(slug for t, slug in enumerate(_SLUGS) if bits >> t & 1)
