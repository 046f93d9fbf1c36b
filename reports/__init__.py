"""The funder's participant report (issue 14): activities held, participants checked in,
distinct companies and persons, by municipality, sector and size band, gender as counts only,
hours of participation; as a page, XLSX and PDF; and the attendance list signed on paper.

The top layer (beside planning): it reads the other domains only through their services and
keeps no tables of its own. The counting is pure (`counting`), so the same inputs always give
the same numbers."""
