def test_hr_registers_a_manager_and_reads_it_back(gf):
    gf.user("hr1", "hr")
    body = {"employee_no": "M1", "name": "王芳", "org_unit": "北京分行", "grade": "junior",
            "grade_since": "2025-03-01", "hire_date": "2024-12-01", "supervisor": None}
    created = gf.post("/managers", as_="hr1", json=body)
    assert created.status_code == 201, created.get_json()
    read = gf.get("/managers/M1", as_="hr1").get_json()
    assert read["name"] == "王芳" and read["grade"] == "junior" and read["status"] == "active"
