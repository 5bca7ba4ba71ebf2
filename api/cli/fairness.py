"""`goalengine fairness --cycle C [--group-by manager|org_unit|decider] [--strata org_unit|reason] [--position N]
[--report-version V] [--format table|json|csv|html]`: exit 2 for an unknown cycle or a bad request.

Needs no data key (ADR 0041): version 2 reads no sealed field.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from api.bootstrap import command_goals, environment_settings, fairness_min_cell
from api.cli import fairness_formats, fairness_legacy
from application.audit.chain import SigningKeyMissingError
from application.audit.tree import TamperDetectedError
from application.audit.verification import LogPositionError
from application.equality.attributes import NoSnapshotError
from application.equality.report import ATTRIBUTE, attribute_report
from application.fairness.body import REPORT_VERSION
from application.privacy.keys import DataMasterKeyMissingError
from application.fairness.report import CycleNotFoundError, FairnessRequestError, GROUPINGS, STRATA, fairness_report


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("fairness", help="the fairness report of a cycle, per group (ADR 0041)")
    parser.add_argument("--cycle", required=True, help="the cycle id, e.g. 2026-H1")
    parser.add_argument("--group-by", type=grouping, default="manager",
                        metavar="|".join((*GROUPINGS, "attribute:NAME")),
                        help="attribute:NAME reads the protected characteristics (needs the data master key)")
    parser.add_argument("--strata", choices=STRATA, default=None, help="strata of the Cochran-Mantel-Haenszel test")
    parser.add_argument("--position", type=int, default=None, metavar="N",
                        help="compute from the events up to this log position (default: all); same N, same bytes")
    parser.add_argument("--report-version", type=int, default=REPORT_VERSION, metavar="V",
                        help=f"1 (ADR 0007) or {REPORT_VERSION} (ADR 0041, the default)")
    parser.add_argument("--format", choices=("table", "json", "csv", "html"), default="table")
    parser.set_defaults(handler=run)


def grouping(text: str) -> str:
    if text in GROUPINGS or text.startswith(ATTRIBUTE):
        return text
    raise argparse.ArgumentTypeError(f"{text!r}: choose {', '.join(GROUPINGS)} or attribute:NAME")


def run(args: argparse.Namespace) -> int:
    # The report reads no sealed field: it runs without the data master key (ADR 0041).
    with command_goals(replace(environment_settings(), reads_sealed_text=False)) as goals:
        try:
            if args.group_by.startswith(ATTRIBUTE):
                report = attribute_report(goals, args.cycle, args.group_by, args.strata, args.position,
                                          fairness_min_cell())
            else:
                report = fairness_report(goals, args.cycle, args.group_by, args.strata, args.position,
                                         args.report_version)
        except (LogPositionError, CycleNotFoundError, FairnessRequestError, TamperDetectedError,
                SigningKeyMissingError, NoSnapshotError, DataMasterKeyMissingError) as error:
            print(f"error: {error.message}")
            return 2
    if args.report_version == 1:
        return fairness_legacy.show(report.body, args.format)
    fairness_formats.FORMATS[args.format](report)
    return 0
