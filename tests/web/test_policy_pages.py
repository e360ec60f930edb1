"""The page of a policy version's rules (/policies/<name@version>), reached from the case page, in the user's
language; a policy whose name holds a slash is reached too. The API: tests/api/test_policy_versions.py."""
from __future__ import annotations

from tests.support.driver import Driver
from tests.support.policies import policy_file
from tests.support.reads import case_of
from tests.support.steps import apply
from tests.support.world import HR, candidate, organisation
from tests.web.visitor import Visitor, text


def test_the_case_page_links_to_its_policy_versions_rules_in_the_users_language(gf):
    organisation(gf)
    candidate(gf, "E001")
    case_id = apply(gf, "E001", "mid")
    reference = case_of(gf, case_id)["policy"]
    applicant = Visitor(gf.app)
    assert applicant.sign_in("e001").status_code == 302
    assert f'href="/policies/{reference}"' in applicant.get(f"/cases/{case_id}").get_data(as_text=True)
    page = applicant.get(f"/policies/{reference}")
    words = text(page)
    assert page.status_code == 200 and "现行版本。" in words and "quorum 3" in words


def test_a_policy_page_is_reached_when_the_name_holds_a_slash_and_an_unknown_version_is_the_404_page(build,
                                                                                                      tmp_path):
    def branch(document):
        document["name"] = "acme/branch"
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, branch)))
    organisation(gf)
    candidate(gf, "E001")
    reference = case_of(gf, apply(gf, "E001", "mid"))["policy"]
    assert reference.startswith("acme/branch@")
    hr = Visitor(gf.app)
    assert hr.sign_in(HR).status_code == 302
    page = hr.get(f"/policies/{reference}")
    assert page.status_code == 200 and "acme/branch" in text(page)
    assert hr.get("/policies/acme/branch@000000000000").status_code == 404
