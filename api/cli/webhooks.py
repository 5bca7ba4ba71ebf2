"""`goalengine webhooks run`: the webhook delivery worker; stops cleanly on SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import logging
import signal
from types import FrameType

from api.bootstrap import command_goals, webhook_settings
from application.events.live import LiveEvents
from application.webhooks.delivery import WebhookDelivery


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("webhooks", help="deliver events to webhook subscriptions")
    commands = parser.add_subparsers(dest="webhooks_command", required=True)
    run = commands.add_parser("run", help="run the delivery worker until SIGTERM/SIGINT")
    run.add_argument(
        "--worker-id", default=None,
        help="a name unique among running workers; a restarted worker with the same name takes its leases back at once",
    )
    run.set_defaults(handler=run_worker)


def run_worker(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is too much
    settings = webhook_settings()
    with command_goals() as goals:
        # New events wake the worker: its own process's writes, PostgreSQL LISTEN, and a head watcher as the fallback.
        live = LiveEvents(goals, fallback_interval=settings.poll_interval).start()
        delivery = WebhookDelivery(goals, settings, worker_id=args.worker_id, signal=live.signal)

        def stop(signum: int, _frame: FrameType | None) -> None:
            logging.getLogger("goalengine.webhooks").info("signal %s: stopping after the current delivery", signum)
            delivery.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            delivery.run()
        finally:
            live.stop()
            delivery.close()
    return 0
