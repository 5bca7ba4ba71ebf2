"""Settings for commands that only verify: public keys and an existing store, creating nothing (ADR 0013).

`goalengine verify` and its kin must never make a key, a secret or an empty database as a side effect: when the
public key or the store is missing they say which setting to fix instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect

from application.audit.keys import KeyFileError, load_public_keys, load_signer, public_pem, read_key_file
from application.store.settings import (
    DEFAULT_AUDIT_ORIGIN, DEFAULT_DATABASE_URL, Settings, SettingsError, audit_state_dir_from_env,
    data_master_key_from_env, retention_years_from_env, witness_keys_from_env,
)


class VerifySetupError(ValueError):
    """What is missing for verifying; the message names the setting or option."""


def public_key_pems(paths: Sequence[str], env: Mapping[str, str]) -> tuple[bytes, ...]:
    """--public-key files, else GOALENGINE_AUDIT_PUBLIC_KEY_FILE, else the public half of the signing key."""
    try:
        if paths:
            pems = [read_key_file(p, "--public-key") for p in paths]
        elif env.get("GOALENGINE_AUDIT_PUBLIC_KEY_FILE"):
            files = [p for p in env["GOALENGINE_AUDIT_PUBLIC_KEY_FILE"].split(os.pathsep) if p]
            pems = [read_key_file(p, "GOALENGINE_AUDIT_PUBLIC_KEY_FILE") for p in files]
        elif env.get("GOALENGINE_AUDIT_SIGNING_KEY_FILE"):
            signing = read_key_file(env["GOALENGINE_AUDIT_SIGNING_KEY_FILE"], "GOALENGINE_AUDIT_SIGNING_KEY_FILE")
            pems = [public_pem(load_signer(signing, "GOALENGINE_AUDIT_SIGNING_KEY_FILE").public)]
        else:
            raise VerifySetupError(
                "no public key: pass --public-key FILE or set GOALENGINE_AUDIT_PUBLIC_KEY_FILE "
                "(the audit-signing.pub written by `goalengine keys generate`)")
        for pem in pems:
            load_public_keys(pem)
    except KeyFileError as error:
        raise VerifySetupError(str(error)) from None
    return tuple(pems)


def existing_store(env: Mapping[str, str]) -> str:
    """The store's URL, once it is known to hold an event log; VerifySetupError otherwise."""
    url = env.get("GOALENGINE_DATABASE_URL") or DEFAULT_DATABASE_URL
    source = "GOALENGINE_DATABASE_URL" if env.get("GOALENGINE_DATABASE_URL") else "the default store"
    probe = Settings(database_url=url, audit_signing_key=None, audit_public_keys=())
    try:
        if probe.store == "sqlite":
            path = probe.sqlite_path()
            if not Path(path).is_file():
                raise VerifySetupError(f"no store: {source} points at {path}, which does not exist "
                                       "(set GOALENGINE_DATABASE_URL to the store to verify)")
        engine = create_engine(probe.sqlalchemy_url(), connect_args=probe.sqlalchemy_connect_args())
        try:
            tables = inspect(engine).get_table_names(schema=probe.schema)
        finally:
            engine.dispose()
    except SettingsError as error:
        raise VerifySetupError(str(error)) from None
    except VerifySetupError:
        raise
    except Exception as error:
        raise VerifySetupError(f"no store: cannot open {source} ({type(error).__name__}: {error})") from None
    if not {"stored_events", "goalengine_events"} & set(tables):
        raise VerifySetupError(f"no store: {source} ({url}) holds no goalengine event log")
    return url


def verifying_settings(paths: Sequence[str], env: Mapping[str, str]) -> Settings:
    """Settings that verify with public keys only, for an existing store; VerifySetupError names what is missing."""
    pems = public_key_pems(paths, env)
    url = existing_store(env)
    origin = env.get("GOALENGINE_AUDIT_ORIGIN") or DEFAULT_AUDIT_ORIGIN
    return Settings(database_url=url, audit_signing_key=None, audit_public_keys=pems, audit_origin=origin,
                    **other_fields(env))


def signing_settings(env: Mapping[str, str]) -> Settings:
    """Settings for commands that sign (checkpoint, audit export, audit migrate): the signing key and an existing
    store, and nothing else (no API secret is read or created)."""
    path = env.get("GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    if not path:
        raise VerifySetupError("no audit signing key: set GOALENGINE_AUDIT_SIGNING_KEY_FILE "
                               "(goalengine keys generate --out DIR)")
    try:
        signing = read_key_file(path, "GOALENGINE_AUDIT_SIGNING_KEY_FILE")
        load_signer(signing, "GOALENGINE_AUDIT_SIGNING_KEY_FILE")
        files = [p for p in env.get("GOALENGINE_AUDIT_PUBLIC_KEY_FILE", "").split(os.pathsep) if p]
        publics = tuple(read_key_file(p, "GOALENGINE_AUDIT_PUBLIC_KEY_FILE") for p in files)
        for pem in publics:
            load_public_keys(pem, "GOALENGINE_AUDIT_PUBLIC_KEY_FILE")
    except KeyFileError as error:
        raise VerifySetupError(str(error)) from None
    url = existing_store(env)
    origin = env.get("GOALENGINE_AUDIT_ORIGIN") or DEFAULT_AUDIT_ORIGIN
    try:
        witnesses = witness_keys_from_env(env)
    except SettingsError as error:
        raise VerifySetupError(str(error)) from None
    return Settings(database_url=url, audit_signing_key=signing, audit_public_keys=publics, audit_origin=origin,
                    audit_state_dir=audit_state_dir_from_env(env), audit_witness_keys=witnesses, **other_fields(env))


def other_fields(env: Mapping[str, str]) -> dict[str, Any]:
    """The data master key, the retention period and the business calendar, as the environment names them."""
    try:
        return {"data_master_key": data_master_key_from_env(env), "retention_years": retention_years_from_env(env),
                "timezone": env.get("GOALENGINE_TIMEZONE") or "UTC"}
    except SettingsError as error:
        raise VerifySetupError(str(error)) from None
