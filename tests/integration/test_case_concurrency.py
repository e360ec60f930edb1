"""Cases under concurrent use: two requests acting on one case at once never both succeed, and a
race between two applications still leaves one open case per manager."""
from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from api.context import rules, uow
from models import Case, CaseHistory, db
from tests.support.cycles import published_cycle
from tests.support.threads import at_once
from tests.support.world import HR, one_submitted_case
from workflow.errors import NotEligible
from workflow.services.accounts import actor_for
from workflow.services.cases import submit_case


def test_two_identical_events_at_once_move_the_case_once(gf):
    case_id = one_submitted_case(gf)
    token = gf.token("s001")

    def approve():
        client = gf.app.test_client()
        return client.post(f"/api/v1/cases/{case_id}/events", headers={"Authorization": f"Bearer {token}"},
                           json={"event": "approve_materials", "supervisor_score": 80})

    statuses = sorted(r.status_code for r in at_once([approve, approve]))
    assert statuses == [200, 409], statuses
    case = gf.get(f"/cases/{case_id}", as_="hr1").get_json()
    assert (case["state"], case["version"]) == ("interview", 2)
    events = [h["event"] for h in gf.get(f"/cases/{case_id}/history", as_="hr1").get_json()]
    assert events.count("approve_materials") == 1


def test_committee_members_scoring_at_once_all_count_and_deliberation_begins_once(gf):
    case_id = one_submitted_case(gf)
    assert gf.post(f"/cases/{case_id}/events", as_="s001",
                   json={"event": "approve_materials", "supervisor_score": 80}).status_code == 200
    tokens = {member: gf.token(member) for member in ("cm1", "cm2", "cm3")}

    def score(member):
        def request():
            client = gf.app.test_client()
            for _ in range(20):  # a member whose write lost the race reloads and scores again
                response = client.put(f"/api/v1/cases/{case_id}/score", json={"score": 70},
                                      headers={"Authorization": f"Bearer {tokens[member]}"})
                if response.status_code != 409 or response.get_json()["code"] != "version_conflict":
                    return response
            return response
        return request

    results = at_once([score(m) for m in tokens])
    assert [r.status_code for r in results] == [200, 200, 200], [r.get_json() for r in results]
    case = gf.get(f"/cases/{case_id}", as_="hr1").get_json()
    assert case["state"] == "deliberation" and sorted(case["interview"]["scored"]) == ["cm1", "cm2", "cm3"]
    events = [h["event"] for h in gf.get(f"/cases/{case_id}/history", as_="hr1").get_json()]
    assert events.count("score") == 3 and events.count("interview_complete") == 1


def test_an_application_racing_another_is_refused_as_one_open_case(gf, monkeypatch):
    case_id = one_submitted_case(gf)
    with gf.app.app_context():
        with pytest.raises(NotEligible) as refused:
            with uow() as u:
                actor = actor_for(u.users.by_username("e001"))
                # this request looked before the other one committed: it saw no open case
                monkeypatch.setattr(u.cases, "open_case_of", lambda employee_no: None)
                submit_case(u, rules(), actor, kind="promotion", cycle="C1", target_grade="senior",
                            statement="again")
        assert [r["rule"] for r in refused.value.extra["reasons"]] == ["one_open_case"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseHistory)
                                 .where(CaseHistory.case_id != case_id)) == 0


def test_twenty_identical_appeals_at_once_file_one_and_the_rest_are_appeal_exists(gf):
    """api.md: appeal_exists is checked first, so a losing racer is told the case was appealed, never
    version_conflict (its request carried no version to be stale)."""
    approved, _ = published_cycle(gf)
    token = gf.token("e001")

    def appeal_once():
        return gf.app.test_client().post(f"/api/v1/cases/{approved}/appeal", json={"reason": "评分有误"},
                                         headers={"Authorization": f"Bearer {token}"})

    answers = at_once([appeal_once] * 20)
    statuses = Counter((a.status_code, (a.get_json() or {}).get("code")) for a in answers)
    assert statuses == {(201, None): 1, (409, "appeal_exists"): 19}, statuses
    events = [h["event"] for h in gf.history(approved, as_=HR)]
    assert events.count("appeal") == 1
    assert gf.case(approved, as_=HR)["state"] == "appealed"
