"""Scoring policies: how a weighted attainment score maps to a rating band. Versioned, never edited in place.

A justification names the policy version it used, so a past rating can be recomputed under the rules then in
force. To change the bands, add a policy with a new version and make it the default; keep the old ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

from domain.values import ARITHMETIC

SCORE_PLACES = Decimal("0.01")  # a whole percent: a score of 0.89996 is shown as 90% and banded as 0.90


@dataclass(frozen=True)
class RatingBand:
    name: str
    minimum: Decimal | None  # the lowest score in the band; None for the bottom band


@dataclass(frozen=True)
class ScoringPolicy:
    """Bands from the highest down; a score falls in the first band whose minimum it reaches."""

    version: str
    bands: tuple[RatingBand, ...]
    rounding: str = ROUND_HALF_UP  # a decimal rounding mode: part of the policy, so a past rating recomputes alike

    def rounded(self, score: Decimal | None) -> Decimal | None:
        """The score as shown and banded: rounded once, with the policy's rounding mode, to SCORE_PLACES."""
        if score is None:
            return None
        with localcontext(ARITHMETIC):
            return score.quantize(SCORE_PLACES, rounding=self.rounding)

    def band(self, score: Decimal) -> str:
        for band in self.bands:
            if band.minimum is None or score >= band.minimum:
                return band.name
        raise AssertionError(f"policy {self.version} has no bottom band")


FIVE_BANDS = (
    RatingBand("outstanding", Decimal("1.20")),
    RatingBand("exceeds_expectations", Decimal("1.05")),
    RatingBand("meets_expectations", Decimal("0.90")),
    RatingBand("needs_improvement", Decimal("0.60")),
    RatingBand("unsatisfactory", None),
)
# 2026.1 rounded half to even, so 1.045 fell below a threshold that 0.595, 0.895 and 1.195 reached: kept as it was,
# for ratings decided under it; 2026.2 rounds half up at every threshold (ADR 0029).
FIVE_BANDS_2026_HALF_EVEN = ScoringPolicy(version="2026.1", bands=FIVE_BANDS, rounding=ROUND_HALF_EVEN)
FIVE_BANDS_2026 = ScoringPolicy(version="2026.2", bands=FIVE_BANDS, rounding=ROUND_HALF_UP)

POLICIES: dict[str, ScoringPolicy] = {p.version: p for p in (FIVE_BANDS_2026_HALF_EVEN, FIVE_BANDS_2026)}
DEFAULT_POLICY_VERSION = FIVE_BANDS_2026.version


class UnknownPolicyError(LookupError):
    def __init__(self, version: str) -> None:
        super().__init__(f"no scoring policy {version!r} (known: {', '.join(sorted(POLICIES))})")
        self.version = version


def policy(version: str | None = None) -> ScoringPolicy:
    try:
        return POLICIES[version or DEFAULT_POLICY_VERSION]
    except KeyError:
        raise UnknownPolicyError(version or "") from None
