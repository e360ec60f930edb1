"""The policy versions that governed cases (issue 13, point 6, its first part): each case records name@version,
and the version's rules are stored the first time a case records it, so that GET /policies/{reference} and the
case page's link show the rules a case was opened under, also after the policy file has changed. The pages:
tests/web/test_policy_pages.py."""
from __future__ import annotations

from tests.support.answers import assert_problem, ok
from tests.support.driver import Driver
from tests.support.policies import policy_file
from tests.support.reads import case_of
from tests.support.steps import apply
from tests.support.world import HR, candidate, organisation
from workflow.policy import load_policy
from workflow.policy_summary import describe


def test_a_case_stores_the_policy_version_it_was_opened_under_and_anyone_signed_in_reads_it(gf):
    organisation(gf)
    candidate(gf, "E001")
    reference = case_of(gf, apply(gf, "E001", "mid"))["policy"]

    shown = ok(gf.get(f"/policies/{reference}", as_="e001"))

    assert (shown["current"], shown["name"]) == (True, "default")
    assert f"{shown['name']}@{shown['version']}" == reference
    assert shown["first_used_at"] is not None
    assert "  promotion: materials (the supervisor: approve with a score, return or reject) → exception review " \
           "(hr, for an exceptional promotion) → interview (the cycle's committee scores; quorum 3) → decision " \
           "(the chair or hr, for the whole cycle) → publication (appeal window 3 working days) → effective" \
           in shown["summary"]
    assert shown["document"]["committee"] == {"quorum": 3}


def test_after_the_policy_changes_an_open_case_still_names_and_shows_the_rules_it_was_opened_under(gf, build,
                                                                                                   tmp_path):
    organisation(gf)
    candidate(gf, "E001")
    case_id = apply(gf, "E001", "mid")
    before = case_of(gf, case_id)["policy"]

    def quorum_of_five(document):
        document["committee"]["quorum"] = 5
    changed = Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, quorum_of_five)))

    old = ok(changed.get(f"/policies/{before}", as_=HR))
    assert old["current"] is False and old["document"]["committee"] == {"quorum": 3}
    assert old["summary"] == describe(load_policy())  # the stored rules read back as the file said them
    assert case_of(changed, case_id)["policy"] == before
    now = ok(changed.get(f"/policies/{_current_reference(changed)}", as_=HR))
    assert now["current"] is True and now["first_used_at"] is None  # in force, no case opened under it yet
    assert now["document"]["committee"] == {"quorum": 5}


def test_an_unknown_policy_version_is_not_found_and_strangers_learn_nothing(gf):
    organisation(gf)
    assert_problem(gf.get("/policies/default@000000000000", as_=HR), 404, "not_found")
    assert gf.client.get("/api/v1/policies/default@000000000000").status_code == 401


def test_no_policy_version_is_named_by_a_reference_holding_a_nul(gf):
    """PostgreSQL's text holds no NUL: the look-up answers 404 without asking it (a server error there before)."""
    organisation(gf)
    assert_problem(gf.get("/policies/%00", as_=HR), 404, "not_found")


def test_a_quarter_close_that_opens_demotions_stores_its_policy_version(gf):
    import sqlalchemy as sa

    from models import PolicyVersion, db
    from tests.support.steps import move_clock
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900")
    for quarter in ("2026Q2", "2026Q3"):
        gf.performance("M001", quarter, "70", months_worked=3)
    move_clock(gf, "2026-10-01T00:30:00+08:00")  # Q3 is over; its scheduled close is at 02:00
    assert ok(gf.post("/evaluations/2026Q3/close", as_=HR))["demotion_cases"]
    with gf.app.app_context():
        stored = db.session.scalars(sa.select(PolicyVersion.reference)).all()
        db.session.remove()
    assert stored == [load_policy().reference]


def test_every_builtin_policy_reads_back_from_its_stored_document_as_the_file_says():
    from workflow.policy import BUILTIN_POLICIES, parse_policy
    for name in BUILTIN_POLICIES:
        policy = load_policy(name)
        again = parse_policy(policy.document, as_json=True)
        assert (again, again.reference, describe(again)) == (policy, policy.reference, describe(policy))


def test_a_policy_whose_name_holds_a_slash_is_reached_by_its_link(build, tmp_path):
    def branch(document):
        document["name"] = "acme/branch"
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, branch)))
    organisation(gf)
    reference = _current_reference(gf)
    assert ok(gf.get(f"/policies/{reference}", as_=HR))["name"] == "acme/branch"


def _current_reference(gf) -> str:
    from api.context import rules
    with gf.app.app_context():
        return rules().policy.reference


def test_audit_verify_names_a_stored_policy_version_altered_around_the_service(gf):
    from models import db
    from models.audit import verify_chain
    organisation(gf)
    candidate(gf, "E001")
    reference = case_of(gf, apply(gf, "E001", "mid"))["policy"]
    with gf.app.app_context():
        assert verify_chain(db.session)[1] is None
        with db.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE policy_versions SET document = REPLACE(document, '\"quorum\":3', "
                                 "'\"quorum\":2')")
        assert verify_chain(db.session)[1] == (f"policy version {reference} does not hold the rules its version "
                                               "fingerprints: it was altered around the service")
        db.session.remove()
    assert ok(gf.get(f"/policies/{reference}", as_=HR))["summary"] == []  # altered rules are not shown as its own
