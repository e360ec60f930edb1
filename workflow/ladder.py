"""The grade ladder: the one state machine that moves a manager between grades.

One `transitions.Machine` is built per policy, once, and fired on any object that holds a
`grade` attribute (the ORM row). The machine only validates the move, sets the attribute and
stamps the move on the holder; recording the dated history row is the caller's job
(workflow.services.grades).
"""
from __future__ import annotations

from dataclasses import dataclass

from transitions import Machine

from workflow.errors import Conflict
from workflow.policy import LadderPolicy

CONFIRM = "confirm"
PROMOTE = "promote"
EXCEPTIONAL_PROMOTE = "exceptional_promote"
DEMOTE = "demote"
EXIT = "exit"
ADVANCE = "advance"  # up by a close's grading rule (workflow/grading_rules.py), from any grade below the top
EVENTS = (CONFIRM, PROMOTE, EXCEPTIONAL_PROMOTE, ADVANCE, DEMOTE, EXIT)
# The ladder leaves its last move on the holder, so that persistence can check every grade
# write against it (models.managers refuses a grade that the ladder did not set).
MOVE_STAMP = "_ladder_move"


class GradeChangeRefused(Conflict):
    def __init__(self, detail: str, **extra):
        super().__init__("grade_change_refused", detail, **extra)


@dataclass(frozen=True)
class GradeMove:
    event: str
    from_grade: str
    to_grade: str


def _aims_at(dest: str, default: str):
    """Condition: the caller's `target` (or the event's default destination) is `dest`."""
    def condition(event_data) -> bool:
        target = event_data.kwargs.get("target")
        return (target or default) == dest
    condition.__name__ = f"aims_at_{dest}"
    return condition


class GradeLadder:
    def __init__(self, policy: LadderPolicy):
        self.policy = policy
        self._moves: dict[tuple[str, str], tuple[str, ...]] = {}
        transitions = []
        for event, source, dests in self._all_moves():
            self._moves[(event, source)] = dests
            # without a target an ordinary move is one step, an exceptional one skips as far as allowed
            default = dests[-1] if event == EXCEPTIONAL_PROMOTE else dests[0]
            for dest in dests:
                transitions.append({"trigger": event, "source": source, "dest": dest,
                                    "conditions": [_aims_at(dest, default)]})
        self.machine = Machine(model=None, states=list(policy.all_codes), transitions=transitions,
                               initial=None, auto_transitions=False, send_event=True,
                               model_attribute="grade")

    def _all_moves(self):
        codes, floor = self.policy.codes, self.policy.grade(self.policy.demotion_floor).rank
        top = len(codes) - 1
        yield CONFIRM, self.policy.entry_grade, (self.policy.confirmation_target,)
        for rank, code in enumerate(codes):
            if 1 <= rank < top:
                yield PROMOTE, code, codes[rank + 1: rank + 1 + self.policy.promotion_steps]
                yield EXCEPTIONAL_PROMOTE, code, codes[rank + 1: rank + 1 + self.policy.exceptional_steps]
            if rank < top:
                yield ADVANCE, code, codes[rank + 1: rank + 1 + self.policy.promotion_steps]
            if rank > floor:  # one grade down unless the caller's target is further (demotion_steps)
                yield DEMOTE, code, tuple(reversed(codes[max(floor, rank - self.policy.demotion_steps): rank]))
            yield EXIT, code, (self.policy.exited.code,)

    def destinations(self, grade: str, event: str) -> tuple[str, ...]:
        """Where `event` may take a manager of `grade` (empty: the event does not apply)."""
        return self._moves.get((event, grade), ())

    def available_events(self, grade: str) -> tuple[str, ...]:
        return tuple(e for e in EVENTS if self.destinations(grade, e))

    def fire(self, holder, event: str, target: str | None = None) -> GradeMove:
        """Move `holder.grade` by `event`; raise GradeChangeRefused when the ladder forbids it."""
        if event not in EVENTS:
            raise GradeChangeRefused(f"unknown grade event {event!r} (known: {', '.join(EVENTS)})")
        before = holder.grade
        allowed = self.destinations(before, event)
        moved = bool(allowed) and self.machine.events[event].trigger(holder, target=target)
        if not moved:
            why = (f"the ladder allows only {', '.join(allowed)}" if allowed
                   else f"the ladder has no {event} from {before!r}")
            raise GradeChangeRefused(
                f"cannot {event} a manager of grade {before!r}{f' to {target!r}' if target else ''}: {why}",
                grade=before, event=event, target=target, allowed=list(allowed))
        move = GradeMove(event, before, holder.grade)
        setattr(holder, MOVE_STAMP, move)
        return move
