"""The 双随机抽查结果信息 record as 国家企业信用信息公示系统 shows it under each entity.

One shape for everything that leaves the platform: the outbox message body, the file
export for systems that take files, and the open data.  Field names follow the
public gsxt record (抽查计划编号 checkNo, 抽查计划名称 planName, 抽查任务编号 taskNo,
抽查任务名称 taskName, 抽查类型 type, 检查机关 checkOffice, 检查完成日期 finishDate,
检查结果 result, 备注 remark) plus the entity's code and name; docs/open-data.md
lists every field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spotcheck.publicity.models import ResultPublication

SCHEMA = "spotcheck.gsxt.double-random-result/1"


def idempotency_key(publication: ResultPublication) -> str:
    """Stable across retries and restarts: one key per record, department and version."""
    return f"spotcheck-{publication.record_id}-{publication.department_id}-v{publication.version}"


def record(publication: ResultPublication) -> dict[str, Any]:
    """The public record of one publication version (no personal data)."""
    code = publication.entity_code
    return {
        "uniscid": code if len(code) == 18 else "",
        "regNo": "" if len(code) == 18 else code,
        "entName": publication.entity_name,
        "checkNo": publication.plan_number,
        "planName": publication.plan_name,
        "taskNo": publication.task_number,
        "taskName": publication.task_name,
        "type": publication.task_type,
        "checkOffice": publication.authority,
        "finishDate": publication.checked_on.isoformat(),
        "result": publication.result_text,
        "resultCodes": list(publication.result_codes),
        "remark": publication.remarks,
        "items": [
            {"itemCode": i["code"], "itemName": i["name"], "result": i["result"]}
            for i in publication.items
        ],
        "version": publication.version,
        "corrected": publication.corrected,
        "correctionReason": publication.correction_reason,
        "publishedAt": publication.published_at.isoformat(),
    }


def message(publication: ResultPublication) -> dict[str, Any]:
    """The outbox message body: the record plus what the receiver needs to apply it."""
    previous = publication.supersedes
    return {
        "schema": SCHEMA,
        "idempotencyKey": idempotency_key(publication),
        "action": "correct" if publication.corrected else "publish",
        "supersedes": idempotency_key(previous) if previous else None,
        "record": record(publication),
    }


Column = tuple[str, str, Callable[[dict[str, Any]], Any]]

# (field, Chinese header, value from the record) — CSV and XLSX use the headers
COLUMNS: list[Column] = [
    ("uniscid", "统一社会信用代码", lambda r: r["uniscid"]),
    ("regNo", "注册号", lambda r: r["regNo"]),
    ("entName", "市场主体名称", lambda r: r["entName"]),
    ("checkNo", "抽查计划编号", lambda r: r["checkNo"]),
    ("planName", "抽查计划名称", lambda r: r["planName"]),
    ("taskNo", "抽查任务编号", lambda r: r["taskNo"]),
    ("taskName", "抽查任务名称", lambda r: r["taskName"]),
    ("type", "抽查类型", lambda r: r["type"]),
    ("checkOffice", "检查机关", lambda r: r["checkOffice"]),
    ("finishDate", "检查完成日期", lambda r: r["finishDate"]),
    ("result", "检查结果", lambda r: r["result"]),
    ("resultCodes", "检查结果代码", lambda r: ",".join(r["resultCodes"])),
    ("remark", "备注", lambda r: r["remark"]),
    (
        "items",
        "检查事项及结果",
        lambda r: "；".join(f"{i['itemName']}：{i['result']}" for i in r["items"]),
    ),
    ("version", "版本", lambda r: r["version"]),
    ("corrected", "已更正", lambda r: "是" if r["corrected"] else "否"),
    ("correctionReason", "更正理由", lambda r: r["correctionReason"]),
    ("publishedAt", "公示时间", lambda r: r["publishedAt"]),
]
