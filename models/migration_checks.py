"""What migrations share: widening (or narrowing) a CHECK constraint `column IN (...)` on both databases."""
from __future__ import annotations

from alembic import op


def listed(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def change_known(table: str, column: str, constraint: str, old, new):
    """The CHECK constraint `column IN (...)` from the `old` values to the `new`."""
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        if bind.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE {column} NOT IN ({listed(new)})").scalar():
            raise RuntimeError(f"{table} has rows whose {column} the target revision does not know")
        edit_sqlite_definition(table, f"CHECK ({column} IN ({listed(old)}))", f"CHECK ({column} IN ({listed(new)}))")
    else:
        op.drop_constraint(op.f(constraint), table, type_='check')
        op.create_check_constraint(op.f(constraint), table, f"{column} IN ({listed(new)})")


def edit_sqlite_definition(table: str, old: str, new: str) -> None:
    """Replace `old` by `new` in the stored CREATE TABLE of `table` (once; an error if it is not there)."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
    if sql.count(old) != 1:
        raise RuntimeError(f"the {table} table's definition does not hold {old!r} once")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                             (sql.replace(old, new), table))
        bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
