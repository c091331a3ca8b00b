"""A draw whose public value is a drand round: the platform verifies the signature."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.models import Task
from spotcheck.core.draw import PublicSource, new_secret
from spotcheck.core.draw.drand import KNOWN_CHAINS
from spotcheck.core.draw.tests import drand_vectors as v
from spotcheck.draws.ceremony import (
    draw_announce,
    draw_commit,
    draw_prepare,
    draw_reveal,
    draw_run,
)
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.models import DrawAttempt
from spotcheck.draws.outcomes import draw_bundle_files, draw_verify_stored
from spotcheck.testing.personas import LOGIN_BACKEND

ROOT = Path(__file__).resolve().parents[3]
QUICKNET_ROUND = v.BEACONS[0]
DEFAULT_ROUND = v.BEACONS[3]


def _before(beacon: dict[str, Any], seconds: int = 3600) -> dt.datetime:
    """A moment ``seconds`` before the round was published (the vectors are real rounds)."""
    published = KNOWN_CHAINS[beacon["chain"]].round_time(beacon["round"])
    return dt.datetime.fromtimestamp(published - seconds, tz=dt.UTC)


def _revealed(
    task: Task,  # noqa: F811 - the fixture
    lead_admin: User,
    dept_admin: User,
    beacon: dict[str, Any],
    fallback: PublicSource | None = None,
) -> DrawAttempt:
    with time_machine.travel(_before(beacon), tick=False):
        attempt = draw_prepare(
            actor=lead_admin,
            task=task,
            officials=[lead_admin, dept_admin],
            primary=PublicSource("drand", chain_hash=beacon["chain"], round=beacon["round"]),
            fallback=fallback,
        )
        s1, s2 = new_secret(), new_secret()
        draw_commit(actor=lead_admin, attempt=attempt, secret=s1)
        draw_commit(actor=dept_admin, attempt=attempt, secret=s2)
        draw_announce(actor=lead_admin, attempt=attempt)
    draw_reveal(actor=lead_admin, attempt=attempt, secret=s1)
    draw_reveal(actor=dept_admin, attempt=attempt, secret=s2)
    return attempt


def _flipped(signature: str) -> str:
    data = bytearray(bytes.fromhex(signature))
    data[0] ^= 0x20  # still a valid point, but not the round's signature
    return data.hex()


def test_a_quicknet_round_is_drawn_only_with_its_real_signature(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    tmp_path: Path,
) -> None:
    # given a draw that named quicknet round 657413, every secret revealed
    attempt = _revealed(task, lead_admin, dept_admin, QUICKNET_ROUND)

    # when the lead enters no signature, a flipped bit, and a wrong randomness
    with pytest.raises(ValidationError, match="须填写drand该轮的签名"):
        draw_run(actor=lead_admin, attempt=attempt)
    with pytest.raises(ValidationError) as refused:
        draw_run(actor=lead_admin, attempt=attempt, signature=_flipped(QUICKNET_ROUND["signature"]))
    with pytest.raises(ValidationError, match="随机值与签名不符"):
        draw_run(
            actor=lead_admin,
            attempt=attempt,
            public_value="00" * 32,
            signature=QUICKNET_ROUND["signature"],
        )

    # then nothing was drawn, and the refusal says why, in Chinese
    assert refused.value.message_dict == {
        "signature": [
            "drand签名验证失败：不是drand quicknet链第657413轮的签名，已拒绝。"
            "请核对轮次、签名和前一轮签名"
        ]
    }
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.ANNOUNCED
    assert not AuditEvent.objects.filter(event_type="draw.executed").exists()

    # when the real signature is entered (as copied from a relay: upper case, spaces)
    signature = QUICKNET_ROUND["signature"].upper()
    done = draw_run(
        actor=lead_admin, attempt=attempt, signature=f" {signature[:40]} {signature[40:]} "
    )

    # then the randomness is SHA-256 of the signature and the bundle proves it
    assert done.status == AttemptStatus.DRAWN
    assert done.public_value == QUICKNET_ROUND["randomness"]
    assert done.drand_signature == QUICKNET_ROUND["signature"]
    assert draw_verify_stored(done) == []
    files = draw_bundle_files(done)
    reveals = json.loads(files["reveals.json"])
    assert reveals["public_value"]["drand"] == {
        "chain": v.QUICKNET_INFO,
        "previous_signature": "",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    verified = subprocess.run(  # noqa: S603 - our own script on our own files
        [sys.executable, str(ROOT / "tools" / "verify_draw.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "published after the announcement: 2023-09-15T11:00:03+00:00" in verified.stdout
    assert "drand 第657413轮签名已用该链公钥验证" in verified.stdout


def test_a_default_network_round_needs_the_previous_signature(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    attempt = _revealed(task, lead_admin, dept_admin, DEFAULT_ROUND)

    with pytest.raises(ValidationError, match="须填写前一轮签名"):
        draw_run(actor=lead_admin, attempt=attempt, signature=DEFAULT_ROUND["signature"])
    with pytest.raises(ValidationError, match="drand签名验证失败"):
        draw_run(
            actor=lead_admin,
            attempt=attempt,
            signature=DEFAULT_ROUND["signature"],
            previous_signature=v.BEACONS[4]["previous_signature"],
        )
    with pytest.raises(ValidationError, match="drand签名格式错误"):
        draw_run(
            actor=lead_admin,
            attempt=attempt,
            signature=DEFAULT_ROUND["signature"][:-2],
            previous_signature=DEFAULT_ROUND["previous_signature"],
        )
    done = draw_run(
        actor=lead_admin,
        attempt=attempt,
        public_value=DEFAULT_ROUND["randomness"],
        signature=DEFAULT_ROUND["signature"],
        previous_signature=DEFAULT_ROUND["previous_signature"],
    )

    assert done.status == AttemptStatus.DRAWN
    assert done.drand_previous_signature == DEFAULT_ROUND["previous_signature"]
    assert draw_verify_stored(done) == []


def test_the_lottery_fallback_of_a_drand_draw_is_entered_as_before(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    lottery = PublicSource("lottery", name="中国福利彩票双色球", draw="2026075")
    attempt = _revealed(task, lead_admin, dept_admin, QUICKNET_ROUND, fallback=lottery)

    done = draw_run(
        actor=lead_admin, attempt=attempt, used="fallback", public_value="3.7.12.19.25.33./9./"
    )

    assert (done.public_value_used, done.drand_signature) == ("fallback", "")
    assert draw_verify_stored(done) == []


def test_only_the_drand_networks_the_platform_can_verify_may_be_named(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    with pytest.raises(ValidationError, match="只能核验drand主网quicknet和default链"):
        draw_prepare(
            actor=lead_admin,
            task=task,
            officials=[lead_admin, dept_admin],
            primary=PublicSource("drand", chain_hash="ab" * 32, round=5),
        )


def test_the_page_names_a_drand_round_and_refuses_a_bad_signature(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    # given a draw prepared through the page with quicknet and a lottery fallback
    lead, market = Client(), Client()
    lead.force_login(lead_admin, backend=LOGIN_BACKEND)
    market.force_login(dept_admin, backend=LOGIN_BACKEND)
    url = f"/tasks/{task.pk}/draw/"
    with time_machine.travel(_before(QUICKNET_ROUND), tick=False):
        lead.post(
            f"{url}prepare/",
            {
                "officials": [lead_admin.pk, dept_admin.pk],
                "drand_network": "quicknet",
                "drand_round": QUICKNET_ROUND["round"],
                "lottery_name": "中国福利彩票双色球",
                "lottery_draw": "2026075",
            },
        )
        attempt = DrawAttempt.objects.get(task=task)
        assert attempt.primary_source == {
            "primary": {"chain_hash": v.QUICKNET, "kind": "drand", "round": 657413},
            "fallback": {"draw": "2026075", "kind": "lottery", "name": "中国福利彩票双色球"},
        }
        lead.post(f"{url}commit/", {"secret": "cd" * 32})
        market.post(f"{url}commit/", {"secret": "ab" * 32})
        page = lead.post(f"{url}announce/", follow=True).content.decode()
    lead.post(f"{url}reveal/", {"secret": "cd" * 32})
    market.post(f"{url}reveal/", {"secret": "ab" * 32})

    # when a flipped signature, then the real one, is entered
    bad = lead.post(
        f"{url}run/",
        {"signature": _flipped(QUICKNET_ROUND["signature"]), "confirmed": "1"},
        follow=True,
    )
    good = lead.post(
        f"{url}run/", {"signature": QUICKNET_ROUND["signature"], "confirmed": "1"}, follow=True
    )

    # then
    assert "drand 第657413轮" in page
    assert "drand签名" in page  # the run form asks for the signature
    assert "drand签名验证失败：不是drand quicknet链第657413轮的签名" in bad.content.decode()
    assert "抽取完成" in good.content.decode()
    public = Client().get(f"/public/tasks/{task.pk}/").content.decode()
    assert QUICKNET_ROUND["randomness"] in public
    assert "签名已用该链公钥核验" in public


def test_the_prepare_form_needs_network_and_round_together(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    lead = Client()
    lead.force_login(lead_admin, backend=LOGIN_BACKEND)

    page = lead.post(
        f"/tasks/{task.pk}/draw/prepare/",
        {"officials": [lead_admin.pk, dept_admin.pk], "drand_network": "default"},
        follow=True,
    )

    assert "drand网络和轮次须同时填写" in page.content.decode()
    assert not DrawAttempt.objects.filter(task=task).exists()


def test_a_round_already_published_is_refused_when_named(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    # given: quicknet round 657413 came out an hour ago
    with time_machine.travel(_before(QUICKNET_ROUND, -3600), tick=False):
        lead = Client()
        lead.force_login(lead_admin, backend=LOGIN_BACKEND)

        # when: the lead office names it on the page
        response = lead.post(
            f"/tasks/{task.pk}/draw/prepare/",
            {
                "officials": [lead_admin.pk, dept_admin.pk],
                "drand_network": "quicknet",
                "drand_round": QUICKNET_ROUND["round"],
            },
        )

    # then: refused beside the round, with the time it came out and a later round to name
    # instead; the form comes back as it was filled in and nothing was opened
    page = response.content.decode()
    assert response.status_code == 400
    error = page.split('data-testid="error-drand_round">', 1)[1].split("</div>", 1)[0]
    assert "drand quicknet链第657413轮已于2023-09-15 19:00:03产生，已是公开的数值" in error
    assert "目前最新为第658613轮；如约一天后产生的第687413轮" in error
    assert 'value="657413"' in page
    assert '<option value="quicknet" selected>' in page
    assert page.count("checked") >= 2  # both officials still ticked
    assert not DrawAttempt.objects.filter(task=task).exists()


def test_a_round_that_comes_out_before_the_announcement_stops_the_announcement(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    # given: the round was still to come when it was named and the officials committed
    with time_machine.travel(_before(QUICKNET_ROUND, 60), tick=False):
        attempt = draw_prepare(
            actor=lead_admin,
            task=task,
            officials=[lead_admin, dept_admin],
            primary=PublicSource(
                "drand", chain_hash=QUICKNET_ROUND["chain"], round=QUICKNET_ROUND["round"]
            ),
        )
        draw_commit(actor=lead_admin, attempt=attempt, secret=new_secret())
        draw_commit(actor=dept_admin, attempt=attempt, secret=new_secret())

    # when: the announcement goes out after the round was published
    with (
        time_machine.travel(_before(QUICKNET_ROUND, 0), tick=False),
        pytest.raises(ValidationError, match="早于本次公告") as refused,
    ):
        draw_announce(actor=lead_admin, attempt=attempt)

    # then: nothing was announced, and the officials are told how to go on
    assert "请放弃本次抽取，重新准备并声明公告之后才产生的轮次" in refused.value.messages[0]
    attempt.refresh_from_db()
    assert (attempt.status, attempt.announcement) == (AttemptStatus.COMMITTING, "")
    assert not AuditEvent.objects.filter(event_type="draw.announced").exists()
