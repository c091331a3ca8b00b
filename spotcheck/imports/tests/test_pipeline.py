"""The fast path and the piece pipeline give exactly what the row-by-row checks give."""

from __future__ import annotations

import datetime as dt
import io
import signal
import threading
from typing import Any

import pytest
from django.db import connection

from spotcheck.directory.models import Entity
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.imports import engine, pipeline
from spotcheck.imports import staging as staging_module
from spotcheck.imports.columns import columns_for, header_key
from spotcheck.imports.readers import RawRow, UnreadableFile, open_table
from spotcheck.imports.staging import Staging
from spotcheck.imports.tests.helpers import ENTITY_HEADER, csv_bytes, entity_row, run
from spotcheck.imports.validation import EntityValidator, Scope
from spotcheck.testing.personas import Catalogue, Departments

TODAY = dt.date(2026, 3, 1)

# rows the fast path takes, rows it leaves to the full checks, and rows that are wrong
VARIANTS: list[dict[str, str]] = [
    {},
    {"分类标签": "食品生产企业；保安服务公司"},
    {"分类标签": "保安服务公司；保安服务公司"},
    {"监管部门": "晋州市市场监督管理局；晋州市公安局"},
    {"监管部门": "晋州市市场监督管理局；；"},
    {"监管部门": ""},
    {"监管部门": "；"},
    {"信用风险分类": ""},
    {"信用风险分类": "", "分类来源": "", "分类日期": ""},
    {"信用风险分类": "b"},
    {"信用风险分类": "B类"},
    {"信用风险分类": "E"},
    {"分类来源": ""},
    {"分类日期": "2025/1/10"},
    {"分类日期": ""},
    {"成立日期": ""},
    {"成立日期": "2019年3月15日"},
    {"成立日期": "2027-01-01"},
    {"成立日期": "2019-02-30"},
    {"统一社会信用代码": make_uscc(9).lower()},
    {"统一社会信用代码": " " + make_uscc(9) + " "},
    {"统一社会信用代码": make_uscc(9)[:17] + "0"},
    {"统一社会信用代码": "", "注册号": "130183000012345"},
    {"统一社会信用代码": "", "注册号": "13018300001234"},
    {"统一社会信用代码": "", "注册号": ""},
    {"统一社会信用代码": "９１" + make_uscc(9)[2:]},
    {"行政区划代码": "999999"},
    {"行政区划代码": " 130183"},
    {"国民经济行业代码": ""},
    {"国民经济行业代码": "c1391"},
    {"国民经济行业代码": "C13911"},
    {"名称": ""},
    {"名称": "名" * 201},
    {"名称": "'=SUM(A1)"},
    {"名称": "O'Brien 贸易"},
    {"名称": "含\t制表符"},
    {"住所": "第一行\n第二行"},
    {"住所": "反斜杠\\路"},
    {"主体类型": "个体工商户"},
    {"主体类型": "公司"},
    {"登记状态": ""},
    {"登记状态": "吊销"},
    {"登记状态": "在业"},
    {"经营异常名录": "是"},
    {"经营异常名录": "Y"},
    {"经营异常名录": "也许"},
    {"严重违法失信名单": ""},
    {"分类标签": "没有这个标签"},
    {"监管部门": "不存在的部门"},
    {"注册资本（万元）": "100.5"},
    {"注册资本（万元）": "1,000"},
    {"注册资本（万元）": "abc"},
]


def _validator(header: list[str], scope: Scope | None = None) -> EntityValidator:
    return EntityValidator(header, scope or Scope(), TODAY)


def _slow_line(validator: EntityValidator, raw: RawRow) -> tuple[str, dict[str, str]] | None:
    result = validator.validate(raw)
    if result is None or result.values is None or result.issues:
        return None
    piece = pipeline.Piece(links={name: [] for name in validator.link_names})
    encode = pipeline._encoder([kind for _, kind in validator.stage_columns])
    piece.stage.append(encode(result.values, True))
    row_no = result.values[0]
    links = {name: "".join(f"{row_no}\t{pk}\n" for pk in ids) for name, ids in result.links.items()}
    return piece.stage[0], links


@pytest.mark.parametrize("default", [None, "market"])
def test_the_fast_path_accepts_only_what_the_full_checks_accept_and_writes_the_same(
    catalogue: Catalogue, departments: Departments, default: str | None
) -> None:
    # given
    header = [*ENTITY_HEADER, "注册资本（万元）"]
    scope = Scope(default_department_id=departments.market.pk) if default else Scope()
    validator = _validator(header, scope)
    rows = [entity_row(n, **variant) for n, variant in enumerate(VARIANTS, start=1)]

    # when
    taken = 0
    for n, row in enumerate(rows, start=2):
        raw = RawRow(n, [row.get(h, "") for h in header])
        fast = validator.fast_line(raw)

        # then
        if fast is not None:
            taken += 1
            assert fast == _slow_line(validator, raw), row
    assert taken >= 10  # the plain rows do take the fast path


