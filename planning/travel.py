"""Travel time between two localities, without a network service.

    minutes = great-circle distance (haversine, km) × ROAD_FACTOR / AVERAGE_SPEED_KMH × 60

- `ROAD_FACTOR` 1.3: roads in the inland of Norrbotten and Västerbotten run along valleys and
  lakes, so the road is about a third longer than the straight line (Arvidsjaur–Arjeplog:
  ~75 km straight, ~95 km by road; Åsele–Lycksele: ~80 km straight, ~100 km by road).
- `AVERAGE_SPEED_KMH` 70: mostly 80–100 km/h roads slowed by villages, winter and the odd
  ferry-free detour; a cautious average for planning a working day.

Where the road says otherwise (a lake in the way, a mountain pass closed in winter), an
organiser overrides a pair's minutes (`planning.tables.TravelOverride`); `TravelTimes` takes
the overrides first, in both directions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from uuid import UUID

import msgspec

ROAD_FACTOR = 1.3
AVERAGE_SPEED_KMH = 70.0
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


class Place(msgspec.Struct, frozen=True):
    latitude: float
    longitude: float


def great_circle_km(a: Place, b: Place) -> float:
    """The haversine distance in kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def estimated_minutes(a: Place, b: Place) -> int:
    """Road minutes from the straight line (rounded up to whole minutes)."""
    km = great_circle_km(a, b) * ROAD_FACTOR
    return math.ceil(km / AVERAGE_SPEED_KMH * 60 - 1e-9)


def pair_key(a: UUID, b: UUID) -> tuple[UUID, UUID]:
    """An override holds for both directions: its key is the pair in a fixed order."""
    return (a, b) if str(a) <= str(b) else (b, a)


class TravelTimes:
    """Minutes between municipalities: an override where one is set, else the estimate from
    the coordinates; None when a place has no coordinates and no override says otherwise."""

    def __init__(
        self,
        places: Mapping[UUID, Place],
        overrides: Mapping[tuple[UUID, UUID], int] | None = None,
    ) -> None:
        self.places = dict(places)
        self.overrides = {pair_key(*k): v for k, v in (overrides or {}).items()}
        self._cache: dict[tuple[UUID, UUID], int | None] = {}

    def minutes(self, a: UUID, b: UUID) -> int | None:
        if a == b:
            return 0
        key = pair_key(a, b)
        if key in self._cache:
            return self._cache[key]
        value: int | None
        if key in self.overrides:
            value = self.overrides[key]
        elif a in self.places and b in self.places:
            value = estimated_minutes(self.places[a], self.places[b])
        else:
            value = None
        self._cache[key] = value
        return value

    def from_place(self, origin: Place, b: UUID) -> int | None:
        """From a place that is not a municipality (an expert's home as coordinates)."""
        if b not in self.places:
            return None
        return estimated_minutes(origin, self.places[b])
