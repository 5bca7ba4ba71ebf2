"""What `goalengine serve` and `goalengine worker` refuse to start on, alike (exit 2, ADR 0043)."""

from __future__ import annotations

from application.privacy.keys import DataKeys
from application.store.database import create_sql_engine
from application.store.settings import Settings


def require_usable_data_master_key(settings: Settings) -> None:
    """SettingsError for a store holding sealed text without the master key, or with one that does not open it."""
    engine = create_sql_engine(settings)
    try:
        DataKeys(engine, settings.data_master_key).require_usable_master()
    finally:
        engine.dispose()
