import pytest

# tests/support holds the suite's assert helpers (ok, assert_problem, the model-based test's checks): their
# failures are explained as a test's own asserts are
pytest.register_assert_rewrite("tests.support")
