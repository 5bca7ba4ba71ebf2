"""The error of a configuration that cannot work (its own module: the settings and the bounds both raise it)."""

from __future__ import annotations


class SettingsError(ValueError):
    """The configuration cannot work; the message names the variable and why."""
