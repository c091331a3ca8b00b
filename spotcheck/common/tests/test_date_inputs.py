"""Every date and date-time field of every form is written in the form the browser accepts.

An ``<input type="date">`` accepts only ``2026-12-08``; given ``2026/12/08`` (the first
zh-Hans input format of Django) it shows an empty field, and a form saved unchanged then
erased the date.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms

import spotcheck
from spotcheck.inspections.forms import NoticeDeliveryForm, ScheduleForm

DAY = dt.date(2026, 12, 8)


def _form_classes() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for info in pkgutil.iter_modules(spotcheck.__path__):
        try:
            module = importlib.import_module(f"spotcheck.{info.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = obj
    return [found[key] for key in sorted(found)]


def _date_fields() -> list[tuple[str, forms.Field]]:
    fields = []
    for form_class in _form_classes():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                fields.append((f"{form_class.__module__}.{form_class.__name__}.{name}", field))
    return fields


DATE_FIELDS = _date_fields()


def _value_of(html: str) -> str:
    match = re.search(r'value="([^"]*)"', html)
    assert match is not None, html
    return match.group(1)


def test_the_forms_have_the_date_fields_the_platform_asks_for() -> None:
    # given every form of the platform
    # when their date and date-time fields are listed
    names = {name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1] for name, _ in DATE_FIELDS}
    # then the walk found them (a walk that finds nothing would prove nothing)
    assert {
        "ScheduleForm.planned_on",
        "NoticeDeliveryForm.delivered_at",
        "EntityForm.established_on",
        "EntityForm.risk_as_of",
        "InspectorForm.certificate_valid_from",
        "InspectorForm.certificate_valid_until",
        "TaskForm.window_start",
        "TaskForm.window_end",
        "CloseForm.closed_on",
        "AuditFilterForm.date_from",
        "AuditFilterForm.date_to",
    } <= names


@pytest.mark.parametrize(("name", "field"), DATE_FIELDS, ids=[n for n, _ in DATE_FIELDS])
def test_every_date_field_is_a_browser_picker_written_in_iso_form(
    name: str, field: forms.Field
) -> None:
    # given a date field of a form and a value in it
    if isinstance(field, forms.DateTimeField):
        value = dt.datetime(2026, 12, 7, 16, 36, tzinfo=dt.UTC)  # 00:36 in Beijing
        expected = ('type="datetime-local"', "2026-12-08T00:36")
    else:
        value, expected = DAY, ('type="date"', "2026-12-08")
    # when the widget is drawn
    html = field.widget.render("when", field.prepare_value(value))
    # then it is a picker and carries the ISO value the browser shows
    assert (expected[0] in html, _value_of(html)) == (True, expected[1])


def test_a_plain_date_widget_writes_iso_form_in_chinese() -> None:
    # given Django's own date widget with no format of its own (zh-hans is active)
    widget = forms.DateInput(attrs={"type": "date"})
    # when it draws a date
    html = widget.render("when", DAY)
    # then it uses the platform's first input format, the ISO one
    assert _value_of(html) == "2026-12-08"


def test_the_schedule_form_keeps_the_date_through_an_unchanged_save() -> None:
    # given the schedule form opened on a record planned for 2026-12-08
    shown = ScheduleForm(initial={"planned_on": DAY, "materials": "营业执照"})
    posted = _value_of(str(shown["planned_on"]))
    # when the form is sent back as the browser shows it
    saved = ScheduleForm(data={"planned_on": posted, "materials": "营业执照"})
    # then the date is the same
    assert (posted, saved.is_valid(), saved.cleaned_data["planned_on"]) == (
        "2026-12-08",
        True,
        DAY,
    )


def test_the_notice_time_is_shown_and_read_in_beijing_time() -> None:
    # given a notice form showing 16:36 UTC, which is 00:36 the next day in Beijing
    moment = dt.datetime(2026, 12, 7, 16, 36, tzinfo=dt.UTC)
    shown = NoticeDeliveryForm(initial={"method": "phone", "delivered_at": moment})
    posted = _value_of(str(shown["delivered_at"]))
    # when it is sent back unchanged
    saved = NoticeDeliveryForm(data={"method": "phone", "delivered_at": posted})
    # then it reads the same moment
    assert (posted, saved.is_valid(), saved.cleaned_data["delivered_at"]) == (
        "2026-12-08T00:36",
        True,
        moment,
    )


@pytest.mark.parametrize(
    "typed", ["2026-12-08", "2026/12/08", "2026年12月8日"], ids=["iso", "slashes", "chinese"]
)
def test_a_date_typed_in_any_usual_form_is_read(typed: str) -> None:
    # given a date typed by hand (a browser without a picker)
    form = ScheduleForm(data={"planned_on": typed, "materials": ""})
    # when the form is read
    valid = form.is_valid()
    # then the date is 2026-12-08
    assert (valid, form.cleaned_data["planned_on"]) == (True, DAY)
