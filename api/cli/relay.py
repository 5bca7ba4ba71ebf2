"""`goalengine relay nats --url nats://127.0.0.1:4222 [--stream GOALS] [--subject-prefix goals]`: every event, in
log order, into a NATS JetStream stream (ADR 0019); stops cleanly on SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from api.bootstrap import command_goals
from application.relay.relay import RelayRunner


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("relay", help="relay the event log into a message broker")
    brokers = parser.add_subparsers(dest="relay_broker", required=True)
    nats = brokers.add_parser("nats", help="into NATS JetStream, one CloudEvent per message")
    nats.add_argument("--url", default="nats://127.0.0.1:4222", help="the NATS server")
    nats.add_argument("--stream", default="GOALS", help="the JetStream stream (created if missing)")
    nats.add_argument("--subject-prefix", default="goals", help="subjects are <prefix>.<event type>")
    nats.add_argument("--duplicate-window", type=float, default=None,
                      help="seconds the stream remembers message ids, when it is created (default: 2 hours)")
    nats.add_argument("--batch-size", type=int, default=500, help="events acknowledged before the position is stored")
    nats.add_argument("--once", action="store_true", help="relay up to the current head, then exit")
    nats.set_defaults(handler=run_nats)


def run_nats(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.batch_size < 1:
        raise SystemExit("--batch-size must be at least 1")
    from application.relay.nats_jetstream import DUPLICATE_WINDOW, NatsJetStreamRelay  # only this command needs nats

    relay = NatsJetStreamRelay(args.url, args.stream, args.subject_prefix, args.duplicate_window or DUPLICATE_WINDOW)
    with command_goals() as goals:
        runner = RelayRunner(goals, relay, batch_size=args.batch_size)

        async def main() -> int:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, runner.stop)
            relayed = await runner.run(once=args.once)
            logging.getLogger("goalengine.relay").info("relay %s stopped after %d events", relay.name, relayed)
            return 0

        return asyncio.run(main())
