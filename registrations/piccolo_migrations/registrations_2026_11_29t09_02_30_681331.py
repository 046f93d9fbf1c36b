from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T09:02:30:681331"
VERSION = "1.38.0"
DESCRIPTION = "queue_seq: sign-up order from the event row lock"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="registrations", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Registration",
        tablename="registration",
        column_name="queue_seq",
        db_column_name="queue_seq",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
