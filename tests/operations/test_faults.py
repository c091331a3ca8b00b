"""PostgreSQL goes away in the middle of the work: a clear error, nothing lost, then recovery.

The machine's PostgreSQL is shared, so it is never stopped: the platform talks to it through
a small TCP proxy started here, and the test cuts the proxy (dropping every open connection
and refusing new ones) while a submission is on its way, then restores it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from spotcheck.accounts.models import User
from spotcheck.api.services import api_token_issue
from spotcheck.audit.chain import first_break
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Entity
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.testing.personas import make_departments, make_regions, make_user
from tests.operations.proxy import CuttableProxy

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server_through_proxy() -> Iterator[tuple[str, CuttableProxy]]:
    if connection.vendor != "postgresql":  # before the server: it would wait a minute for nothing
        pytest.skip("the outage is simulated in front of PostgreSQL")
    settings = connection.settings_dict
    proxy = CuttableProxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"postgres://{settings['USER']}@127.0.0.1:{proxy.port}/{settings['NAME']}",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(  # noqa: S603 -- our own interpreter and manage.py
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/api/v1/schema/", timeout=2)  # noqa: S310
            break
        except OSError:
            time.sleep(0.5)
    try:
        yield base, proxy
    finally:
        server.terminate()
        server.wait(timeout=20)
        proxy.close()


def _post(base: str, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 -- the local test server
        f"{base}/api/v1/entities/sync/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _row(n: int, department: int) -> dict[str, Any]:
    return {
        "uscc": make_uscc(800 + n),
        "name": f"晋州市断线测试{n}号有限公司",
        "entity_type": "enterprise",
        "legal_rep_name": "钱七",
        "address": "晋州市测试路1号",
        "region": "130183",
        "reg_authority_name": "晋州市市场监督管理局",
        "supervising_departments": [department],
    }


@pytest.mark.django_db(transaction=True)
def test_a_submission_while_postgresql_is_away_is_refused_cleanly_and_succeeds_later(
    server_through_proxy: tuple[str, CuttableProxy],
) -> None:
    # given: a department admin's system, and one submission that went through
    base, proxy = server_through_proxy
    departments = make_departments(make_regions())
    admin: User = make_user("dept_admin", departments)
    _token, key = api_token_issue(actor=None, user=admin, name="断线测试")
    market = departments.market.pk
    first = _post(base, key, {"entities": [_row(1, market)]})

    # when: the database goes away, a submission arrives; then it comes back
    proxy.cut()
    during = _post(base, key, {"entities": [_row(2, market), _row(3, market)]})
    proxy.restore()
    after = _post(base, key, {"entities": [_row(2, market), _row(3, market)]})

    # then
    assert (first[0], first[1]["created"]) == (200, 1)
    assert during == (
        503,
        {"detail": "数据库暂时不可用，本次请求未生效（未保存任何内容），请稍后重试。"},
    )
    assert (after[0], after[1]["created"], after[1]["refused"]) == (200, 2, 0)
    names = sorted(
        Entity.objects.filter(name__startswith="晋州市断线测试").values_list("name", flat=True)
    )
    assert names == [
        "晋州市断线测试1号有限公司",
        "晋州市断线测试2号有限公司",
        "晋州市断线测试3号有限公司",
    ]
    entries = ((e.pk, e.chain_entry(), e.entry_hash) for e in AuditEvent.objects.order_by("seq"))
    assert first_break(entries) is None
