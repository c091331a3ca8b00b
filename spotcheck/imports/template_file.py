"""The downloadable import templates: the header row, one example row, and 填写说明."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from spotcheck.imports.columns import columns_for
from spotcheck.imports.validation import VALIDATORS

_TITLES = {"entities": "检查对象名录", "inspectors": "执法检查人员名录"}


def template_xlsx(kind: str) -> bytes:
    """Build the XLSX template of one directory."""
    columns = columns_for(kind)
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(title=_TITLES[kind])
    # code columns are text, so that a spreadsheet keeps every digit and leading zero
    code_fields = set(VALIDATORS[kind].code_columns)
    for position, column in enumerate(columns, start=1):
        if column.field in code_fields:
            data.column_dimensions[get_column_letter(position)].number_format = "@"
    data.append([c.header for c in columns])
    data.append([c.example for c in columns])
    notes = workbook.create_sheet(title="填写说明")
    notes.append(["列名", "是否必填", "说明", "示例"])
    for column in columns:
        notes.append(
            [column.header, "必填" if column.required else "选填", column.help, column.example]
        )
    notes.append([])
    for line in _GENERAL_NOTES:
        notes.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_GENERAL_NOTES = [
    "1. 第一个工作表的第1行为表头（列名须与模板一致，列的顺序不限）；示例行请删除或改为真实数据。",
    "2. 也可以导入 CSV 文件（UTF-8 或 GB18030 编码，自动识别）；"
    "从本平台导出的文件可修改后直接导入。"
    "请另存为“CSV UTF-8”：Excel 的“CSV（逗号分隔）”（ANSI/GBK 编码）会把“䶮”“𠀀”等生僻字变成“?”，"
    "这样的行不予导入。",
    "3. 按统一社会信用代码（没有时按注册号）或执法证号新增或更新；文件中没有的列保持原值不变。",
    "4. 默认整份文件全部正确才导入；勾选“仅导入有效行”时只导入正确的行，其余行列入错误报告。",
    "5. 单元格中的公式不会被计算，请粘贴为数值；以 = + - @ 开头的文本按普通文字保存。",
    "6. 统一社会信用代码中的全角字符和小写字母会自动转换；"
    "校验位不符的早期试点代码须填写“校验位不符保存理由”。",
    "7. 统一社会信用代码、注册号、执法证号、行政区划代码、电话等代码列请设为“文本”格式再填写："
    "设为数字时表格软件会把长代码改成科学计数法（如 9.11301831E+17）、丢掉末尾数字或开头的0，"
    "这样的行不予导入或给出警告。",
]
