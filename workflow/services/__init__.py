"""Use cases. Each loads, checks, changes and records through a unit of work, in one transaction
that the caller opens (`with uow: ...`). Permissions are checked here, next to the rule."""
