"""The grade ladder: the one state machine that moves a manager between grades."""
from __future__ import annotations

from importlib import resources
from types import SimpleNamespace

import pytest
import yaml
from transitions import Machine

from workflow.errors import Conflict
from workflow.ladder import EVENTS, GradeChangeRefused, GradeLadder, GradeMove
from workflow.policy import load_policy, parse_policy


def manager(grade: str) -> SimpleNamespace:
    return SimpleNamespace(grade=grade)


@pytest.fixture(scope="module")
def ladder():
    return GradeLadder(load_policy().ladder)


@pytest.fixture(scope="module")
def bank_ladder():
    return GradeLadder(load_policy("bank-six-level").ladder)


def test_confirmation_moves_probation_to_junior(ladder):
    m = manager("probation")
    assert ladder.fire(m, "confirm") == GradeMove("confirm", "probation", "junior")
    assert m.grade == "junior"


@pytest.mark.parametrize("before, after", [("junior", "mid"), ("mid", "senior")])
def test_promotion_moves_one_step(ladder, before, after):
    m = manager(before)
    assert ladder.fire(m, "promote") == GradeMove("promote", before, after)
    assert m.grade == after


def test_promotion_to_an_explicit_one_step_target(ladder):
    m = manager("junior")
    ladder.fire(m, "promote", target="mid")
    assert m.grade == "mid"


def test_exceptional_promotion_skips_one_grade(ladder):
    m = manager("junior")
    assert ladder.fire(m, "exceptional_promote") == GradeMove("exceptional_promote", "junior", "senior")
    assert m.grade == "senior"


def test_exceptional_promotion_to_an_explicit_one_step_target(ladder):
    m = manager("junior")
    ladder.fire(m, "exceptional_promote", target="mid")
    assert m.grade == "mid"


def test_exceptional_promotion_from_mid_stops_at_the_top(ladder):
    m = manager("mid")
    ladder.fire(m, "exceptional_promote")
    assert m.grade == "senior"


@pytest.mark.parametrize("before, after", [("senior", "mid"), ("mid", "junior")])
def test_demotion_moves_one_step_down(ladder, before, after):
    m = manager(before)
    assert ladder.fire(m, "demote") == GradeMove("demote", before, after)
    assert m.grade == after


@pytest.mark.parametrize("grade", ["probation", "junior", "mid", "senior"])
def test_exit_is_possible_from_any_active_grade(ladder, grade):
    m = manager(grade)
    assert ladder.fire(m, "exit") == GradeMove("exit", grade, "exited")
    assert m.grade == "exited"


@pytest.mark.parametrize("grade, event, target", [
    ("probation", "promote", None),
    ("senior", "promote", None),
    ("junior", "promote", "senior"),
    ("probation", "exceptional_promote", None),
    ("senior", "exceptional_promote", None),
    ("junior", "exceptional_promote", "exited"),
    ("junior", "demote", None),
    ("probation", "demote", None),
    ("mid", "demote", "probation"),
    ("junior", "confirm", None),
    ("exited", "confirm", None),
    ("exited", "exit", None),
], ids=["promote_from_probation", "promote_from_top", "promote_skipping_a_grade", "exceptional_from_probation",
        "exceptional_from_top", "exceptional_to_exited", "demote_below_floor", "demote_probation",
        "demote_two_steps", "confirm_junior", "confirm_exited", "exit_exited"])
def test_refused_move_raises_and_leaves_the_grade_unchanged(ladder, grade, event, target):
    m = manager(grade)
    with pytest.raises(GradeChangeRefused) as refused:
        ladder.fire(m, event, target=target)
    assert isinstance(refused.value, Conflict)
    assert refused.value.code == "grade_change_refused"
    assert refused.value.extra["grade"] == grade
    assert refused.value.extra["event"] == event
    assert m.grade == grade


def test_refusal_names_the_allowed_destinations(ladder):
    with pytest.raises(GradeChangeRefused) as refused:
        ladder.fire(manager("junior"), "promote", target="senior")
    assert refused.value.extra["allowed"] == ["mid"]
    assert "the ladder allows only mid" in refused.value.detail


def test_unknown_event_is_refused(ladder):
    m = manager("junior")
    with pytest.raises(GradeChangeRefused) as refused:
        ladder.fire(m, "leapfrog")
    assert refused.value.code == "grade_change_refused"
    assert m.grade == "junior"


