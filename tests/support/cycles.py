"""Cycles of the standard organisation brought to a point: two cases decided (E001's promotion to mid
approved, E002's denied below the pass mark), then published at the clock's start, 2026-09-01."""
from __future__ import annotations

from tests.support.steps import decide, in_deliberation, publish
from tests.support.world import candidate, organisation

DEADLINE = "2026-09-04T23:59:59+08:00"  # of a publication on 2026-09-01 (the clock's start)
AFTER_DEADLINE = "2026-09-05T00:00:00+08:00"
DAY_AFTER = "2026-09-05"


def decided_cycle(gf) -> tuple[int, int]:
    """Two decided cases of the cycle: E001 approved (final 80), E002 denied below the pass mark (final 50);
    O001, an employee of another org unit, sees neither."""
    return _two_decided_cases(gf, outsider=True)


def published_cycle(gf) -> tuple[int, int]:
    """E001's promotion to mid approved, E002's denied, both published on 2026-09-01."""
    approved, denied = _two_decided_cases(gf, outsider=False)
    publish(gf)
    return approved, denied


def _two_decided_cases(gf, *, outsider: bool) -> tuple[int, int]:
    organisation(gf)
    candidate(gf, "E001", performance="80")
    candidate(gf, "E002", performance="50")
    if outsider:
        gf.manager("O001", org_unit="广州分行", login=True)
    approved = in_deliberation(gf, "E001", supervisor=80, scores=80)
    denied = in_deliberation(gf, "E002", supervisor=50, scores=50)
    decided = decide(gf)
    assert (decided[approved]["outcome"], decided[denied]["outcome"]) == ("approved", "denied")
    return approved, denied
