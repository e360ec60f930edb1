"""The committee's interview: who counts, the quorum, and when the interview is complete."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class InterviewProgress:
    quorum: int
    eligible: tuple[str, ...]  # members who count for the case: the committee minus recusals
    scored: tuple[str, ...]  # eligible members who have scored

    @classmethod
    def of(cls, quorum: int, members: Collection[str], recused: Collection[str],
           scorers: Collection[str]) -> "InterviewProgress":
        eligible = tuple(sorted(set(members) - set(recused)))
        return cls(quorum, eligible, tuple(m for m in eligible if m in set(scorers)))

    @property
    def quorum_reachable(self) -> bool:
        return len(self.eligible) >= self.quorum

    @property
    def complete(self) -> bool:
        """Every member who counts has scored, and they are at least a quorum: deliberation begins."""
        return self.quorum_reachable and len(self.scored) == len(self.eligible)

    @property
    def quorum_met(self) -> bool:
        """Enough scores for the chair to close the interview early."""
        return len(self.scored) >= self.quorum

    def shortfall(self) -> str:
        if not self.quorum_reachable:
            return (f"only {len(self.eligible)} committee member(s) count for this case, fewer than the quorum of "
                    f"{self.quorum}: hr must add members to the committee")
        return f"{len(self.scored)} of {len(self.eligible)} member(s) have scored; the quorum is {self.quorum}"
