"""Tables of the planning domain. All times are `Timestamptz` (UTC on both engines)."""

from __future__ import annotations
