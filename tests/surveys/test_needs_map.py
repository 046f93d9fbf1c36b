"""Survey answers in the needs map: sources told apart, filters, small counts suppressed."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import httpx
from hypothesis import given
from hypothesis import strategies as st

from networking.service import tally
from surveys import service
from surveys.schemas import RoundOut
from tests.surveys.conftest import ORG, answer
from traffpunkt.needs import NeedKind, NeedSignal, NeedSource


def _signal(source: NeedSource, company: str, topic: str, **kw: object) -> NeedSignal:
    return NeedSignal(
        source=source,
        municipality=uuid4(),
        topic=topic,
        kind=kw.pop("kind", NeedKind.NEED),  # type: ignore[arg-type]
        company=company,
        at=datetime(2026, 10, 1, tzinfo=UTC),
        **kw,  # type: ignore[arg-type]
    )


def test_tally_counts_companies_once_per_source_and_hides_small_counts() -> None:
    signals = [
        *(_signal(NeedSource.SURVEY, f"org{i}", "e-commerce", sector="I") for i in range(4)),
        _signal(NeedSource.SURVEY, "org0", "e-commerce", sector="I"),  # the same company again
        *(_signal(NeedSource.REGISTRATION, f"p{i}@x.se", "e-commerce") for i in range(2)),
        _signal(NeedSource.SURVEY, "org9", "tourism", kind=NeedKind.OFFER, sector="G"),
    ]
    both = [NeedSource.REGISTRATION, NeedSource.SURVEY]
    rows, companies = tally(signals, both, "sv")
    by = {r.topic: r for r in rows}
    assert rows[0].topic == "e-commerce"
    assert by["e-commerce"].need == "6"
    assert by["e-commerce"].sources["survey"].need == "4"
    assert by["e-commerce"].sources["registration"].need == "<3"
    assert by["tourism"].offer == "<3" and by["tourism"].need == "0"
    assert companies == "7"
    rows, companies = tally(signals, [NeedSource.SURVEY], "sv", sector="I")
    by = {r.topic: r for r in rows}
    assert by["e-commerce"].need == "4" and by["tourism"].offer == "0"
    assert set(by["e-commerce"].sources) == {"survey"} and companies == "4"


async def test_the_needs_map_counts_survey_answers(
    client: httpx.AsyncClient, open_round: RoundOut
) -> None:
    for i in range(3):
        await service.submit_open(
            open_round.slug, answer(ORG[i], needs={"e-commerce": 3}, offers=[], sector="I")
        )
    await service.submit_open(
        open_round.slug,
        answer(ORG[3], needs={"recruitment": 2}, offers=["export"], sector="F", size_band="0"),
    )
    r = await client.get("/api/v1/needs-map", params={"municipality": "asele"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["sources"] == ["registration", "survey", "evaluation"]
    rows = {i["topic"]: i for i in data["items"]}
    assert rows["e-commerce"]["need"] == "3"
    assert rows["e-commerce"]["sources"] == {
        "registration": {"need": "0", "offer": "0"},
        "survey": {"need": "3", "offer": "0"},
        "evaluation": {"need": "0", "offer": "0"},
    }
    assert rows["recruitment"]["need"] == "<3" and rows["export"]["offer"] == "<3"
    assert data["people"] == "4"
    only = (
        await client.get(
            "/api/v1/needs-map", params={"municipality": "asele", "source": "registration"}
        )
    ).json()
    assert only["sources"] == ["registration"]
    assert all(i["need"] == "0" for i in only["items"])
    built = (
        await client.get("/api/v1/needs-map", params={"municipality": "asele", "sector": "F"})
    ).json()
    rows = {i["topic"]: i for i in built["items"]}
    assert rows["e-commerce"]["need"] == "0" and rows["recruitment"]["need"] == "<3"
    assert built["sector"] == "F"
    r = await client.get("/api/v1/needs-map", params={"sector": "Ö"})
    assert r.status_code == 422
    r = await client.get("/api/v1/needs-map", params={"source": "gossip"})
    assert r.status_code == 422
    csv = await client.get("/api/v1/needs-map.csv", params={"municipality": "asele"})
    header = csv.content.decode("utf-8-sig").splitlines()[0]
    assert header == (
        "topic,label,need,offer,need_registration,offer_registration,need_survey,offer_survey,"
        "need_evaluation,offer_evaluation"
    )
    page = await client.get("/needs-map/asele?size=0")
    assert page.status_code == 200 and "Enkätsvar" in page.text
    assert "Bransch och storlek frågas bara i enkäten" in page.text


@given(
    st.lists(
        st.tuples(
            st.sampled_from([NeedSource.REGISTRATION, NeedSource.SURVEY]),
            st.sampled_from(["a", "b", "c", "d", "e"]),
            st.sampled_from(["e-commerce", "export", "tourism"]),
            st.sampled_from([NeedKind.NEED, NeedKind.OFFER]),
        ),
        max_size=40,
    )
)
def test_tally_is_distinct_companies_with_small_counts_hidden(
    raw: list[tuple[NeedSource, str, str, NeedKind]],
) -> None:
    signals = [_signal(src, who, topic, kind=kind) for src, who, topic, kind in raw]
    both = [NeedSource.REGISTRATION, NeedSource.SURVEY]
    rows, _ = tally(signals, both, "en")
    for row in rows:
        for kind, shown in ((NeedKind.NEED, row.need), (NeedKind.OFFER, row.offer)):
            n = len({(s, w) for s, w, t, k in raw if t == row.topic and k == kind})
            assert shown == (str(n) if n == 0 or n >= 3 else "<3")
            per_source = [
                len({w for s, w, t, k in raw if s == src and t == row.topic and k == kind})
                for src in both
            ]
            assert n == sum(per_source)  # a registration and an answer are never the same key
