"""No Piccolo app of its own, on purpose.

The accounts tables (`accounts/tables.py`) were created by the `events` app's migrations before
the accounts domain existed. They stay registered in the `events` Piccolo app
(`events/piccolo_app.py` lists them in its `table_classes`), so that no existing database needs
a migration and the migration history stays in one place. Piccolo migrations depend on apps,
not on Python packages: `events` (an upper layer) may name the accounts tables, and accounts
still imports nothing of events. Checked with `piccolo migrations new events --auto` on a
migrated database: no migration is proposed.
"""