def _table(data: bytes) -> Any:
    known = {header_key(c.header) for c in columns_for("entities")}
    return open_table(io.BytesIO(data), "名录.csv", known_headers=known)


def _tricky_file() -> bytes:
    rows = [entity_row(n) for n in range(1, 40)]
    rows[3]["住所"] = '河北省"晋州市",导入路\n2号'
    rows[7]["名称"] = '晋州市"引号"有限公司'
    rows[8]["名称"] = "晋州市导入测试009有限公司"
    rows[11]["监管部门"] = "不存在的部门"
    rows[20]["住所"] = "第一行\r\n第二行\n第三行"
    rows[30] = {h: "" for h in ENTITY_HEADER}
    return csv_bytes(rows, header=ENTITY_HEADER)


@pytest.mark.parametrize("workers", [1, 2])
def test_pieces_of_a_file_cut_anywhere_number_and_check_rows_like_one_pass(
    catalogue: Catalogue, departments: Departments, monkeypatch: Any, workers: int
) -> None:
    # given: pieces of about 300 bytes, cells with quotes, commas and line breaks
    data = _tricky_file()
    validator = _validator(ENTITY_HEADER)
    whole = pipeline.check_rows(validator, _table(data).rows)
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 300)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    table = _table(data)

    # when
    pieces = list(pipeline.pieces(table.csv_source, validator, size=len(data), workers=workers))

    # then
    assert len(pieces) > 5
    assert sum(p.rows for p in pieces) == whole.rows == 38
    assert "".join(line for p in pieces for line in p.stage) == "".join(whole.stage)
    assert [issue for p in pieces for issue in p.issues] == whole.issues
    assert [issue[0] for issue in whole.issues] == [13]
    for name in validator.link_names:
        assert "".join(t for p in pieces for t in p.links[name]) == "".join(whole.links[name])
    # the cell with a line break is one row, escaped for COPY
    assert any('河北省"晋州市",导入路\\n2号' in line for line in whole.stage)


def test_a_quote_left_open_reads_as_in_one_pass(
    catalogue: Catalogue, departments: Departments, monkeypatch: Any
) -> None:
    # given: row 4 opens a quoted cell that never closes, so it runs to the end
    good = csv_bytes([entity_row(1), entity_row(2)], header=ENTITY_HEADER)
    data = good + b'"91130183MA0,\xe6\x99\x8b\n' + good.split(b"\n", 1)[1] * 3
    validator = _validator(ENTITY_HEADER)
    whole = pipeline.check_rows(validator, _table(data).rows)
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 64)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    table = _table(data)

    # when
    pieces = list(pipeline.pieces(table.csv_source, validator, size=len(data)))

    # then
    assert sum(p.rows for p in pieces) == whole.rows == 3
    assert [issue for p in pieces for issue in p.issues] == whole.issues
    assert {issue[0] for issue in whole.issues} == {4}


def test_bytes_that_are_not_the_detected_encoding_are_refused_with_their_row(
    catalogue: Catalogue, departments: Departments, monkeypatch: Any
) -> None:
    # given: GB18030 bytes pasted into row 30 of a UTF-8 file
    rows = [entity_row(n) for n in range(1, 40)]
    data = csv_bytes(rows, header=ENTITY_HEADER)
    lines = data.split(b"\n")
    lines[29] = lines[29].replace("导入测试".encode(), "导入测试".encode("gb18030"))
    data = b"\n".join(lines)
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 300)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    table = _table(data)

    # when
    with pytest.raises(UnreadableFile) as refused:
        list(pipeline.pieces(table.csv_source, _validator(ENTITY_HEADER), size=len(data)))

    # then
    assert refused.value.message.startswith("第30行附近的内容不是 UTF-8")


def test_a_big_file_imported_through_worker_processes_is_applied_exactly_once(
    catalogue: Catalogue, departments: Departments, monkeypatch: Any
) -> None:
    # given
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 300)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    rows = [entity_row(n, 分类标签="食品生产企业") for n in range(1, 60)]
    data = csv_bytes(rows, header=ENTITY_HEADER)

    # when
    report, errors = run("entities", data)
    again, _ = run("entities", data)

    # then
    assert (report.rows, report.created, report.rejected, errors) == (59, 59, 0, [])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 59)
    assert Entity.objects.filter(uscc=make_uscc(5059), tags__name="食品生产企业").count() == 1
    assert Entity.objects.count() == 59 + 4  # and the catalogue's four


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pieces are a PostgreSQL path")
def test_checked_pieces_are_written_as_they_come_not_kept_to_the_end(
    catalogue: Catalogue, departments: Departments, monkeypatch: Any
) -> None:
    # given: pieces of about 6 rows each, written every 10 rows
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 2000)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(engine, "BATCH_ROWS", 10)
    flushes: list[int] = []
    real_flush = Staging.flush

    def counting_flush(self: Staging) -> None:
        flushes.append(self.pending())
        real_flush(self)

    monkeypatch.setattr(Staging, "flush", counting_flush)
    data = csv_bytes([entity_row(n) for n in range(1, 60)], header=ENTITY_HEADER)

    # when
    report, errors = run("entities", data)

    # then: never more than a batch and a piece waits in memory
    assert (report.created, errors) == (59, [])
    assert len(flushes) >= 4
    assert max(flushes) < 10 + 8


