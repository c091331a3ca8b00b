"""Locust scenario: a county's last week before a deadline, against the demo scenario.

    locust -f bench/locust_deadline_week.py --host http://127.0.0.1:8000 \
        --headless -u 850 -r 20 -t 5m --csv var/locust/deadline_week

Users (weights as in issue 10: 300 inspectors, 50 admins, 500 public visitors):

* ``Inspector`` — signs in (demo inspector logins, shared), opens 工作台, 我的待办, the
  directory lists and their own record, again and again;
* ``DepartmentAdmin`` — signs in, works the task board, task pages, drawn objects and the
  entity list with filters, and **submits**: updates an entity through the integration
  API (one audited write through ``entity_update``), the write path whose p95 is the goal;
* ``PublicVisitor`` — the portal: home, the three notices with filters, a task's public
  page, and the public API.

The environment must give the admins a token: ``LOCUST_API_KEY`` (``manage.py
api_token_issue scj_admin --name 压测 --key-only``). All locust users come from one
address, so run the server with ``PUBLIC_RATE_LIMIT`` raised, or the portal answers 429.
Result entry by inspectors is not in the scenario yet: its screens are being built.
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOCUST_PASSWORD", "spotcheck-demo-2026")
INSPECTORS = ("scj_inspector", "gaj_inspector", "zfb_inspector")
ADMINS = ("scj_admin", "gaj_admin", "lead")
API_KEY = os.environ.get("LOCUST_API_KEY", "")


def sign_in(user: HttpUser, username: str) -> None:
    page = user.client.get("/accounts/login/", name="login page")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    user.client.post(
        "/accounts/login/",
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        headers={"Referer": f"{user.host}/accounts/login/"},
        name="login",
    )


class Inspector(HttpUser):
    weight = 300
    wait_time = between(2, 6)

    def on_start(self) -> None:
        sign_in(self, random.choice(INSPECTORS))  # noqa: S311 - load, not secrets

    @task(3)
    def workbench(self) -> None:
        self.client.get("/workbench/", name="工作台")

    @task(3)
    def todo(self) -> None:
        self.client.get("/deadlines/", name="我的待办")

    @task(2)
    def inspectors(self) -> None:
        self.client.get("/directory/inspectors/", name="执法检查人员名录库")

    @task(1)
    def entities(self) -> None:
        self.client.get("/directory/entities/", name="检查对象名录库")


class DepartmentAdmin(HttpUser):
    weight = 50
    wait_time = between(2, 5)

    def on_start(self) -> None:
        sign_in(self, random.choice(ADMINS))  # noqa: S311
        self.entities: list[str] = []
        if API_KEY:
            listing = self.client.get(
                "/api/v1/entities/",
                headers={"Authorization": f"Token {API_KEY}"},
                name="api: entities",
            )
            if listing.ok:
                self.entities = [e["uscc"] for e in listing.json()["results"] if e["uscc"]]

    @task(3)
    def task_board(self) -> None:
        board = self.client.get("/tasks/", name="抽查任务")
        ids = re.findall(r'href="/tasks/(\d+)/"', board.text)
        if ids:
            pk = random.choice(ids)  # noqa: S311
            self.client.get(f"/tasks/{pk}/", name="任务详情")
            self.client.get(f"/tasks/{pk}/objects/", name="抽取名单")

    @task(2)
    def entity_filter(self) -> None:
        risk = random.choice("ABCD")  # noqa: S311
        self.client.get(f"/directory/entities/?risk_class={risk}", name="检查对象名录库（筛选）")

    @task(3)
    def submit(self) -> None:
        if not self.entities:
            return
        row = {
            "uscc": random.choice(self.entities),  # noqa: S311
            "liaison_phone": f"0311-8{random.randint(1000000, 9999999)}",  # noqa: S311
        }
        self.client.post(
            "/api/v1/entities/sync/",
            json={"entities": [row]},
            headers={"Authorization": f"Token {API_KEY}"},
            name="提交（名录更新，经审计）",
        )


class PublicVisitor(HttpUser):
    weight = 500
    wait_time = between(1, 4)

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="公示首页")

    @task(2)
    def notices(self) -> None:
        self.client.get("/public/items/", name="抽查事项清单公示")
        tasks = self.client.get("/public/tasks/", name="抽查任务公告")
        ids = re.findall(r'href="/public/tasks/(\d+)/"', tasks.text)
        if ids:
            self.client.get(f"/public/tasks/{random.choice(ids)}/", name="任务公示页")  # noqa: S311

    @task(1)
    def plans(self) -> None:
        self.client.get("/public/plans/", name="抽查计划公告")

    @task(1)
    def public_api(self) -> None:
        self.client.get("/api/v1/public/tasks/", name="api: 公示任务")
