"""Field work without a network: the pages the phone stores, the home-screen app."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from spotcheck.accounts.models import User
from spotcheck.directory.models import Inspector
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.tests.factories import make_record
from spotcheck.inspections.tests.field_setup import Field, build_field
from spotcheck.testing.personas import LOGIN_BACKEND, Catalogue, Departments, Regions

# a Wednesday inside the factories' check window (2026-03-01 .. 2026-07-30)
WEDNESDAY = dt.datetime(2026, 6, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def field(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
) -> Field:
    return build_field(
        departments, regions, lead_admin, catalogue, inspector_record, other_inspector_record
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def _precache_list(html: str) -> list[str]:
    match = re.search(r'<script id="field-precache" type="application/json">(.*?)</script>', html)
    assert match, "no #field-precache on the page"
    return json.loads(match.group(1))


def test_the_field_home_names_the_pages_of_the_open_work_for_the_phone_to_store(
    field: Field, catalogue: Catalogue, inspector_user: User
) -> None:
    # given 李检查's group has a record due today, one on Friday, one returned for
    # correction, and one submitted
    task, group, market = field.record.task, field.group, field.market_item.item
    today = field.record
    friday = make_record(task, catalogue.yi, group, [market])
    returned = make_record(task, catalogue.bing, group, [market])
    JointRecord.objects.filter(pk=today.pk).update(planned_on=dt.date(2026, 6, 10))
    JointRecord.objects.filter(pk=friday.pk).update(planned_on=dt.date(2026, 6, 12))
    JointRecord.objects.filter(pk=returned.pk).update(
        planned_on=dt.date(2026, 6, 8), state=RecordState.RETURNED
    )
    submitted = field.other_record
    JointRecord.objects.filter(pk=submitted.pk).update(
        group=group, planned_on=dt.date(2026, 6, 9), state=RecordState.SUBMITTED
    )
    # when he opens 现场检查 on that Wednesday
    with time_machine.travel(WEDNESDAY, tick=False):
        response = _client(inspector_user).get("/field/")
    # then the page names the 现场检查 page and, for the returned, today's and Friday's
    # records, their overview and fill pages; not the submitted record
    html = response.content.decode()
    assert _precache_list(html) == [
        "/field/",
        f"/field/records/{returned.pk}/",
        f"/field/records/{returned.pk}/fill/",
        f"/field/records/{today.pk}/",
        f"/field/records/{today.pk}/fill/",
        f"/field/records/{friday.pk}/",
        f"/field/records/{friday.pk}/fill/",
    ]
    assert 'data-records="3"' in html
    assert '<script src="/static/js/field-offline.js"></script>' in html


def test_a_reviewer_s_field_home_asks_the_phone_to_store_nothing(
    field: Field, dept_admin: User
) -> None:
    # when the 市场监管局 admin opens 记录审核
    html = _client(dept_admin).get("/field/").content.decode()
    # then no list of pages to store is on the page
    assert 'id="field-precache"' not in html
    assert 'id="offline-status"' not in html


@pytest.mark.parametrize("url", ["/field/", "/field/records/{pk}/", "/field/records/{pk}/fill/"])
def test_the_field_pages_link_the_web_app_manifest(
    field: Field, inspector_user: User, url: str
) -> None:
    html = _client(inspector_user).get(url.format(pk=field.record.pk)).content.decode()
    assert '<link rel="manifest" href="/field/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#0a58ca">' in html
    assert '<link rel="apple-touch-icon" href="/static/icons/field-180.png">' in html


def test_the_web_app_manifest_opens_the_field_work_full_screen_without_a_login(
    client: Client,
) -> None:
    # when an anonymous browser fetches the manifest (browsers send no cookie for it)
    response = client.get("/field/manifest.webmanifest")
    # then it is a JSON manifest of the 现场检查 app
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json; charset=utf-8"
    manifest = json.loads(response.content.decode("utf-8"))
    assert {k: manifest[k] for k in ("short_name", "start_url", "scope", "display")} == {
        "short_name": "现场检查",
        "start_url": "/field/",
        "scope": "/field/",
        "display": "standalone",
    }
    assert manifest["name"] == "现场检查 · 双随机、一公开监管平台"
    assert manifest["theme_color"] == "#0a58ca"
    assert [(i["sizes"], i["purpose"]) for i in manifest["icons"]] == [
        ("48x48", "any"),
        ("72x72", "any"),
        ("96x96", "any"),
        ("144x144", "any"),
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    ]


def test_every_icon_of_the_manifest_is_a_png_file_of_its_declared_size(client: Client) -> None:
    manifest = json.loads(client.get("/field/manifest.webmanifest").content.decode("utf-8"))
    icons = [*manifest["icons"], {"src": "/static/icons/field-180.png", "sizes": "180x180"}]
    for icon in icons:
        # given the file the URL names under static/
        assert icon["src"].startswith("/static/icons/"), icon
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, f"{icon['src']} is not a static file"
        # then it is a PNG of the size the manifest declares
        with Image.open(path) as image:
            assert (image.format, f"{image.width}x{image.height}") == ("PNG", icon["sizes"])
