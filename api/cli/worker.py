"""`goalengine worker`: the background work of a store in a process of its own (ADR 0048).

The projector (its leader also runs the notifier of early warnings and the daily digest) and webhook delivery,
until SIGTERM or SIGINT; then it stops them and exits 0. `goalengine serve` starts one as its child; run it alone
beside `goalengine serve --no-worker`. It refuses what serve refuses (exit 2), such as a sealed store without its
data master key.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from types import FrameType

from api.bootstrap import command_goals, environment_settings, worker_background
from api.cli.malloc_arenas import bound_malloc_arenas
from api.cli.preflight import require_usable_data_master_key
from api.observability.logs import configure_json_logs

log = logging.getLogger("goalengine.worker")
PARENT_CHECK_SECONDS = 1.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = subparsers.add_parser(
        "worker", help="run the projector, the notifier and webhook delivery until SIGTERM/SIGINT")
    # serve's child: stop when serve is gone (killed, say), rather than run on unsupervised.
    worker.add_argument("--with-parent", action="store_true", help=argparse.SUPPRESS)
    worker.set_defaults(handler=run_worker)


def run_worker(args: argparse.Namespace) -> int:
    configure_json_logs()  # as serve's: one format in the logs of both processes
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per webhook request is too much
    settings = environment_settings()
    bound_malloc_arenas(settings.bounds.malloc_arenas)  # before its threads (serve's child inherits serve's cap)
    require_usable_data_master_key(settings)  # as serve: a sealed store without its key refuses (exit 2)
    stopping = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    parent = os.getppid() if args.with_parent else None
    with command_goals(settings) as goals:
        background = worker_background(goals)
        background.start()
        log.info("worker %s running on %s: projector, notifier, webhook delivery", os.getpid(), settings.store)
        try:
            while not stopping.wait(PARENT_CHECK_SECONDS):
                if parent is not None and os.getppid() != parent:
                    log.warning("serve (pid %s) is gone: stopping", parent)
                    break
        finally:
            background.stop()
    log.info("worker %s stopped", os.getpid())
    return 0
