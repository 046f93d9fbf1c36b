"""Shared counters of the abuse limits: one row per key and window, in the app's database so
that every web process (and machine) counts together."""

from __future__ import annotations

from piccolo.columns import BigInt, Integer, Varchar
from piccolo.table import Table


class RateCounter(Table, tablename="rate_counter"):
    # "<rule>:<keyed hash of the client address, target address or organiser>": the table
    # holds no address in the clear.
    key = Varchar(length=100, primary_key=True)
    # Shadows Table.count (a query method) in the class namespace: the column was named first.
    count = Integer(default=0)  # type: ignore[assignment]
    # End of the current fixed window, Unix seconds (an integer compares alike on both engines).
    window_end = BigInt(default=0, index=True)
