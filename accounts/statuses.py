"""An organiser's role, one name each, shared by the table, the service, pages and the CLI.

The enum itself lives in the shell (`traffpunkt.auth.OrganiserRole`) because `Principal`, which
every domain and guard hands around, carries it and the shell imports no domain; this module is
where the accounts domain (and its readers) find it, next to the other domains' `statuses`.
"""

from __future__ import annotations

from traffpunkt.auth import OrganiserRole

__all__ = ["OrganiserRole"]
