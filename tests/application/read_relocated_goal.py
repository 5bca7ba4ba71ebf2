"""Run as a script: read a goal's stored events with the Goal class moved to another module and renamed.

Usage: read_relocated_goal.py ROOT SQLITE_FILE GOAL_ID_HEX. Prints what it loaded as JSON. It never imports
domain.goal: if a stored topic named the old module or class, loading would import it or fail.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
import sys
from pathlib import Path
from types import ModuleType
from typing import Any


def relocate_goal_class(root: Path) -> ModuleType:
    """domain/goal.py's code as module relocated.objectives, class Goal renamed everywhere but in stored topics."""
    source = (root / "domain" / "goal.py").read_text()
    renamed = re.sub(r"(?<!:)\bGoal\b", "PersonalObjective", source)
    spec = importlib.util.spec_from_loader("relocated.objectives", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    exec(compile(renamed, "relocated/objectives.py", "exec"), module.__dict__)
    return module


def load(database: str, goal_id: str) -> dict[str, Any]:
    from eventsourcing.application import project_aggregate
    from eventsourcing.persistence import StoredEvent

    from sqlalchemy import create_engine

    from application.audit.chain import ChainingMapper
    from application.privacy.keys import DataKeys
    from application.privacy.sealing import register_personal_transcodings
    from application.store.settings import Settings
    from application.store.transcodings import goal_transcoder

    transcoder = goal_transcoder()  # personal text opens with the store's data keys (ADR 0026)
    register_personal_transcodings(transcoder, DataKeys(create_engine(f"sqlite:///{database}"),
                                                        Settings.from_env().data_master_key))
    mapper = ChainingMapper(transcoder, signer=None, last_stored=lambda _: [])
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events "
            "WHERE originator_id = ? ORDER BY originator_version", (goal_id,)).fetchall()
    goal = project_aggregate(None, [mapper.to_domain_event(StoredEvent(*row)) for row in rows])
    return {
        "class": f"{type(goal).__module__}.{type(goal).__qualname__}",
        "topics": sorted({row[2] for row in rows}),
        "title": goal.title, "status": str(goal.status), "version": goal.version,
        "readings": [str(m.value) for m in goal.readings.latest.values()],
        "old_module_loaded": "domain.goal" in sys.modules,
    }


if __name__ == "__main__":
    root, database, goal_id = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    relocate_goal_class(root)
    print(json.dumps(load(database, goal_id)))