def test_grade_not_on_the_ladder_is_refused(ladder):
    m = manager("level3")
    with pytest.raises(GradeChangeRefused):
        ladder.fire(m, "promote")
    assert m.grade == "level3"


def test_event_the_policy_never_allows_is_refused():
    document = yaml.safe_load(resources.files("workflow.policies").joinpath("default.yaml").read_text("utf-8"))
    document["ladder"]["demotion_floor"] = "senior"
    no_demotion = GradeLadder(parse_policy(yaml.safe_dump(document, allow_unicode=True)).ladder)
    m = manager("senior")
    with pytest.raises(GradeChangeRefused):
        no_demotion.fire(m, "demote")
    assert m.grade == "senior"


def test_bank_policy_allows_a_two_level_promotion_with_target(bank_ladder):
    m = manager("level5")
    assert bank_ladder.fire(m, "promote", target="level3") == GradeMove("promote", "level5", "level3")
    assert m.grade == "level3"


def test_bank_policy_promotes_one_level_without_target(bank_ladder):
    m = manager("level5")
    bank_ladder.fire(m, "promote")
    assert m.grade == "level4"


def test_bank_policy_refuses_a_three_level_ordinary_promotion(bank_ladder):
    m = manager("level5")
    with pytest.raises(GradeChangeRefused):
        bank_ladder.fire(m, "promote", target="level2")
    assert m.grade == "level5"


@pytest.fixture
def machine_spy(monkeypatch):
    """Records every transitions.Machine built and every model attached to one, from now on."""
    built, attached = [], []
    original_init, original_add_model = Machine.__init__, Machine.add_model

    def init(self, *args, **kwargs):
        built.append(self)
        original_init(self, *args, **kwargs)

    def add_model(self, model, *args, **kwargs):
        attached.append(model)
        return original_add_model(self, model, *args, **kwargs)

    monkeypatch.setattr(Machine, "__init__", init)
    monkeypatch.setattr(Machine, "add_model", add_model)
    return SimpleNamespace(built=built, attached=attached)


def test_one_machine_is_built_per_ladder(machine_spy):
    ladder = GradeLadder(load_policy().ladder)
    assert machine_spy.built == [ladder.machine]
    assert isinstance(ladder.machine, Machine)
    assert ladder.machine.models == []


def test_one_machine_is_shared_by_every_manager(machine_spy):
    ladder = GradeLadder(load_policy().ladder)
    machine = ladder.machine
    machine_spy.built.clear()
    managers = [manager(grade) for grade in ("junior", "mid", "junior", "mid", "probation", "senior")]
    for m, event in zip(managers, ("promote", "promote", "exceptional_promote", "demote", "confirm", "exit")):
        ladder.fire(m, event)
    refused = manager("senior")
    with pytest.raises(GradeChangeRefused):
        ladder.fire(refused, "promote")
    assert [m.grade for m in managers] == ["mid", "senior", "senior", "junior", "junior", "exited"]
    # firing builds no machine and attaches no manager to the shared one
    assert machine_spy.built == []
    assert machine_spy.attached == []
    assert ladder.machine is machine
    assert machine.models == []
    # nor does it bind the machine's trigger methods or callbacks onto the manager objects
    for m in managers + [refused]:
        bound = {name for name, value in vars(m).items()
                 if callable(value) or name in EVENTS or name == "trigger" or name.startswith(("may_", "is_", "to_"))}
        assert bound == set(), vars(m)


@pytest.mark.parametrize("grade, events", [
    ("probation", ("confirm", "advance", "exit")),
    ("junior", ("promote", "exceptional_promote", "advance", "exit")),
    ("mid", ("promote", "exceptional_promote", "advance", "demote", "exit")),
    ("senior", ("demote", "exit")),
    ("exited", ()),
])
def test_available_events_per_grade(ladder, grade, events):
    assert ladder.available_events(grade) == events


@pytest.mark.parametrize("grade, event, destinations", [
    ("junior", "promote", ("mid",)),
    ("junior", "exceptional_promote", ("mid", "senior")),
    ("senior", "demote", ("mid",)),
    ("junior", "demote", ()),
])
def test_destinations_follow_the_policy_steps(ladder, grade, event, destinations):
    assert ladder.destinations(grade, event) == destinations
