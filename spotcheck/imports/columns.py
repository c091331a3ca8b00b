"""The columns of the import files: the export's Chinese headers plus a few import-only ones.

The headers come from ``spotcheck.directory.exports`` so that an exported file can be
edited and imported again; a column the export adds without a parser here fails at
start-up rather than being silently ignored.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from spotcheck.directory import exports


@dataclass(frozen=True)
class ImportColumn:
    """One column of an import file: its header, the field it fills, what it needs."""

    header: str
    field: str
    required: bool = False
    help: str = ""
    example: str = ""


def _exported(columns: list[exports.Column], specs: list[ImportColumn]) -> list[ImportColumn]:
    by_header = {spec.header: spec for spec in specs}
    missing = [name for name, _ in columns if name not in by_header]
    if missing:
        raise RuntimeError(f"export columns without an import rule: {missing}")
    return [by_header[name] for name, _ in columns]


_ENTITY_EXPORTED = [
    ImportColumn(
        "统一社会信用代码",
        "uscc",
        help="18位，GB 32100-2015；全角字符和小写字母会自动转换。与注册号至少填一项",
        example="91130183MA0A1B2C3D",
    ),
    ImportColumn("注册号", "reg_no", help="15位数字；没有统一社会信用代码的老主体填写", example=""),
    ImportColumn("名称", "name", required=True, example="晋州市示例食品有限公司"),
    ImportColumn(
        "主体类型",
        "entity_type",
        required=True,
        help="企业、个体工商户、农民专业合作社、外国企业常驻代表机构",
        example="企业",
    ),
    ImportColumn("法定代表人（负责人）", "legal_rep_name", required=True, example="张三"),
    ImportColumn("住所", "address", required=True, example="河北省石家庄市晋州市示例路1号"),
    ImportColumn(
        "行政区划代码",
        "region",
        required=True,
        help="6位 GB/T 2260 代码，须是平台已有的行政区划",
        example="130183",
    ),
    ImportColumn("登记机关", "reg_authority_name", required=True, example="晋州市市场监督管理局"),
    ImportColumn(
        "国民经济行业代码", "industry_code", help="GB/T 4754，门类字母加2至4位数字", example="C1391"
    ),
    ImportColumn(
        "分类标签",
        "tags",
        help="平台已有的标签名称，多个用“；”分隔；填写后替换原有标签",
        example="食品生产企业",
    ),
    ImportColumn(
        "成立日期", "established_on", help="如 2019-03-15 或 2019/3/15", example="2019-03-15"
    ),
    ImportColumn(
        "登记状态",
        "reg_status",
        help="存续（在业）、吊销、注销、迁出、撤销、歇业；留空为存续（在业）",
        example="存续（在业）",
    ),
    ImportColumn(
        "信用风险分类",
        "risk_class",
        help="A、B、C、D 或留空；填写时须填分类来源和分类日期，变化会记入分类历史",
        example="B",
    ),
    ImportColumn(
        "分类来源",
        "risk_source",
        help="市场监管总局通用型企业信用风险分类、部门专业领域分类、“互联网+监管”系统推送、其他",
        example="市场监管总局通用型企业信用风险分类",
    ),
    ImportColumn("分类日期", "risk_as_of", help="信用风险分类的认定日期", example="2025-01-10"),
    ImportColumn("经营异常名录", "on_abnormal_list", help="是 或 否（留空为否）", example="否"),
    ImportColumn("严重违法失信名单", "on_serious_illegal_list", help="是 或 否", example="否"),
    ImportColumn(
        "监管部门",
        "supervising_departments",
        required=True,
        help="部门全称，多个用“；”分隔；部门管理员只能填本部门及下级部门，留空为导入时选择的部门",
        example="晋州市市场监督管理局",
    ),
]

_ENTITY_EXTRA = [
    ImportColumn(
        "校验位不符保存理由",
        "uscc_override_reason",
        help="仅当代码校验位不符但确属合法的早期试点代码时填写",
    ),
    ImportColumn("企业类型代码", "enterprise_type_code"),
    ImportColumn("法定代表人电话", "legal_rep_phone"),
    ImportColumn("联络员", "liaison_name"),
    ImportColumn("联络员电话", "liaison_phone"),
    ImportColumn("经营场所", "business_address"),
    ImportColumn("登记机关代码", "reg_authority_code"),
    ImportColumn("管辖单位", "jurisdiction_unit"),
    ImportColumn("许可证", "licences"),
    ImportColumn("注册资本（万元）", "reg_capital", help="数字，最多两位小数"),
]

ENTITY_COLUMNS: list[ImportColumn] = (
    _exported(exports.ENTITY_COLUMNS, _ENTITY_EXPORTED) + _ENTITY_EXTRA
)

_INSPECTOR_EXPORTED = [
    ImportColumn("姓名", "name", required=True, example="李检查"),
    ImportColumn("性别", "gender", help="男 或 女", example="男"),
    ImportColumn(
        "所属部门",
        "department",
        required=True,
        help="部门全称；部门管理员只能填本部门及下级部门，留空为导入时选择的部门",
        example="晋州市市场监督管理局",
    ),
    ImportColumn("所在科室/所", "unit", example="城区市场监督管理所"),
    ImportColumn("职务", "post", example="科员"),
    ImportColumn(
        "人员类别",
        "category",
        required=True,
        help="行政执法类公务员、具有行政执法资格的工作人员、从事日常监管工作的人员",
        example="行政执法类公务员",
    ),
    ImportColumn(
        "执法证号",
        "certificate_no",
        required=True,
        help="按执法证号新增或更新",
        example="13018300000001",
    ),
    ImportColumn("发证机关", "certificate_authority", required=True, example="河北省人民政府"),
    ImportColumn("证件有效期自", "certificate_valid_from", required=True, example="2024-01-01"),
    ImportColumn(
        "证件有效期至",
        "certificate_valid_until",
        required=True,
        help="已过期的证件照常导入并给出警告；过期人员不会被抽取",
        example="2029-12-31",
    ),
    ImportColumn("业务专长", "specialities", help="平台已有的专长名称，多个用“；”分隔"),
    ImportColumn("可检查事项类别", "item_types", help="平台已有的事项类别名称，多个用“；”分隔"),
    ImportColumn("状态", "status", help="在岗、休假、借调、停用、退休；留空为在岗", example="在岗"),
    ImportColumn("专家", "is_expert", help="是 或 否；专家须填写专家领域", example="否"),
]

_INSPECTOR_EXTRA = [
    ImportColumn("联系电话", "phone"),
    ImportColumn("专家领域", "expert_field"),
    ImportColumn("专家所在单位", "expert_org"),
]

INSPECTOR_COLUMNS: list[ImportColumn] = (
    _exported(exports.INSPECTOR_COLUMNS, _INSPECTOR_EXPORTED) + _INSPECTOR_EXTRA
)


def header_key(header: object) -> str:
    """Return the form of a header used for matching: NFKC, no blanks, no required-mark."""
    text = unicodedata.normalize("NFKC", str(header or ""))
    return "".join(text.split()).strip("*").lstrip("\ufeff")


def columns_for(kind: str) -> list[ImportColumn]:
    return ENTITY_COLUMNS if kind == "entities" else INSPECTOR_COLUMNS
