"""Piccolo's configuration: the engine from TRAFFPUNKT_DATABASE_URL and the domains' apps."""

from piccolo.conf.apps import AppRegistry

from traffpunkt.db import make_engine
from traffpunkt.settings import get_settings

_settings = get_settings()
DB = make_engine(_settings.database_url, _settings.data_dir)

APP_REGISTRY = AppRegistry(
    apps=[
        "events.piccolo_app",
        "notifications.piccolo_app",
        "registrations.piccolo_app",
        "networking.piccolo_app",
        "surveys.piccolo_app",
        "planning.piccolo_app",
        "evaluations.piccolo_app",
        "traffpunkt.limits.piccolo_app",  # shared counters of the abuse limits
        # The back office (piccolo-admin) keeps its own users and sessions; see back_office.py.
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
    ]
)
