"""The one topic taxonomy (slug, Swedish label, English label), shared by events and networking.

It follows the regional project's themes. Changing a slug breaks stored events and profiles;
add new slugs instead.
"""

from __future__ import annotations

from typing import NamedTuple


class Topic(NamedTuple):
    slug: str
    sv: str
    en: str

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


TOPICS: tuple[Topic, ...] = (
    Topic("digital-marketing", "Digital marknadsföring", "Digital marketing"),
    Topic("social-media", "Sociala medier", "Social media"),
    Topic("e-commerce", "E-handel", "E-commerce"),
    Topic("web-presence", "Webbplats och synlighet", "Website and visibility"),
    Topic("digital-business-models", "Digitala affärsmodeller", "Digital business models"),
    Topic("entrepreneurship", "Entreprenörskap", "Entrepreneurship"),
    Topic("recruitment", "Rekrytering och kompetensförsörjning", "Recruitment and skills supply"),
    Topic("bookkeeping", "Bokföring och administrativa verktyg", "Bookkeeping and admin tools"),
    Topic("ai-tools", "AI-verktyg i vardagen", "Everyday AI tools"),
    Topic("cybersecurity", "IT-säkerhet", "Cybersecurity"),
    Topic("tourism", "Besöksnäring", "Tourism and hospitality"),
    Topic("export", "Export och nya marknader", "Export and new markets"),
    Topic("financing", "Finansiering", "Financing"),
    Topic("sustainability", "Hållbarhet", "Sustainability"),
    Topic("research-collaboration", "Samverkan med forskning", "Research collaboration"),
)

BY_SLUG: dict[str, Topic] = {t.slug: t for t in TOPICS}


def unknown(slugs: list[str]) -> list[str]:
    return [s for s in slugs if s not in BY_SLUG]


def encode(slugs: list[str]) -> str:
    """Stored form: " a b " so that LIKE '% a %' matches one whole slug."""
    return f" {' '.join(dict.fromkeys(slugs))} " if slugs else ""


def decode(stored: str) -> list[str]:
    return stored.split()
