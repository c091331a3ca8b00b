"""Chinese names of the audit trail's event types and object types.

The one table every page, filter and export reads an event type or an object type from:
the dotted codes (``campaigns.task.transitioned``, ``campaigns.task``) are hashed into the
chain and never shown to users.  ``spotcheck/audit/tests/test_labels.py`` fails when the
code can write an event type that has no name here.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from spotcheck.audit import events

EVENT_LABELS: dict[str, str] = {
    events.DEPARTMENT_CREATED: "新增监管部门",
    events.DEPARTMENT_UPDATED: "修改监管部门",
    events.USER_CREATED: "新增用户",
    events.USER_UPDATED: "修改用户",
    events.ENTITY_CREATED: "新增检查对象",
    events.ENTITY_UPDATED: "修改检查对象",
    events.ENTITY_RISK_CHANGED: "变更信用风险分类",
    events.ENTITIES_BULK_CREATED: "批量新增检查对象",
    events.INSPECTOR_CREATED: "新增执法检查人员",
    events.INSPECTOR_UPDATED: "修改执法检查人员",
    events.INSPECTORS_BULK_CREATED: "批量新增执法检查人员",
    events.AVOIDANCE_ADDED: "登记回避关系",
    events.AVOIDANCE_REMOVED: "解除回避关系",
    events.DIRECTORY_EXPORTED: "导出名录库",
    events.DIRECTORY_IMPORT_QUEUED: "提交名录导入",
    events.DIRECTORY_IMPORTED: "名录导入完成",
    events.DEMO_LOADED: "载入演示场景",
    events.DEMO_FIELD_LOADED: "载入现场检查演练",
    events.CALENDAR_LOADED: "载入工作日日历",
    events.CALENDAR_YEAR_OPENED: "新建日历年度",
    events.CALENDAR_DAY_SET: "修改日历日期",
    events.CALENDAR_YEAR_CONFIRMED: "确认日历年度",
    events.DEADLINE_OPENED: "开始计算办理时限",
    events.DEADLINE_COMPLETED: "办理时限内事项完成",
    events.DEADLINE_RECOMPUTED: "重新计算办理时限",
    events.DEADLINE_OVERDUE: "办理超期",
    events.ITEM_CREATED: "新增抽查事项",
    events.ITEM_UPDATED: "修改抽查事项",
    events.CATALOGUE_IMPORTED: "导入抽查事项清单",
    events.PLAN_CREATED: "新建年度抽查计划",
    events.PLAN_PUBLISHED: "发布年度抽查计划",
    events.TASK_CREATED: "创建抽查任务",
    events.TASK_UPDATED: "修改抽查任务",
    events.TASK_TRANSITIONED: "变更任务状态",
    events.DRAW_PREPARED: "发起随机抽取",
    events.DRAW_COMMITTED: "作出承诺",
    events.DRAW_ANNOUNCED: "发布抽取公告",
    events.DRAW_REVEALED: "公布秘密值",
    events.DRAW_EXECUTED: "完成随机抽取",
    events.DRAW_ABANDONED: "放弃或撤回抽取",
    events.DRAW_REDRAW_REQUESTED: "申请重新抽取",
    events.DRAW_REDRAW_APPROVED: "批准重新抽取",
    events.DRAW_REDRAW_REFUSED: "不批准重新抽取",
    events.DRAW_DISPATCHED: "派发抽取名单",
    events.DRAW_DISPATCH_WITHDRAWN: "撤回派发",
    events.DRAW_OBJECT_REPLACED: "退回检查对象并替补",
    events.DRAW_DEPARTMENT_CONFIRMED: "确认派发名单",
    events.DRAW_DEPARTMENT_CLAIMED: "认领检查对象并抽取执法人员",
    events.DRAW_MATCHED: "随机匹配检查组",
    events.RECORDS_GENERATED: "生成一企一表",
    events.VISIT_MERGED: "合并检查",
    events.VISIT_MERGE_REFUSED: "不合并检查",
    events.RECORD_SCHEDULED: "安排检查",
    events.RECORD_NOTICE_DELIVERED: "登记检查通知",
    events.RECORD_ENTRIES_SAVED: "录入检查结果",
    events.RECORD_CORRECTED: "更正检查结果",
    events.RECORD_PHOTO_ADDED: "上传现场照片",
    events.RECORD_PHOTO_DELETED: "删除现场照片",
    events.RECORD_SIGNED: "签字确认",
    events.RECORD_ENTRY_CONFLICT: "检查结果录入冲突",
    events.RECORD_PARTY_RESIGNED: "检查对象重新签字",
    events.RECORD_ENTRY_CONFLICT_SETTLED: "处理录入冲突",
    events.RECORD_REVIEWED: "审核检查记录",
    events.RECORD_LEAD_CONFIRMED: "牵头部门确认",
    events.RESULT_PUBLISHED: "公示抽查结果",
    events.RESULT_CORRECTED: "更正公示结果",
    events.RESULT_NOTICE_ISSUED: "生成检查结果告知书",
    events.RESULT_NOTICE_MESSAGE_SENT: "发送检查结果告知短信",
    events.RESULT_NOTICE_MESSAGE_FAILED: "检查结果告知短信发送失败",
    events.RESULT_NOTICE_MESSAGE_SKIPPED: "未发送检查结果告知短信（无登记电话）",
    events.OUTBOX_DEAD: "报送公示系统失败",
    events.OUTBOX_RESENT: "重新报送公示系统",
    events.OPEN_DATA_EXPORTED: "导出报送文件",
    events.CASE_OPENED: "登记后续处置事项",
    events.CASE_MEASURE_RECORDED: "记录处置措施",
    events.CASE_TRANSFERRED: "移交后续处置",
    events.CASE_TRANSFER_ACCEPTED: "接收移交",
    events.CASE_TRANSFER_RETURNED: "退回移交",
    events.CASE_CLOSED: "办结后续处置",
    events.CASE_REOPENED: "重新办理后续处置",
    events.CASE_ESCALATED: "超期督办",
    events.STATS_EXPORTED: "导出统计数据",
    events.API_TOKEN_ISSUED: "发放接口令牌",
    events.API_TOKEN_REVOKED: "吊销接口令牌",
    events.TWOFACTOR_STARTED: "开始设置两步验证",
    events.TWOFACTOR_ENABLED: "开启两步验证",
    events.TWOFACTOR_DISABLED: "关闭两步验证",
    events.TWOFACTOR_PASSED: "两步验证通过",
    events.TWOFACTOR_FAILED: "两步验证码错误",
    events.TWOFACTOR_RESET: "重置两步验证",
    events.TWOFACTOR_LOCKED: "两步验证码多次错误，账号锁定",
    events.USER_UNLOCKED: "解锁账号",
    events.USER_DEACTIVATED: "停用账号",
    events.USER_REACTIVATED: "恢复启用账号",
}

# The filter offers every event of a group at once: the code's leading part, matched
# as a prefix by ``audit_event_list_for_user``.  Longest prefixes first.
EVENT_GROUPS: dict[str, str] = {
    "accounts.twofactor.": "两步验证",
    "department.": "监管部门",
    "user.": "用户",
    "directory.": "名录库",
    "demo.": "演示数据",
    "calendar.": "工作日日历",
    "deadline.": "办理时限",
    "catalogue.": "抽查事项清单",
    "campaigns.": "计划与任务",
    "draw.": "随机抽取",
    "inspections.": "现场检查（一企一表）",
    "publicity.": "公示",
    "followup.": "后续处置",
    "stats.": "统计分析",
    "api.": "对接接口",
}

UNKNOWN_EVENT = "其他事件"
UNKNOWN_TARGET = "其他对象"


def event_label(event_type: str) -> str:
    """Return the Chinese name of an event type (``draw.committed`` → 作出承诺)."""
    return EVENT_LABELS.get(event_type, UNKNOWN_EVENT)


def event_group(event_type: str) -> str:
    """Return the prefix of the group an event type belongs to ("" when none)."""
    return next((p for p in EVENT_GROUPS if event_type.startswith(p)), "")


def target_type_label(target_type: str) -> str:
    """Return the Chinese name of an object type (``campaigns.task`` → 联合抽查任务).

    The name is the model's ``verbose_name``: the object types are exactly the models
    ``audit_record`` was given, and every model of the platform has a Chinese one.
    """
    if not target_type:
        return ""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return UNKNOWN_TARGET
    return str(model._meta.verbose_name)


def event_choices() -> list[tuple[str, object]]:
    """Return the filter's choices: each group, first "all of it", then its events."""
    grouped: list[tuple[str, object]] = [("", "全部")]
    for prefix, name in EVENT_GROUPS.items():
        members = [
            (code, label)
            for code, label in EVENT_LABELS.items()
            if code.startswith(prefix) and event_group(code) == prefix
        ]
        grouped.append((name, [(prefix, f"全部{name}事件"), *members]))
    return grouped


