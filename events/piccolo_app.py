import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    # The accounts tables too: this app's migrations created them (accounts/piccolo_app.py).
    table_classes=table_finder(modules=["accounts.tables", "events.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
