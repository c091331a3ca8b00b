# SQL here is built from table and column names taken from the models and from constants
# of this module, never from the file; every value from the file goes in as a parameter.
# ruff: noqa: S608
"""Stage validated rows in temporary tables, check them in SQL, and apply them in one go.

The same SQL runs on PostgreSQL and SQLite; what differs between the two is kept in
``_Dialect`` (column types, loading rows, handing out new ids, reading big results).
Rows are written in batches (PostgreSQL: COPY; SQLite: executemany), so memory stays
flat however long the file is. Links (departments, tags, specialities, item types) go
into their own staging tables as (row, id) pairs.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from spotcheck.accounts.models import Department, User
from spotcheck.directory.models import Entity, EntityRiskHistory, Inspector
from spotcheck.imports.pipeline import Piece, write_copy
from spotcheck.imports.readers import UnreadableFile
from spotcheck.imports.validation import Issue, RowResult, RowValidator, Scope

logger = logging.getLogger(__name__)

STAGE = "imp_stage"
# a staged row that matched no record and was not rejected becomes a new record; it
# gets its id (in ``NEW``) just before the writes
_NEW = "target_id IS NULL AND NOT rejected"
ISSUES = "imp_issue"
# staged rows that become new records, with the id each gets
NEW = "imp_new"
# a first load: the row and code of every record written, for the duplicate check
KEYS = "imp_keys"
BATCH_ROWS = 10_000


@dataclass(frozen=True)
class _Link:
    """A many-to-many relation the import fills: its staging table and through table."""

    name: str
    field: str
    table: str
    owner: str
    other: str
    scoped: bool = False

    @property
    def stage(self) -> str:
        return f"imp_link_{self.name}"


def _link(model: Any, name: str, field_name: str, *, scoped: bool = False) -> _Link:
    m2m = model._meta.get_field(field_name)
    return _Link(
        name=name,
        field=field_name,
        table=m2m.remote_field.through._meta.db_table,
        owner=m2m.m2m_column_name(),
        other=m2m.m2m_reverse_name(),
        scoped=scoped,
    )


@dataclass(frozen=True)
class Counts:
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    warnings: int


class _Dialect:
    """The few things PostgreSQL and SQLite do differently."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"

    def column_type(self, kind: str) -> str:
        types = {
            "text": "text",
            "int": "integer",
            "bigint": "bigint",
            "date": "date",
            "decimal": "numeric(14, 2)" if self.postgres else "decimal",
            "bool": "boolean" if self.postgres else "bool",
        }
        return types[kind]

    def distinct(self, left: str, right: str) -> str:
        return f"{left} IS DISTINCT FROM {right}" if self.postgres else f"{left} IS NOT {right}"

    def load(
        self, cursor: Any, table: str, columns: Sequence[tuple[str, str]], rows: list[Any]
    ) -> None:
        names = ", ".join(name for name, _ in columns)
        if self.postgres:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = [_sqlite_adapter(kind) for _, kind in columns]
        marks = ", ".join("%s" for _ in columns)
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",
            [tuple(a(v) for a, v in zip(adapt, row, strict=True)) for row in rows],
        )

    def assign_ids(self, run: Any, cursor: Any, table: str, count: int, order: str) -> None:
        """Give every new staged row the id its record will have, in ``NEW``.

        PostgreSQL, with ``order`` (a bulk load that holds its table locked): one block of
        ``count`` ids is taken from the sequence at once and handed out in that order (the
        key of the table's unique index). Otherwise each row takes ``nextval``, which is
        safe beside other writers."""
        if self.postgres:
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            if order and count:
                cursor.execute(
                    f"SELECT setval({sequence}, nextval({sequence}) + %s - 1) - %s + 1",
                    [count, count],
                )
                first = int(cursor.fetchone()[0])
                run(
                    f"CREATE TEMPORARY TABLE {NEW} AS SELECT row_no,"
                    f" %s - 1 + ROW_NUMBER() OVER (ORDER BY {order}, row_no) AS id"
                    f" FROM {STAGE} WHERE {_NEW}",
                    [first],
                )
            else:
                run(
                    f"CREATE TEMPORARY TABLE {NEW} AS SELECT o.row_no, nextval({sequence}) AS id"
                    f" FROM (SELECT row_no FROM {STAGE} WHERE {_NEW} ORDER BY row_no) o"
                )
            run(f"ALTER TABLE {NEW} ADD PRIMARY KEY (row_no)")
            run(f"ANALYZE {NEW}")
            return
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        base = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        base = max(base, found[0] if found else 0)
        cursor.execute(
            f"CREATE TEMPORARY TABLE {NEW} (row_no integer PRIMARY KEY, id bigint NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {NEW} (row_no, id) SELECT row_no,"
            f" %s + ROW_NUMBER() OVER (ORDER BY row_no) FROM {STAGE} WHERE {_NEW}",
            [base],
        )

    def iterate(self, sql: str) -> Iterator[tuple[Any, ...]]:
        """Yield the rows of a big result without holding them all in memory."""
        if self.postgres:
            raw = connection.connection
            with raw.cursor(name="imp_issues") as cursor:
                cursor.itersize = 5000
                cursor.execute(sql)
                yield from cursor
            return
        with connection.cursor() as cursor:
            cursor.execute(sql)
            while chunk := cursor.fetchmany(5000):
                yield from chunk