# Names of the keys services write into an event's content that are not fields of the
# target model (a field is named by its own verbose_name).
CONTENT_KEY_LABELS: dict[str, str] = {
    "attempt": "第几次抽取",
    "changes": "变更内容",
    "channel": "发送通道",
    "comment": "意见",
    "commitment": "承诺值",
    "computed_by_platform": "承诺值由平台算出",
    "count": "数量",
    "decision": "结论",
    "failures": "连续错误次数",
    "error": "错误",
    "from": "原状态",
    "message_id": "消息编号",
    "to": "新状态",
    "note": "说明",
    "phone": "联系电话（脱敏）",
    "reason": "理由",
    "record": "记录表",
    "secret": "秘密值",
    "step": "步骤",
}


def content_rows(target_type: str, data: object) -> list[tuple[str, str, str, str]]:
    """Return an event's content as (name, value, old, new) rows in Chinese.

    A change ``{"changes": {field: [old, new]}}`` gives one row per field with its old
    and new value; every other key one row with its value.  Field names and choice
    values come from the target model (``role: auditor`` → 角色：审计员); keys the model
    does not know are named from ``CONTENT_KEY_LABELS`` or shown as written.  The raw
    record, which the hash chain covers, stays on the page for checking.
    """
    if not isinstance(data, dict):
        return [("内容", _shown(None, data), "", "")] if data not in (None, "", {}) else []
    try:
        model = apps.get_model(target_type) if target_type else None
    except (LookupError, ValueError):
        model = None
    rows: list[tuple[str, str, str, str]] = []
    for key in sorted(data):
        value = data[key]
        if key == "changes" and isinstance(value, dict):
            for name in sorted(value):
                pair = value[name]
                old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
                field = _field(model, name)
                rows.append((_key_label(field, name), "", _shown(field, old), _shown(field, new)))
            continue
        field = _field(model, key)
        rows.append((_key_label(field, key), _shown(field, value), "", ""))
    return rows


def _field(model: Any, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _key_label(field: Any, key: str) -> str:
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    return CONTENT_KEY_LABELS.get(key, key)


def _shown(field: Any, value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    choices = dict(getattr(field, "flatchoices", None) or ())
    if isinstance(value, str) and value in choices:
        return str(choices[value])
    if isinstance(value, list):
        return "、".join(_shown(field, v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
