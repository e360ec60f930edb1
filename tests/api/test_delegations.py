"""Substitutes (issue 16, point 4; workflow/delegations.py): naming one, the rules of a delegation, listing and
cancelling; then the substitute acting in the absent person's stead, with the history naming both."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import OutboxMessage, db

from tests.support.answers import ok
from tests.support.statements import counting
from tests.support.steps import apply, event, move_clock
from tests.support.world import ADMIN, BOSS, CYCLE, HEAD_OFFICE, HR, SUPERVISOR, candidate, organisation

DEPUTY = "s901"  # another supervisor, at head office: the supervisor's substitute
TODAY = "2026-09-01"  # the test clock's first day


@pytest.fixture
def world(gf):
    organisation(gf)
    gf.manager("S901", "senior", org_unit=HEAD_OFFICE, login=True, roles=("supervisor", "employee"))
    return gf


def delegate(gf, as_: str, substitute: str = DEPUTY, *, starts_on: str = TODAY, ends_on: str = "2026-09-30",
             scope: str = "supervisor", status: int = 201, **extra):
    body = {"substitute": substitute, "starts_on": starts_on, "ends_on": ends_on, "scope": scope, **extra}
    return ok(gf.post("/delegations", as_=as_, json=body), status)


def problem_fields(answer: dict) -> dict[str, str]:
    return {e["field"]: e["rule"] for e in answer["errors"]}


# --- naming a substitute ------------------------------------------------------------------------------------

def test_a_supervisor_names_a_substitute_for_themselves(world):
    made = delegate(world, BOSS)
    assert {k: made[k] for k in ("principal", "substitute", "scope", "starts_on", "ends_on", "status",
                                 "created_by", "cancelled_at")} == {
        "principal": BOSS, "substitute": DEPUTY, "scope": "supervisor", "starts_on": TODAY, "ends_on": "2026-09-30",
        "status": "active", "created_by": BOSS, "cancelled_at": None}


def test_hr_names_a_substitute_for_anyone(world):
    made = delegate(world, HR, principal=BOSS, starts_on="2026-09-10")
    assert (made["principal"], made["created_by"], made["status"]) == (BOSS, HR, "planned")


def test_only_hr_names_a_substitute_for_someone_else(world):
    answer = delegate(world, DEPUTY, "chair", principal=BOSS, status=403)
    assert answer["code"] == "forbidden"


def test_an_employee_names_no_substitute(world):
    candidate(world, "M1")
    assert delegate(world, "m1", DEPUTY, status=403)["code"] == "forbidden"


def test_nobody_substitutes_for_themselves(world):
    assert problem_fields(delegate(world, BOSS, BOSS, status=422)) == {"substitute": "not_self"}


def test_the_substitute_is_an_active_account(world):
    assert problem_fields(delegate(world, BOSS, "nobody", status=422)) == {"substitute": "known_user"}


def test_a_delegation_ends_on_or_after_its_first_day(world):
    answer = delegate(world, BOSS, starts_on="2026-09-10", ends_on="2026-09-09", status=422)
    assert problem_fields(answer) == {"ends_on": "ends_after_start"}


def test_a_delegation_is_for_days_to_come(world):
    answer = delegate(world, BOSS, starts_on="2026-08-01", ends_on="2026-08-31", status=422)
    assert problem_fields(answer) == {"ends_on": "not_in_past"}


def test_a_delegation_covers_at_most_a_year(world):
    answer = delegate(world, BOSS, starts_on="2026-10-01", ends_on="2027-10-02", status=422)
    assert problem_fields(answer) == {"ends_on": "max_days"}
    delegate(world, BOSS, ends_on="2027-08-31")  # 366 days


def test_both_sides_hold_the_roles_of_the_scope(world):
    assert problem_fields(delegate(world, BOSS, scope="committee", status=422)) == {
        "principal": "scope_role", "substitute": "scope_role"}
    assert problem_fields(delegate(world, BOSS, "cm4", status=422)) == {"substitute": "scope_role"}


def test_one_substitute_per_scope_and_day(world):
    first = delegate(world, BOSS, ends_on="2026-09-15")
    world.manager("S902", "senior", org_unit=HEAD_OFFICE, login=True, roles=("supervisor", "employee"))
    clash = delegate(world, HR, "s902", principal=BOSS, starts_on="2026-09-15", ends_on="2026-09-20", status=409)
    assert (clash["code"], clash["delegation_id"]) == ("delegation_overlap", first["id"])
    world.user("both1", "committee", "supervisor", employee_no=world.manager("S904", "senior"))
    world.user("both2", "committee", "supervisor", employee_no=world.manager("S905", "senior"))
    delegate(world, "both1", "cm4", scope="committee")
    assert delegate(world, "both1", "both2", scope="both", status=409)["code"] == "delegation_overlap"
    delegate(world, "both1", "both2", scope="supervisor")  # a scope that shares no role
    delegate(world, BOSS, starts_on="2026-09-16")  # the next days are free


def test_a_cancelled_delegation_frees_its_days(world):
    first = delegate(world, BOSS)
    cancelled = ok(world.delete(f"/delegations/{first['id']}", as_=BOSS))
    assert (cancelled["status"], cancelled["cancelled_by"]) == ("cancelled", BOSS)
    assert ok(world.delete(f"/delegations/{first['id']}", as_=BOSS)) == cancelled  # again: as it was
    delegate(world, BOSS)


def chain_links(gf) -> list[tuple[str, int]]:
    from models.audit import AuditLink
    with gf.app.app_context():
        links = [tuple(link) for link in db.session.execute(
            sa.select(AuditLink.source, AuditLink.source_id).where(AuditLink.source.like("delegation%"))
            .order_by(AuditLink.seq))]
        db.session.remove()
    return links


def verified(gf) -> str | None:
    from models.audit import verify_chain
    with gf.app.app_context():
        problem = verify_chain(db.session)[1]
        db.session.remove()
    return problem


def tamper(gf, delegation_id: int, **values) -> None:
    from models import Delegation
    with gf.app.app_context():
        db.session.execute(sa.update(Delegation).where(Delegation.id == delegation_id).values(**values))
        db.session.commit()
        db.session.remove()


def test_naming_and_cancelling_a_substitute_are_links_of_the_audit_chain(world):
    made = delegate(world, HR, principal=BOSS)
    assert chain_links(world) == [("delegations", made["id"])]
    ok(world.delete(f"/delegations/{made['id']}", as_=BOSS))
    ok(world.delete(f"/delegations/{made['id']}", as_=BOSS))  # again: nothing new
    assert chain_links(world) == [("delegations", made["id"]), ("delegation_cancellations", made["id"])]
    assert verified(world) is None


def test_a_delegation_altered_around_the_service_is_found_by_the_audit(world):
    made = delegate(world, BOSS)
    tamper(world, made["id"], substitute="chair")
    problem = verified(world)
    assert problem.startswith(f"delegations entry {made['id']} (link ") and problem.endswith(") was altered")


def test_a_cancellation_undone_around_the_service_is_found_by_the_audit(world):
    made = delegate(world, BOSS)
    ok(world.delete(f"/delegations/{made['id']}", as_=BOSS))
    tamper(world, made["id"], cancelled_at=None, cancelled_by=None)
    problem = verified(world)
    assert problem.startswith(f"delegation_cancellations entry {made['id']} (link ")
    assert problem.endswith(") was altered")


def test_a_cancellation_made_around_the_service_is_found_by_the_audit(world):
    made = delegate(world, BOSS)
    tamper(world, made["id"], cancelled_at=sa.func.current_timestamp(), cancelled_by=HR)
    assert verified(world) == (f"delegation_cancellations entry {made['id']} is in no link: it was inserted around "
                               "the service")


def test_cancelling_is_for_the_absent_person_or_hr(world):
    made = delegate(world, BOSS)
    assert ok(world.delete(f"/delegations/{made['id']}", as_=DEPUTY), 403)["code"] == "forbidden"
    assert ok(world.delete(f"/delegations/{made['id']}", as_="chair"), 404)["code"] == "not_found"
    assert ok(world.delete(f"/delegations/{made['id']}", as_=HR))["cancelled_by"] == HR


def test_an_ended_delegation_stays_as_it_was(world):
    made = delegate(world, BOSS, ends_on="2026-09-02")
    move_clock(world, "2026-09-03T09:00:00+08:00")
    assert ok(world.get("/delegations", as_=BOSS))[0]["status"] == "ended"
    assert ok(world.delete(f"/delegations/{made['id']}", as_=BOSS), 409)["code"] == "delegation_ended"


def test_hr_sees_every_delegation_and_anyone_else_those_naming_them(world):
    delegate(world, BOSS)
    delegate(world, "chair", "cm4", scope="committee")
    assert len(ok(world.get("/delegations", as_=HR))) == 2
    assert [d["principal"] for d in ok(world.get("/delegations", as_=DEPUTY))] == [BOSS]
    assert [d["substitute"] for d in ok(world.get("/delegations", as_="chair"))] == ["cm4"]
    assert ok(world.get("/delegations?mine=true", as_=HR)) == []


# --- the substitute acts -------------------------------------------------------------------------------------

def test_the_substitute_reviews_the_materials_with_both_named_in_the_history(world):
    case_id = apply(world, candidate(world, "M1"))
    assert world.get(f"/cases/{case_id}", as_=DEPUTY).status_code == 404
    delegate(world, BOSS)
    assert "approve_materials" in world.case(case_id, DEPUTY)["available_events"]
    ok(event(world, case_id, "approve_materials", DEPUTY, supervisor_score=85))
    entry = world.history(case_id, HR)[-1]
    assert (entry["actor"], entry["event"], entry["data"]["on_behalf_of"]) == (DEPUTY, "approve_materials", BOSS)


def test_the_absent_person_keeps_their_own_standing(world):
    case_id = apply(world, candidate(world, "M1"))
    delegate(world, BOSS)
    ok(event(world, case_id, "approve_materials", BOSS, supervisor_score=85))
    assert "on_behalf_of" not in world.history(case_id, HR)[-1]["data"]


def test_the_substitute_acts_only_within_the_days_of_the_delegation(world):
    case_id = apply(world, candidate(world, "M1"))
    delegate(world, BOSS, starts_on="2026-09-02", ends_on="2026-09-02")
    assert world.get(f"/cases/{case_id}", as_=DEPUTY).status_code == 404
    move_clock(world, "2026-09-02T00:00:00+08:00")  # the first day begins at midnight, Beijing time
    assert "approve_materials" in world.case(case_id, DEPUTY)["available_events"]
    move_clock(world, "2026-09-03T00:00:00+08:00")
    assert ok(event(world, case_id, "approve_materials", DEPUTY, supervisor_score=85), 404)["code"] == "not_found"


def test_the_caller_s_stand_ins_are_read_only_on_the_days_a_delegation_makes_them_a_substitute(world):
    case_id = apply(world, candidate(world, "M1"))
    delegate(world, BOSS, starts_on="2026-09-02", ends_on="2026-09-02")
    world.token(DEPUTY)  # signing in is not what is counted

    def stand_in_reads() -> int:
        with counting(world.app) as seen:
            world.get(f"/cases/{case_id}", as_=DEPUTY)
        return len([s for s in seen if s.startswith("SELECT delegations.")])

    before = stand_in_reads()  # the caller's own read found no delegation in force today
    move_clock(world, "2026-09-02T00:00:00+08:00")
    on_the_day = stand_in_reads()
    assert (before, on_the_day) == (0, 1)


def test_a_delegation_of_a_switched_off_account_gives_no_standing(world):
    case_id = apply(world, candidate(world, "M1"))
    delegate(world, BOSS)
    ok(world.patch(f"/users/{BOSS}", as_=ADMIN, json={"active": False}))
    assert world.get(f"/cases/{case_id}", as_=DEPUTY).status_code == 404


def test_a_cancelled_delegation_gives_no_standing(world):
    case_id = apply(world, candidate(world, "M1"))
    made = delegate(world, BOSS)
    ok(world.delete(f"/delegations/{made['id']}", as_=BOSS))
    assert world.get(f"/cases/{case_id}", as_=DEPUTY).status_code == 404


def test_a_substitutes_own_substitute_does_not_inherit(world):
    case_id = apply(world, candidate(world, "M1"))
    world.manager("S902", "senior", org_unit=HEAD_OFFICE, login=True, roles=("supervisor", "employee"))
    delegate(world, BOSS)
    delegate(world, DEPUTY, "s902")
    assert world.get(f"/cases/{case_id}", as_="s902").status_code == 404


def test_the_substitute_sees_the_cases_they_act_on_in_lists(world):
    case_id = apply(world, candidate(world, "M1"))
    assert ok(world.get("/cases", as_=DEPUTY)) == []
    delegate(world, BOSS)
    assert [c["id"] for c in ok(world.get("/cases", as_=DEPUTY))] == [case_id]


def test_a_substitute_never_acts_on_their_own_case(world):
    """M1, a supervisor of nobody yet, stands in for their own supervisor: their own case stays theirs only."""
    world.manager("M1", "junior", supervisor=SUPERVISOR, login=True, roles=("employee", "supervisor"))
    world.performance("M1", "2025", "80")
    case_id = apply(world, "M1")
    delegate(world, BOSS, "m1")
    assert world.case(case_id, "m1")["available_events"] == ["withdraw"]
    assert ok(event(world, case_id, "approve_materials", "m1", supervisor_score=99), 403)["code"] == "forbidden"


def test_a_substitute_does_not_act_on_the_case_of_someone_above_them(world):
    """S903 reports to M1 and stands in for M1's supervisor: M1's case is not theirs to review."""
    world.manager("M1", "junior", supervisor=SUPERVISOR, login=True, roles=("employee", "supervisor"))
    world.performance("M1", "2025", "80")
    world.manager("S903", "junior", supervisor="M1", login=True, roles=("employee", "supervisor"))
    case_id = apply(world, "M1")
    delegate(world, BOSS, "s903")
    assert world.get(f"/cases/{case_id}", as_="s903").status_code == 404


# --- on the committee ------------------------------------------------------------------------------------------

def _in_interview(gf) -> int:
    case_id = apply(gf, candidate(gf, "M1"))
    ok(event(gf, case_id, "approve_materials", BOSS, supervisor_score=85))
    return case_id


def test_the_substitute_scores_in_the_members_seat(world):
    case_id = _in_interview(world)
    delegate(world, "cm2", "cm4", scope="committee")
    ok(world.put(f"/cases/{case_id}/score", as_="cm4", json={"score": 80}))
    entry = world.history(case_id, HR)[-1]
    assert (entry["actor"], entry["data"]["member"], entry["data"]["on_behalf_of"]) == ("cm4", "cm2", "cm2")
    assert world.case(case_id, HR)["interview"]["scored"] == ["cm2"]
    ok(world.put(f"/cases/{case_id}/score", as_="chair", json={"score": 80}))
    assert ok(world.put(f"/cases/{case_id}/score", as_="cm3", json={"score": 80}))["state"] == "deliberation"


def test_a_substitute_is_recused_where_a_member_would_be(world):
    """S900 (the applicant's supervisor) holds the committee role and stands in for cm2: recused, as a member
    would be."""
    case_id = _in_interview(world)
    ok(world.patch(f"/users/{BOSS}", as_=HR, json={"roles": ["employee", "supervisor", "committee"]}))
    delegate(world, "cm2", BOSS, scope="committee")
    assert ok(world.put(f"/cases/{case_id}/score", as_=BOSS, json={"score": 99}), 403)["code"] == "recused"


def test_a_substitutes_declared_conflict_leaves_the_seat_to_the_member(world):
    case_id = _in_interview(world)
    delegate(world, "cm2", "cm4", scope="committee")
    ok(world.post(f"/cases/{case_id}/recusal", as_="cm4", json={"comment": "亲属"}))
    assert world.history(case_id, HR)[-1]["data"] == {"member": "cm4", "reason": "declared", "on_behalf_of": "cm2"}
    assert ok(world.put(f"/cases/{case_id}/score", as_="cm4", json={"score": 80}), 403)["code"] == "recused"
    assert "cm2" in world.case(case_id, HR)["interview"]["counting_members"]
    ok(world.put(f"/cases/{case_id}/score", as_="cm2", json={"score": 80}))


def test_a_member_of_the_same_committee_keeps_only_their_own_seat(world):
    case_id = _in_interview(world)
    delegate(world, "cm2", "cm3", scope="committee")
    ok(world.put(f"/cases/{case_id}/score", as_="cm3", json={"score": 70}))
    assert world.case(case_id, HR)["interview"]["scored"] == ["cm3"]
    assert "on_behalf_of" not in world.history(case_id, HR)[-1]["data"]


def test_the_chairs_substitute_decides_the_cycle(world):
    case_id = _in_interview(world)
    for member in ("chair", "cm2", "cm3"):
        ok(world.put(f"/cases/{case_id}/score", as_=member, json={"score": 80}))
    assert ok(world.post(f"/cycles/{CYCLE}/decide", as_="cm4"), 403)["code"] == "forbidden"
    delegate(world, "chair", "cm4", scope="committee")
    ok(world.post(f"/cycles/{CYCLE}/decide", as_="cm4"))
    entry = world.history(case_id, HR)[-1]
    assert (entry["event"], entry["actor"], entry["data"]["on_behalf_of"]) == ("decide", "cm4", "chair")


def test_the_substitute_is_reminded_beside_the_absent_person(world):
    case_id = apply(world, candidate(world, "M1"))
    delegate(world, BOSS)
    delegate(world, "chair", "cm4", scope="committee")  # not the work the case waits for
    move_clock(world, "2026-09-07T09:00:00+08:00")  # overdue: three working days have passed
    with world.app.app_context():
        sent = sorted(db.session.scalars(sa.select(OutboxMessage.recipient).where(OutboxMessage.case_id == case_id)))
        db.session.remove()
    assert sent == [BOSS, DEPUTY]
