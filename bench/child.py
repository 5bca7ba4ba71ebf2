"""One rebuild or replay in a process of its own, so its peak memory (RSS) is its own: `python -m bench.child`."""

from __future__ import annotations

import os
import argparse
import json
import resource
import sys
import time
from collections.abc import Sequence

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper, Transcoding

import domain.goal  # noqa: F401 (registers the goal's event topics for decoding)
from application.privacy.sealing import PERSONAL_TEXT, SealedText
from application.store.settings import Settings, key_fields_from_env
from application.store.transcodings import goal_transcoder
from bench.stores import AUDIT_KEY

PAGE_SIZE = 500


class SealedTextAsIs(Transcoding):
    """The bare library knows no data keys: it reads a sealed text as the string it is stored as (ADR 0026), the
    work of decoding a plain text, so the replay it is compared with is not charged for opening it."""

    type = SealedText
    name = PERSONAL_TEXT

    def encode(self, obj: SealedText) -> str:
        return obj.data

    def decode(self, data: str) -> str:
        return data


class SameLog(Application[object]):
    # The library names its PostgreSQL tables after the application: this one reads goalengine's.
    name = "goalengine"


def bare_replay(settings: Settings) -> tuple[int, float]:
    """The bare library reading and decoding every notification: the recorder's pages through a plain Mapper."""
    app = SameLog(env=settings.eventsourcing_env())
    transcoder = goal_transcoder()
    transcoder.register(SealedTextAsIs())
    mapper = Mapper(transcoder=transcoder)
    try:
        started = time.perf_counter()
        count, position = 0, 0
        while True:
            page = app.recorder.select_notifications(position, PAGE_SIZE, inclusive_of_start=False)
            for notification in page:
                mapper.to_domain_event(notification)
            count += len(page)
            if len(page) < PAGE_SIZE:
                return count, time.perf_counter() - started
            position = page[-1].id
    finally:
        app.close()


def goalengine_rebuild(settings: Settings, projection: str) -> tuple[int, float]:
    from api.bootstrap import command_goals
    from projections.service import timed_rebuild

    with command_goals(settings) as goals:
        return timed_rebuild(projection, goals)


def peak_rss_mib() -> float:
    """This process's peak resident memory since it started."""
    # VmHWM belongs to the memory map exec() created; ru_maxrss would also count the parent's pages at fork.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.child")
    parser.add_argument("work", choices=["replay", "rebuild"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--projection", default="reviews")
    args = parser.parse_args(argv)
    settings = Settings(database_url=args.url, audit_key=AUDIT_KEY, **key_fields_from_env(os.environ))
    baseline = peak_rss_mib()
    if args.work == "replay":
        events, seconds = bare_replay(settings)
    else:
        events, seconds = goalengine_rebuild(settings, args.projection)
    print(json.dumps({"events": events, "seconds": seconds, "peak_rss_mib": peak_rss_mib(), "baseline_mib": baseline}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
