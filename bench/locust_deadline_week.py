"""Locust scenario: a county's last week before a deadline, against the demo scenario.

Run it with ``bench/load_week.sh`` (which prepares the database, the server and the plan
file); by hand:

    LOCUST_PLAN=var/load/plan.json locust -f bench/locust_deadline_week.py \
        --host http://127.0.0.1:8077 --headless -u 850 -r 5 -t 5m --reset-stats

Users (weights as in issue 10: 300 inspectors, 50 admins, 500 public visitors):

* ``Inspector`` — signs in once (one of the three demo inspectors, whose group holds the
  practice task's records), takes a record of their own, and works it on the phone
  pages: 现场检查 list, the record's overview and entry page, and **submits** the
  entries of their department's item (the JSON the phone sends, with a new submission
  id each time: a real, audited write through ``record_entries_save``). The submission
  is the request whose p95 is the goal;
* ``DepartmentAdmin`` — signs in, works the task board, task pages, drawn objects, the
  review queue and the entity list with filters, and syncs a directory change through
  the integration API (an audited write, with the token from ``LOCUST_API_KEY``);
* ``PublicVisitor`` — the portal: home, the notices with filters, a task's public page,
  the results and the public API.

Think times are those of people at work, not of a script: an inspector acts every
10–40 s (reading the record, typing a finding: about one submission a minute, far more
than a real inspector makes), an admin every 10–30 s, a visitor reads a page for 10–40 s.
All locust users come from one address, so the server runs with ``PUBLIC_RATE_LIMIT``
raised (``load_week.sh`` does it), or the portal answers 429.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import uuid
from typing import Any

from locust import FastHttpUser, between, task

PASSWORD = os.environ.get("LOCUST_PASSWORD", "spotcheck-demo-2026")
ADMINS = ("scj_admin", "gaj_admin", "lead")
API_KEY = os.environ.get("LOCUST_API_KEY", "")
PLAN: dict[str, Any] = (
    json.loads(open(os.environ["LOCUST_PLAN"], encoding="utf-8").read())  # noqa: SIM115
    if os.environ.get("LOCUST_PLAN")
    else {"records": [], "no_problem": "1"}
)
_next_record = itertools.count()
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(user: FastHttpUser, username: str) -> None:
    page = user.client.get("/accounts/login/", name="登录页")
    token = _CSRF.search(page.text or "")
    user.client.post(
        "/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        headers={"Referer": f"{user.host}/accounts/login/"},
        name="登录",
    )


def csrf_token(user: FastHttpUser) -> str:
    jar = user.client.cookiejar
    for cookie in jar:
        if cookie.name.endswith("csrftoken"):
            return str(cookie.value)
    return ""


class Inspector(FastHttpUser):
    weight = 300
    wait_time = between(10, 40)

    def on_start(self) -> None:
        self.record: dict[str, Any] | None = None
        if PLAN["records"]:
            self.record = PLAN["records"][next(_next_record) % len(PLAN["records"])]
            sign_in(self, self.record["login"])

    @task(2)
    def field_list(self) -> None:
        self.client.get("/field/", name="现场检查列表")

    @task(2)
    def open_record(self) -> None:
        if self.record:
            pk = self.record["pk"]
            self.client.get(f"/field/records/{pk}/", name="记录表概览")
            self.client.get(f"/field/records/{pk}/fill/", name="记录表录入页")

    @task(3)
    def submit(self) -> None:
        if not self.record:
            return
        pk = self.record["pk"]
        now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
        body = {
            "submission_id": str(uuid.uuid4()),
            "items": [
                {
                    "id": self.record["item"],
                    "codes": [PLAN["no_problem"]],
                    "findings": f"现场核查经营场所、台账，未发现问题（{now:%H:%M:%S}）",
                    "notes": "",
                }
            ],
            "started_at": (now - dt.timedelta(minutes=20)).isoformat(),
            "ended_at": now.isoformat(),
        }
        with self.client.post(
            f"/field/records/{pk}/sync/",
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": csrf_token(self),
                "Referer": f"{self.host}/field/records/{pk}/fill/",
            },
            name="提交检查结果（记录表）",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or not (response.json() or {}).get("ok"):
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")

    @task(1)
    def todo(self) -> None:
        self.client.get("/deadlines/", name="我的待办")


class DepartmentAdmin(FastHttpUser):
    weight = 50
    wait_time = between(10, 30)

    def on_start(self) -> None:
        sign_in(self, random.choice(ADMINS))  # noqa: S311 - load, not secrets
        self.entities: list[str] = []
        if API_KEY:
            listing = self.client.get(
                "/api/v1/entities/",
                headers={"Authorization": f"Token {API_KEY}"},
                name="api: entities",
            )
            if listing.status_code == 200:
                self.entities = [e["uscc"] for e in listing.json()["results"] if e["uscc"]]

    @task(3)
    def task_board(self) -> None:
        board = self.client.get("/tasks/", name="抽查任务")
        ids = re.findall(r'href="/tasks/(\d+)/"', board.text or "")
        if ids:
            pk = random.choice(ids)  # noqa: S311
            self.client.get(f"/tasks/{pk}/", name="任务详情")
            self.client.get(f"/tasks/{pk}/objects/", name="抽取名单")

    @task(2)
    def inbox(self) -> None:
        self.client.get("/inbox/", name="部门待办")

    @task(2)
    def entity_filter(self) -> None:
        risk = random.choice("ABCD")  # noqa: S311
        self.client.get(f"/directory/entities/?risk_class={risk}", name="检查对象名录库（筛选）")

    @task(1)
    def sync(self) -> None:
        if not self.entities:
            return
        row = {
            "uscc": random.choice(self.entities),  # noqa: S311
            "liaison_phone": f"0311-8{random.randint(1000000, 9999999)}",  # noqa: S311
        }
        self.client.post(
            "/api/v1/entities/sync/",
            data=json.dumps({"entities": [row]}),
            headers={"Authorization": f"Token {API_KEY}", "Content-Type": "application/json"},
            name="api: 名录更新（经审计）",
        )


class PublicVisitor(FastHttpUser):
    weight = 500
    wait_time = between(10, 40)

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="公示首页")

    @task(2)
    def notices(self) -> None:
        self.client.get("/public/items/", name="抽查事项清单公示")
        tasks = self.client.get("/public/tasks/", name="抽查任务公告")
        ids = re.findall(r'href="/public/tasks/(\d+)/"', tasks.text or "")
        if ids:
            self.client.get(f"/public/tasks/{random.choice(ids)}/", name="任务公示页")  # noqa: S311

    @task(1)
    def plans(self) -> None:
        self.client.get("/public/plans/", name="抽查计划公告")

    @task(2)
    def results(self) -> None:
        self.client.get("/public/results/", name="抽查结果公告")

    @task(1)
    def public_api(self) -> None:
        self.client.get("/api/v1/public/tasks/", name="api: 公示任务")