def _indexes(tables: list[str]) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = ANY(%s::regclass[]) ORDER BY 1",
            [tables],
        )
        return list(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="bulk loads are PostgreSQL only")
@pytest.mark.parametrize("superuser", [True, False])
def test_a_bulk_load_rebuilds_every_index_it_dropped_and_keeps_the_links(
    catalogue: Catalogue, departments: Departments, monkeypatch: Any, superuser: bool
) -> None:
    # given: a load that counts as bulk (more new rows than the table holds), by a
    # database role that may, or may not, switch the foreign-key triggers off
    monkeypatch.setattr(staging_module, "BULK_MIN_ROWS", 5)
    # (the table's row estimate outlives rolled-back tests: take it as empty)
    monkeypatch.setattr(staging_module._BulkWrites, "_existing_rows", lambda self: 0)
    if not superuser:
        monkeypatch.setattr(
            staging_module._BulkWrites, "_may_switch_off_triggers", lambda self: False
        )
    tables = ["directory_entity", "directory_entity_tags", "directory_entityriskhistory"]
    tables.append("directory_entity_supervising_departments")
    before = _indexes(tables)
    # (in descending code order: the new ids follow the codes, not the file)
    rows = [entity_row(n, 分类标签="食品生产企业") for n in range(20, 0, -1)]
    statements: list[str] = []
    monkeypatch.setattr(
        staging_module.logger, "debug", lambda message, s, sql: statements.append(sql)
    )

    # when
    report, errors = run("entities", csv_bytes(rows, header=ENTITY_HEADER))

    # then
    assert (report.created, errors) == (20, [])
    assert any(sql.startswith("DROP INDEX directory_entity_name") for sql in statements)
    assert ("SET LOCAL session_replication_role = replica" in statements) is superuser
    assert _indexes(tables) == before
    entity = Entity.objects.get(uscc=make_uscc(5020))
    assert [t.name for t in entity.tags.all()] == ["食品生产企业"]
    assert [d.name for d in entity.supervising_departments.all()] == ["晋州市市场监督管理局"]
    assert entity.risk_history.count() == 1
    # the new ids were taken as one block, in code order, and the sequence moved past it
    loaded = list(Entity.objects.filter(name__contains="导入测试").order_by("uscc"))
    ids = [e.pk for e in loaded]
    assert ids == list(range(ids[0], ids[0] + 20))
    later = Entity.objects.create(
        uscc=make_uscc(9999), name="之后新增的对象", region=entity.region, entity_type="enterprise"
    )
    assert later.pk > ids[-1]


def test_a_refused_file_ends_its_worker_processes_inside_a_task_worker_that_is_busy(
    catalogue: Catalogue, departments: Departments, monkeypatch: Any
) -> None:
    # given: the SIGTERM handler of the database task worker while it runs a task (it
    # waits for the task to end), and a file whose row 30 is not UTF-8, so the checks stop
    # with pieces still queued and the pool ends its children early
    from django_tasks_db.management.commands.db_worker import Worker

    task_worker = Worker(
        queue_names=["default"],
        interval=1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    task_worker.running_task = True
    rows = [entity_row(n) for n in range(1, 400)]
    lines = csv_bytes(rows, header=ENTITY_HEADER).split(b"\n")
    lines[29] = lines[29].replace("导入测试".encode(), "导入测试".encode("gb18030"))
    data = b"\n".join(lines)
    monkeypatch.setattr(pipeline, "CHUNK_BYTES", 300)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    table = _table(data)
    validator = _validator(ENTITY_HEADER)
    outcome: list[BaseException | None] = []

    def check() -> None:
        try:
            list(pipeline.pieces(table.csv_source, validator, size=len(data), workers=2))
            outcome.append(None)
        except BaseException as exc:  # reported below
            outcome.append(exc)

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    task_worker.configure_signals()
    try:
        # when
        thread = threading.Thread(target=check, daemon=True)
        thread.start()
        thread.join(60)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)

    # then: refused with its row, not left waiting for children that ignored SIGTERM
    assert not thread.is_alive(), "the pool's children outlived the refusal"
    assert len(outcome) == 1
    assert isinstance(outcome[0], UnreadableFile)
    assert outcome[0].message.startswith("第30行附近的内容不是 UTF-8")
