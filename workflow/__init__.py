"""The rules of gradeflow: states, transitions, guards, policy. Imports neither Flask nor SQLAlchemy."""
