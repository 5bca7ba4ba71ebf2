"""What the privacy commands need before they touch a store: the master key (and for writing, the signing key)."""

from __future__ import annotations

from api.bootstrap import environment_settings, signing_settings
from application.audit.store_check import VerifySetupError
from application.store.settings import Settings, SettingsError


def privacy_settings(*, writes: bool) -> Settings:
    """The store's settings; SettingsError (exit 2) naming the setting that is missing."""
    try:
        settings = signing_settings() if writes else environment_settings()
    except VerifySetupError as error:
        raise SettingsError(str(error)) from None
    if settings.data_master_key is None:
        raise SettingsError("GOALENGINE_DATA_MASTER_KEY_FILE is not set: personal text can be neither sealed nor "
                            "opened without the data master key")
    return settings
