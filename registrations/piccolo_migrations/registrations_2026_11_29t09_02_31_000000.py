"""Number the registrations made before `queue_seq` existed, in their old order (queued_at,
then id), and set each event's counters to match, so that new sign-ups continue after them and
`event.waiting` counts the waiting list that is already there.

Raw SQL runs before the columns of its own migration are added, hence a migration of its own.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T09:02:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "queue_seq and the events' counters for existing registrations"

NUMBER = """
UPDATE registration SET queue_seq = (
    SELECT count(*) FROM registration AS r2
    WHERE r2.event = registration.event
      AND (r2.queued_at < registration.queued_at
           OR (r2.queued_at = registration.queued_at AND r2.id <= registration.id)))
"""
COUNTERS = """
UPDATE event SET
    signup_seq = (SELECT count(*) FROM registration AS r WHERE r.event = event.id),
    waiting = (SELECT count(*) FROM registration AS r
               WHERE r.event = event.id AND r.status = 'waitlisted')
"""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="registrations", description=DESCRIPTION
    )

    async def backfill() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(NUMBER)
        await engine.run_ddl(COUNTERS)

    manager.add_raw(backfill)
    return manager
