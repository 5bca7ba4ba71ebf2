"""What the privacy commands need before they touch a store: the master key (and for writing, the signing key)."""

from __future__ import annotations

from application.audit.store_check import VerifySetupError, signing_settings
from application.goals.service import Goals
from application.store.settings import Settings, SettingsError


def privacy_goals(*, writes: bool) -> Goals:
    """The store's application; SettingsError (exit 2) naming the setting that is missing."""
    try:
        settings = signing_settings() if writes else Settings.from_env()
    except VerifySetupError as error:
        raise SettingsError(str(error)) from None
    if settings.data_master_key is None:
        raise SettingsError("GOALENGINE_DATA_MASTER_KEY_FILE is not set: personal text can be neither sealed nor "
                            "opened without the data master key")
    return Goals(settings)