def _sqlite_adapter(kind: str) -> Any:
    if kind == "date":
        return lambda v: v.isoformat() if isinstance(v, dt.date) else v
    if kind == "decimal":
        return lambda v: str(v) if isinstance(v, Decimal) else v
    if kind == "bool":
        return lambda v: int(v) if isinstance(v, bool) else v
    return lambda v: v


class Staging:
    """The temporary tables of one import run, and the SQL over them."""

    def __init__(self, validator: RowValidator, scope: Scope) -> None:
        self.validator = validator
        self.scope = scope
        self.dialect = _Dialect()
        self.entities = validator.kind == "entities"
        self.model = Entity if self.entities else Inspector
        self.table = self.model._meta.db_table
        if self.entities:
            self.links = [
                _link(Entity, "departments", "supervising_departments", scoped=True),
                _link(Entity, "tags", "tags"),
            ]
            self.present_links = {
                link.name
                for link, field_name in zip(
                    self.links, ("supervising_departments", "tags"), strict=True
                )
                if validator.present(field_name)
            }
            self.key_column = "CASE WHEN {t}.uscc IS NULL THEN '注册号' ELSE '统一社会信用代码' END"
            self.key_value = "COALESCE({t}.uscc, {t}.reg_no)"
        else:
            self.links = [
                _link(Inspector, "specialities", "specialities"),
                _link(Inspector, "item_types", "qualified_item_types"),
            ]
            self.present_links = {link.name for link in self.links if validator.present(link.name)}
            self.key_column = "'执法证号'"
            self.key_value = "{t}.key"
        self.columns = validator.stage_columns
        self.updatable = validator.updatable_columns()
        self._rows: list[tuple[Any, ...]] = []
        self._issues: list[tuple[Any, ...]] = []
        self._pairs: dict[str, list[tuple[int, int]]] = {link.name: [] for link in self.links}
        self._lines: list[str] = []  # COPY text, one string per piece
        self._line_rows = 0  # rows in _lines
        # what the checks found, to skip statements that cannot match anything
        self.with_reg_no = 0  # staged entity rows with a 注册号 (they may match by it)
        self.matched = 0  # staged rows that matched a record
        self.changed = 0  # matched rows that change their record
        self.created = 0  # staged rows that become new records
        self._link_lines: dict[str, list[str]] = {link.name: [] for link in self.links}
        # a first load (``FirstLoad``) writes its batches as they come
        self.streamed = False
        self.written = 0  # records written by a first load
        self.risk_changes = 0  # risk history rows written by a first load

    # --- phase 1: load ----------------------------------------------------------------

    def create(self) -> None:
        self.drop()
        extra = (
            "target_id bigint, old_risk text, old_department_id bigint, old_expert_field text,"
            f" changed {self._bool()} NOT NULL DEFAULT FALSE,"
            f" rejected {self._bool()} NOT NULL DEFAULT FALSE"
        )
        columns = ", ".join(
            f"{name} {self.dialect.column_type(kind)}"
            + (" PRIMARY KEY" if name == "row_no" else "")
            for name, kind in self.columns
        )
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({columns}, {extra})")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {ISSUES} (row_no integer NOT NULL, col text NOT NULL,"
                f" value text NOT NULL, reason text NOT NULL, warning {self._bool()} NOT NULL)"
            )
            for link in self.links:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {link.stage}"
                    " (row_no integer NOT NULL, other_id bigint NOT NULL)"
                )

    def _bool(self) -> str:
        return self.dialect.column_type("bool")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for table in [STAGE, ISSUES, NEW, KEYS, *(link.stage for link in self.links)]:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def add(self, result: RowResult) -> None:
        for issue in result.issues:
            self._issues.append(
                (issue.row_no, issue.column, issue.value, issue.reason, issue.warning)
            )
        if result.values is None:
            return
        if self.entities and result.values[4]:
            self.with_reg_no += 1
        self._rows.append(result.values)
        row_no = result.values[0]
        for name, ids in result.links.items():
            self._pairs[name].extend((row_no, pk) for pk in ids)

    def add_piece(self, piece: Piece) -> None:
        """Take rows already checked and encoded as COPY text (PostgreSQL only)."""
        self.with_reg_no += piece.with_reg_no
        self._line_rows += piece.rows
        self._lines.extend(piece.stage)
        self._issues.extend(piece.issues)
        for name, lines in piece.links.items():
            self._link_lines[name].extend(lines)

    def pending(self) -> int:
        """Rows (and issues) waiting to be written; ``flush`` when it gets big."""
        return len(self._rows) + len(self._issues) + self._line_rows

    def flush(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            if self._rows:
                self.dialect.load(cursor, STAGE, self.columns, self._rows)
            if self._lines:
                names = ", ".join(name for name, _ in self.columns)
                write_copy(cursor, STAGE, names, self._lines)
                self._lines.clear()
                self._line_rows = 0
            for link in self.links:
                write_copy(cursor, link.stage, "row_no, other_id", self._link_lines[link.name])
                self._link_lines[link.name].clear()
            if self._issues:
                self.dialect.load(cursor, ISSUES, _ISSUE_COLUMNS, self._issues)
            for link in self.links:
                pairs = self._pairs[link.name]
                if pairs:
                    self.dialect.load(cursor, link.stage, _LINK_COLUMNS, pairs)
                    pairs.clear()
        self._rows.clear()
        self._issues.clear()

    # --- phase 2: check ---------------------------------------------------------------

    def check(self) -> None:
        """Find what only the database can tell: duplicates, matches, scope, changes."""
        with connection.cursor() as cursor:
            self._c = cursor
            if not self.dialect.postgres:
                # SQLite joins and groups by key through an index; PostgreSQL hashes, and
                # building the index would cost more than it saves
                self._exec(f"CREATE INDEX imp_stage_key ON {STAGE} (key)")
            for link in self.links:
                self._exec(f"CREATE INDEX {link.stage}_row ON {link.stage} (row_no, other_id)")
            # temporary tables are never analysed automatically; without statistics the
            # planner takes them for tiny and picks nested loops over a million rows
            # (only the columns joins and groupings use: statistics of wide text columns
            # cost seconds on a million rows and inform no plan here)
            self._exec(f"ANALYZE {STAGE}" + (" (row_no, key)" if self.dialect.postgres else ""))
            for table in [ISSUES, *(link.stage for link in self.links)]:
                self._exec(f"ANALYZE {table}")
            self._duplicates()
            if self.entities:
                self._match_entities()
            else:
                self._match_inspectors()
            if self.matched:
                self._exec(f"CREATE INDEX imp_stage_target ON {STAGE} (target_id)")
                self._same_target()
            if self.scope.department_ids is not None:
                self._check_scope()
            if not self.entities and self.validator.present("is_expert"):
                self._check_experts()
            self._exec(
                f"UPDATE {STAGE} SET rejected = TRUE WHERE row_no IN"
                f" (SELECT row_no FROM {ISSUES} WHERE NOT warning)"
            )
            if self.matched:
                self._detect_changes()

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        started = time.perf_counter()
        self._c.execute(sql, params)
        logger.debug("%.3f s %s", time.perf_counter() - started, " ".join(sql.split())[:160])
        return max(int(self._c.rowcount), 0)

    def _key(self, alias: str) -> tuple[str, str]:
        return self.key_column.format(t=alias), self.key_value.format(t=alias)

    def _duplicates(self) -> None:
        column, value = self._key("d")
        self._exec(
            f"INSERT INTO {ISSUES} (row_no, col, value, reason, warning)"
            f" SELECT d.row_no, {column}, {value},"
            f" '与第' || CAST(d.other AS text) || '行重复：同一代码在文件中出现了多次', FALSE"
            f" FROM (SELECT s.*, COUNT(*) OVER (PARTITION BY s.key) AS n,"
            f"   COALESCE(LAG(s.row_no) OVER w, LEAD(s.row_no) OVER w) AS other"
            f"   FROM {STAGE} s WHERE s.key IN ("
            f"     SELECT key FROM {STAGE} GROUP BY key HAVING COUNT(*) > 1)"
            f"   WINDOW w AS (PARTITION BY s.key ORDER BY s.row_no)) d"
            f" WHERE d.n > 1"
        )

    def _match_entities(self) -> None:
        self.matched = self._exec(
            f"UPDATE {STAGE} SET target_id = e.id, old_risk = e.risk_class"
            f" FROM {self.table} e WHERE e.uscc = {STAGE}.uscc"
        )
        if not self.with_reg_no:
            return
        # without a 统一社会信用代码 match, an entity known only by 注册号 is the same one
        by_reg_no = (
            f"SELECT reg_no, MIN(id) AS id, MIN(risk_class) AS risk_class, COUNT(*) AS n"
            f" FROM {self.table} WHERE uscc IS NULL AND reg_no <> '' GROUP BY reg_no"
        )
        self.matched += self._exec(
            f"UPDATE {STAGE} SET target_id = m.id, old_risk = m.risk_class"
            f" FROM ({by_reg_no}) m WHERE {STAGE}.target_id IS NULL"
            f" AND {STAGE}.reg_no <> '' AND {STAGE}.reg_no = m.reg_no AND m.n = 1"
        )
        self._exec(
            f"INSERT INTO {ISSUES} (row_no, col, value, reason, warning)"
            f" SELECT s.row_no, '注册号', s.reg_no,"
            f" '注册号对应名录库中多个没有统一社会信用代码的检查对象，无法确定更新哪一个', FALSE"
            f" FROM {STAGE} s JOIN ({by_reg_no}) m ON m.reg_no = s.reg_no"
            f" WHERE s.target_id IS NULL AND s.uscc IS NULL AND m.n > 1"
        )

    def _match_inspectors(self) -> None:
        self.matched = self._exec(
            f"UPDATE {STAGE} SET target_id = i.id, old_department_id = i.department_id,"
            f" old_expert_field = i.expert_field"
            f" FROM {self.table} i WHERE i.certificate_no = {STAGE}.key"
        )

    def _same_target(self) -> None:
        column, value = self._key("d")
        self._exec(
            f"INSERT INTO {ISSUES} (row_no, col, value, reason, warning)"
            f" SELECT d.row_no, {column}, {value},"
            f" '与第' || CAST(d.other AS text) || '行对应名录库中的同一条记录', FALSE"
            f" FROM (SELECT s.*, COUNT(*) OVER (PARTITION BY s.target_id) AS n,"
            f"   COUNT(*) OVER (PARTITION BY s.key) AS same_key,"
            f"   COALESCE(LAG(s.row_no) OVER w, LEAD(s.row_no) OVER w) AS other"
            f"   FROM {STAGE} s WHERE s.target_id IS NOT NULL"
            f"   WINDOW w AS (PARTITION BY s.target_id ORDER BY s.row_no)) d"
            f" WHERE d.n > 1 AND d.same_key = 1"
        )

    def _scope_list(self) -> tuple[str, list[int]]:
        ids = sorted(self.scope.department_ids or ()) or [0]
        return ", ".join("%s" for _ in ids), ids

    def _check_scope(self) -> None:
        marks, ids = self._scope_list()
        departments = Department._meta.db_table
        if self.entities:
            link = self.links[0]
            column, value = self._key("s")
            self._exec(
                f"INSERT INTO {ISSUES} (row_no, col, value, reason, warning)"
                f" SELECT s.row_no, {column}, {value},"
                f" '无权修改该检查对象：它不由您的部门（及下级部门）监管', FALSE"
                f" FROM {STAGE} s WHERE s.target_id IS NOT NULL AND NOT EXISTS ("
                f"   SELECT 1 FROM {link.table} t WHERE t.{link.owner} = s.target_id"
                f"   AND t.{link.other} IN ({marks}))",
                ids,
            )
            self._exec(
                f"INSERT INTO {ISSUES} (row_no, col, value, reason, warning)"
                f" SELECT l.row_no, '监管部门', d.name,"
                f" '无权为“' || d.name || '”导入：该部门不在您的部门范围内', FALSE"
                f" FROM {link.stage} l JOIN {STAGE} s ON s.row_no = l.row_no"
                f" JOIN {departments} d ON d.id = l.other_id"
                f" WHERE l.other_id NOT IN ({marks}) AND (s.target_id IS NULL OR NOT EXISTS ("
                f"   SELECT 1 FROM {link.table} t WHERE t.{link.owner} = s.target_id"
                f"   AND t.{link.other} = l.other_id))",
                ids,
            )
            return
        self._exec(
            f"INSERT INTO {ISSUES} (row_no, col, value, reason, warning)"
            f" SELECT s.row_no, '执法证号', s.key,"
            f" '该执法证号已登记在“' || d.name || '”，不在您的部门范围内，无权修改', FALSE"
            f" FROM {STAGE} s JOIN {departments} d ON d.id = s.old_department_id"
            f" WHERE s.target_id IS NOT NULL AND s.old_department_id NOT IN ({marks})",
            ids,
        )

    def _check_experts(self) -> None:
        if self.validator.present("expert_field"):
            return  # checked row by row
        self._exec(
            f"INSERT INTO {ISSUES} (row_no, col, value, reason, warning)"
            f" SELECT row_no, '专家', '是', '专家须填写专家领域：请在文件中增加“专家领域”列', FALSE"
            f" FROM {STAGE} WHERE is_expert AND (target_id IS NULL OR old_expert_field = '')"
        )

    def _detect_changes(self) -> None:
        if self.updatable:
            differs = " OR ".join(
                self.dialect.distinct(f"t.{name}", f"{STAGE}.{name}") for name in self.updatable
            )
            self._exec(
                f"UPDATE {STAGE} SET changed = TRUE FROM {self.table} t"
                f" WHERE t.id = {STAGE}.target_id AND NOT {STAGE}.rejected AND ({differs})"
            )
        for link in self.links:
            if link.name not in self.present_links:
                continue
            scoped, params = self._link_scope(link, "t")
            self._exec(
                f"UPDATE {STAGE} SET changed = TRUE"
                f" WHERE target_id IS NOT NULL AND NOT rejected AND NOT changed AND ("
                f"  EXISTS (SELECT 1 FROM {link.stage} l WHERE l.row_no = {STAGE}.row_no"
                f"    AND NOT EXISTS (SELECT 1 FROM {link.table} t"
                f"      WHERE t.{link.owner} = {STAGE}.target_id AND t.{link.other} = l.other_id))"
                f"  OR EXISTS (SELECT 1 FROM {link.table} t"
                f"    WHERE t.{link.owner} = {STAGE}.target_id{scoped}"
                f"    AND NOT EXISTS (SELECT 1 FROM {link.stage} l"
                f"      WHERE l.row_no = {STAGE}.row_no AND l.other_id = t.{link.other})))",
                params,
            )

    def _link_scope(self, link: _Link, alias: str) -> tuple[str, list[int]]:
        """Limit a link replacement to the departments in scope; the rest stay as they are."""
        if not link.scoped or self.scope.department_ids is None:
            return "", []
        marks, ids = self._scope_list()
        return f" AND {alias}.{link.other} IN ({marks})", ids

    def counts(self) -> Counts:
        if self.streamed:  # a first load: every row written is a new record
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {ISSUES} WHERE warning")
                warnings = int(cursor.fetchone()[0])
            return Counts(
                rows=0, created=self.written, updated=0, unchanged=0, rejected=0, warnings=warnings
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*),"
                f" SUM(CASE WHEN {_NEW} THEN 1 ELSE 0 END),"
                " SUM(CASE WHEN changed THEN 1 ELSE 0 END),"
                " SUM(CASE WHEN target_id IS NOT NULL AND NOT changed AND NOT rejected"
                "  THEN 1 ELSE 0 END)"
                f" FROM {STAGE}"
            )
            staged, created, updated, unchanged = cursor.fetchone()
            self.changed = updated or 0
            self.created = created or 0
            cursor.execute(
                f"SELECT COUNT(DISTINCT CASE WHEN NOT warning THEN row_no END),"
                f" SUM(CASE WHEN warning THEN 1 ELSE 0 END) FROM {ISSUES}"
            )
            rejected, warnings = cursor.fetchone()
        return Counts(
            rows=0,
            created=created or 0,
            updated=updated or 0,
            unchanged=unchanged or 0,
            rejected=rejected or 0,
            warnings=warnings or 0,
        )

    # --- phase 3: apply ---------------------------------------------------------------

    def apply(self, *, actor_id: int | None, now: dt.datetime) -> int:
        """Write the new and changed records; return how many risk-class changes were kept.

        A first load has written its records already, batch by batch."""
        if self.streamed:
            return self.risk_changes
        stamp = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            self._c = cursor
            bulk = _BulkWrites(self, cursor) if self.dialect.postgres else None
            if bulk is not None:
                bulk.begin(self.created, actor_id)
            # a bulk load holds its tables locked (it dropped their indexes): its new
            # records take one block of ids, in the order of the unique key
            order = ("uscc" if self.entities else "key") if bulk and bulk.indexes else ""
            self.dialect.assign_ids(self._exec, cursor, self.table, self.created, order)
            self._insert_new(stamp)
            risk_changes = self._risk_history(stamp, actor_id) if self.entities else 0
            if self.changed:
                self._update_changed(stamp)
            for link in self.links:
                self._apply_link(link)
            if bulk is not None:
                bulk.end()
        return risk_changes

    def write_batch(self, *, stamp: Any, actor_id: int | None, lock: Callable[[], None]) -> int:
        """A first load: write the staged batch as new records, keep its keys for the
        duplicate check at the end, and empty the staging tables for the next batch.

        ``lock()`` checks and locks what the batch refers to, before it is written.
        Returns how many records were written."""
        with connection.cursor() as cursor:
            self._c = cursor
            cursor.execute(f"SELECT COUNT(*) FROM {STAGE}")
            count = int(cursor.fetchone()[0])
            if not count:
                return 0
            lock()
            self._exec(f"DROP TABLE IF EXISTS {NEW}")
            self.dialect.assign_ids(self._exec, cursor, self.table, count, "uscc")
            self._insert_new(stamp)
            self.risk_changes += self._risk_history(stamp, actor_id)
            for link in self.links:
                self._apply_link(link)
            self._exec(f"INSERT INTO {KEYS} (row_no, key) SELECT row_no, key FROM {STAGE}")
            for table in [STAGE, *(link.stage for link in self.links)]:
                self._exec(f"TRUNCATE {table}")
        self.written += count
        return count

    def keep_keys(self) -> None:
        """A first load: the table of the codes written, for ``has_duplicate_keys``."""
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {KEYS}")
            cursor.execute(f"CREATE TEMPORARY TABLE {KEYS} (row_no integer NOT NULL, key text)")

    def has_duplicate_keys(self) -> bool:
        """A first load: whether two rows of the file had the same code."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {KEYS} GROUP BY key HAVING COUNT(*) > 1)")
            return bool(cursor.fetchone()[0])

    def _data_columns(self) -> list[str]:
        return [name for name, _ in self.columns if name not in ("row_no", "key")]

    def _insert_new(self, stamp: Any) -> None:
        columns = self._data_columns()
        defaults = self.validator.insert_defaults
        names = ", ".join(["id", *columns, *defaults, "created_at", "updated_at"])
        values = ", ".join(
            ["n.id", *(f"s.{c}" for c in columns), *("%s" for _ in defaults), "%s", "%s"]
        )
        self._exec(
            f"INSERT INTO {self.table} ({names})"
            f" SELECT {values} FROM {NEW} n JOIN {STAGE} s ON s.row_no = n.row_no",
            [*defaults.values(), stamp, stamp],
        )

    def _risk_history(self, stamp: Any, actor_id: int | None) -> int:
        history = EntityRiskHistory._meta.db_table
        insert = (
            f"INSERT INTO {history} (entity_id, old_class, new_class, source, as_of,"
            f" changed_at, changed_by_id)"
        )
        self._exec(
            f"{insert} SELECT n.id, '', s.risk_class, s.risk_source, s.risk_as_of, %s, %s"
            f" FROM {NEW} n JOIN {STAGE} s ON s.row_no = n.row_no WHERE s.risk_class <> ''",
            [stamp, actor_id],
        )
        count = max(self._c.rowcount, 0)
        if self.changed and "risk_class" in self.updatable:
            self._exec(
                f"{insert} SELECT target_id, COALESCE(old_risk, ''), risk_class, risk_source,"
                f" risk_as_of, %s, %s FROM {STAGE}"
                f" WHERE changed AND COALESCE(old_risk, '') <> risk_class ORDER BY row_no",
                [stamp, actor_id],
            )
            count += max(self._c.rowcount, 0)
        return count

    def _update_changed(self, stamp: Any) -> None:
        sets = ", ".join([*(f"{name} = s.{name}" for name in self.updatable), "updated_at = %s"])
        self._exec(
            f"UPDATE {self.table} SET {sets} FROM {STAGE} s"
            f" WHERE {self.table}.id = s.target_id AND s.changed",
            [stamp],
        )

    def _apply_link(self, link: _Link) -> None:
        # new records: their ids are new, so every pair is new too
        self._exec(
            f"INSERT INTO {link.table} ({link.owner}, {link.other})"
            f" SELECT n.id, l.other_id FROM {link.stage} l JOIN {NEW} n ON n.row_no = l.row_no"
            " ORDER BY n.id, l.other_id"
        )
        if link.name not in self.present_links or not self.changed:
            return
        scoped, params = self._link_scope(link, link.table)
        self._exec(
            f"DELETE FROM {link.table} WHERE {link.owner} IN"
            f" (SELECT target_id FROM {STAGE} WHERE changed){scoped}"
            f" AND NOT EXISTS (SELECT 1 FROM {STAGE} s JOIN {link.stage} l"
            f"   ON l.row_no = s.row_no WHERE s.target_id = {link.table}.{link.owner}"
            f"   AND l.other_id = {link.table}.{link.other})",
            params,
        )
        self._exec(
            f"INSERT INTO {link.table} ({link.owner}, {link.other})"
            f" SELECT s.target_id, l.other_id FROM {link.stage} l"
            f" JOIN {STAGE} s ON s.row_no = l.row_no WHERE s.changed"
            f" AND NOT EXISTS (SELECT 1 FROM {link.table} t"
            f"   WHERE t.{link.owner} = s.target_id AND t.{link.other} = l.other_id)"
            f" ORDER BY l.row_no"
        )

    def written_tables(self) -> list[str]:
        tables = [self.table, *(link.table for link in self.links)]
        if self.entities:
            tables.append(EntityRiskHistory._meta.db_table)
        return tables

    def references(self) -> list[tuple[str, str]]:
        """(SQL of the distinct ids the written rows refer to, the table they must exist in)."""
        written = "NOT s.rejected AND (s.target_id IS NULL OR s.changed)"
        field_name = "region" if self.entities else "department"
        column = f"{field_name}_id"
        target = self.model._meta.get_field(field_name).related_model._meta.db_table
        found = [
            (
                f"SELECT DISTINCT s.{column} FROM {STAGE} s WHERE {written}"
                f" AND s.{column} IS NOT NULL",
                target,
            )
        ]
        for link in self.links:
            other = self.model._meta.get_field(link.field).related_model._meta.db_table
            found.append(
                (
                    f"SELECT DISTINCT l.other_id FROM {link.stage} l"
                    f" JOIN {STAGE} s ON s.row_no = l.row_no WHERE {written}",
                    other,
                )
            )
        return found

    # --- report -----------------------------------------------------------------------

    def issues(self) -> Iterator[Issue]:
        """Yield every issue in row order, errors before warnings of the same row."""
        sql = f"SELECT row_no, col, value, reason, warning FROM {ISSUES} ORDER BY row_no, warning"
        for row_no, column, value, reason, warning in self.dialect.iterate(sql):
            yield Issue(row_no, column, value, reason, bool(warning))


_ISSUE_COLUMNS = [
    ("row_no", "int"),
    ("col", "text"),
    ("value", "text"),
    ("reason", "text"),
    ("warning", "bool"),
]
_LINK_COLUMNS = [("row_no", "int"), ("other_id", "bigint")]


# A write of at least this many new records, and at least as many as the table already
# holds, is a bulk load: secondary indexes are dropped and rebuilt (see below).
BULK_MIN_ROWS = 100_000


class FirstLoad:
    """PostgreSQL only: a big file into an empty directory, written while it is read.

    The usual way stages the whole file, checks it in SQL and then writes it, so the
    writing (one core, in the one PostgreSQL backend) starts only once the last row is
    read. Into an empty directory nothing can match, change or be out of scope, so each
    batch of checked rows is written as soon as it is staged, inside the one transaction,
    while the worker processes check the next pieces on the other cores. What the
    usual checks would refuse makes this way give up instead: a row with an error (the
    caller stops at once) or a code seen twice (the unique index while a batch is written,
    ``Staging.has_duplicate_keys`` at the end). The caller
    then rolls the transaction back and imports the file the usual way, which reports
    the rows; nothing of the attempt remains. See docs/performance.md.
    """

    BATCH_ROWS = 25_000
    # pieces of about 1 MiB (3,000–4,000 rows) checked ahead a worker process: the
    # workers go on while a batch is written
    AHEAD = 10

    def __init__(self, staging: Staging, *, actor_id: int | None, now: dt.datetime) -> None:
        self.staging = staging
        self.actor_id = actor_id
        self.stamp = connection.ops.adapt_datetimefield_value(now)
        self._cursor = connection.cursor()
        self.bulk = _BulkWrites(staging, self._cursor)

    def begin(self) -> bool:
        """Inside the transaction: lock, check that the directory is empty, drop indexes."""
        self.staging._c = self._cursor
        if not self.bulk.begin_first_load():
            return False
        self.staging.keep_keys()
        self.staging.streamed = True
        return True

    def write(self) -> None:
        """Write the batch staged since the last call."""
        self.staging.write_batch(
            stamp=self.stamp,
            actor_id=self.actor_id,
            lock=lambda: self.bulk.lock_references(self.actor_id),
        )

    def finish(self) -> None:
        """Build the dropped indexes again; the caller then commits."""
        self.staging._c = self._cursor
        self.bulk.end()

    def close(self) -> None:
        self._cursor.close()


class _BulkWrites:
    """PostgreSQL only: make a big apply cheap without weakening what it guarantees.

    Foreign keys. Django declares them DEFERRABLE INITIALLY DEFERRED, so PostgreSQL
    queues one trigger per written row and checks each at COMMIT (about 3 µs a row, for
    several rows per record). Instead the ids the written rows refer to are checked
    once, set-based, and locked FOR KEY SHARE exactly as those triggers would; the
    triggers are then switched off for this transaction only
    (``SET LOCAL session_replication_role = replica``). That setting needs a superuser
    and would also silence ordinary triggers, so it is used only when the database
    role is a superuser and none of the written tables has a trigger of its own;
    otherwise the deferred checks run as usual.

    Indexes. When the new records are at least ``BULK_MIN_ROWS`` and at least as many
    as the table holds (a first load of a province), the non-unique indexes of the
    written tables are dropped and built again after the writes: a sorted build is
    several times cheaper than a million random insertions. Primary keys and unique
    constraints stay. Dropping an index locks its table against readers until the
    import commits, which is why this happens only for such loads. The rule and the
    figures are in docs/performance.md, "Directory import".
    """

    def __init__(self, staging: Staging, cursor: Any) -> None:
        self.staging = staging
        self.cursor = cursor
        self.tables = staging.written_tables()
        self.indexes: list[str] = []
        self.triggers_off = False

    def _set_memory(self) -> None:
        """Room for the groupings and joins, and for the index builds, in this transaction."""
        self.staging._exec("SET LOCAL work_mem = '256MB'")
        self.staging._exec("SET LOCAL maintenance_work_mem = '512MB'")

    def begin(self, new_rows: int, actor_id: int | None) -> None:
        run = self.staging._exec
        self._set_memory()
        if new_rows >= BULK_MIN_ROWS and new_rows >= self._existing_rows():
            self._drop_indexes()
        if self._may_switch_off_triggers():
            # (a superuser setting: full-page images after a checkpoint are compressed)
            run("SET LOCAL wal_compression = on")
            self._check_and_lock_references(actor_id)
            run("SET LOCAL session_replication_role = replica")
            self.triggers_off = True

    def end(self) -> None:
        run = self.staging._exec
        if self.triggers_off:
            run("SET LOCAL session_replication_role = origin")
        if self.indexes:
            # CREATE INDEX refuses a table with foreign-key checks still queued (when the
            # triggers ran, or from earlier in an enclosing transaction): run them now
            run("SET CONSTRAINTS ALL IMMEDIATE")
            run("SET CONSTRAINTS ALL DEFERRED")
        for statement in self.indexes:
            run(statement)
        if self.indexes:
            # the planner should know the table grew manyfold before the next import
            run(f"ANALYZE {self.staging.table}")

    def begin_first_load(self) -> bool:
        """Lock the written tables and drop their secondary indexes for a first load;
        False (nothing dropped) when the directory is not empty after all."""
        run = self.staging._exec
        self._set_memory()
        # another import waits here until this one commits, then finds the table filled
        run(f"LOCK TABLE {', '.join(self.tables)} IN SHARE ROW EXCLUSIVE MODE")
        self.cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {self.staging.table})")
        if self.cursor.fetchone()[0]:
            return False
        self._drop_indexes()
        if self._may_switch_off_triggers():
            # the references of each batch are checked and locked before it is written
            run("SET LOCAL wal_compression = on")
            run("SET LOCAL session_replication_role = replica")
            self.triggers_off = True
        return True

    def lock_references(self, actor_id: int | None) -> None:
        """Before a batch of a first load is written: what it refers to exists, and stays."""
        if self.triggers_off:
            self._check_and_lock_references(actor_id)

    def _existing_rows(self) -> int:
        self.cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [self.staging.table]
        )
        estimate = int(self.cursor.fetchone()[0])
        if estimate < 0:  # never analysed
            self.cursor.execute(f"SELECT COUNT(*) FROM {self.staging.table}")
            estimate = int(self.cursor.fetchone()[0])
        return estimate

    def _drop_indexes(self) -> None:
        self.cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)"
            " FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[])"
            " AND NOT i.indisprimary AND NOT i.indisunique"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
            " ORDER BY 1",
            [self.tables],
        )
        found = self.cursor.fetchall()
        for name, definition in found:
            self.staging._exec(f"DROP INDEX {name}")
            self.indexes.append(definition)

    def _may_switch_off_triggers(self) -> bool:
        self.cursor.execute(
            "SELECT current_setting('is_superuser') = 'on', (SELECT COUNT(*) FROM pg_trigger"
            " WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal)",
            [self.tables],
        )
        superuser, own_triggers = self.cursor.fetchone()
        return bool(superuser) and not own_triggers

    def _check_and_lock_references(self, actor_id: int | None) -> None:
        staging = self.staging
        checks = [*staging.references()]
        if actor_id is not None and staging.entities:
            checks.append((f"SELECT {int(actor_id)}", User._meta.db_table))
        if staging.changed:
            # existing records that change: the new rows for them must find them
            checks.append((f"SELECT target_id FROM {STAGE} WHERE changed", staging.table))
        for ids_sql, table in checks:
            self.cursor.execute(
                f"WITH wanted AS ({ids_sql}),"
                f" locked AS (SELECT id FROM {table} WHERE id IN (SELECT * FROM wanted)"
                f"   FOR KEY SHARE)"
                f" SELECT (SELECT COUNT(*) FROM wanted), (SELECT COUNT(*) FROM locked)"
            )
            wanted, locked = self.cursor.fetchone()
            if wanted != locked:
                raise UnreadableFile(
                    "导入期间有行政区划、部门、标签或检查对象被删除，未导入任何数据，请重新导入"
                )
