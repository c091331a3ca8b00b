"""Write the office-suite fixture files of this folder (run by hand, not in the tests).

Each file is what an official's spreadsheet writes by default: a workbook built here with
cells of *number* format, opened and saved again by LibreOffice Calc (xlsx, CSV "as
shown", CSV in the Windows code page MS-936). The tests then import the saved files
exactly as they are. Needs ``soffice`` (Debian: libreoffice-calc-nogui)::

    python spotcheck/imports/tests/office/make_files.py
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[4]))
from spotcheck.core.uscc import build_uscc  # noqa: E402

HERE = Path(__file__).resolve().parent
# comma, double quote, the character set (76 UTF-8, 61 MS-936/GBK), "save cell contents as
# shown" on, as in Calc's CSV dialog by default
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false"
CSV_GBK = "csv:Text - txt - csv (StarCalc):44,34,61,1,,0,false,true,true,false,false"

INSPECTOR_HEADER = [
    "姓名", "性别", "所属部门", "所在科室/所", "职务", "人员类别", "执法证号", "发证机关",
    "证件有效期自", "证件有效期至", "业务专长", "可检查事项类别", "状态", "专家",
]  # fmt: skip
ENTITY_HEADER = [
    "统一社会信用代码", "注册号", "名称", "主体类型", "法定代表人（负责人）", "住所",
    "行政区划代码", "登记机关", "国民经济行业代码", "分类标签", "成立日期", "登记状态",
    "信用风险分类", "分类来源", "分类日期", "经营异常名录", "严重违法失信名单", "监管部门",
]  # fmt: skip
CATALOGUE_HEADER = [
    "抽查主体", "事项编码", "抽查事项名称", "事项类别", "重点或一般", "抽查比例下限（%）",
    "抽查比例上限（%）", "抽查频次", "抽查方式", "抽查对象类型", "适用对象标签", "抽查依据",
    "检查内容", "检查人员专长要求", "检查结果选项", "有效", "备注",
]  # fmt: skip


def inspector(name: str, certificate: Any, valid_from: Any = "2024-01-01") -> list[Any]:
    return [
        name, "女", "晋州市市场监督管理局", "城区所", "科员", "行政执法类公务员", certificate,
        "河北省人民政府", valid_from, "2035-12-31", "", "", "在岗", "否",
    ]  # fmt: skip


def entity(uscc: Any, name: str, address: str = "河北省石家庄市晋州市导入路1号") -> list[Any]:
    return [
        uscc, "", name, "企业", "赵六", address, 130183, "晋州市市场监督管理局", "C1391", "",
        "2020-05-06", "存续（在业）", "B", "市场监管总局通用型企业信用风险分类", "2025-01-10",
        "否", "否", "晋州市市场监督管理局",
    ]  # fmt: skip


def item(code: Any, name: str) -> list[Any]:
    return [
        "晋州市市场监督管理局", code, name, "市场监管", "一般检查事项", 3, 5, "每年不少于1次",
        "实地核查", "企业", "", "《企业信息公示暂行条例》", "检查公示信息", "", "1 未发现问题",
        "是", "",
    ]  # fmt: skip


def workbook(header: list[str], rows: list[list[Any]], formats: dict[int, str]) -> Any:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名录"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for column, number_format in formats.items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    return book


def soffice(source: Path, target: str, out_dir: Path) -> Path:
    subprocess.run(  # noqa: S603 - fixed argv
        ["soffice", "--headless", "--convert-to", target, "--outdir", str(out_dir), str(source)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return out_dir / (source.stem + "." + target.split(":")[0])


def save(book: Any, name: str, targets: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source = work / "source" / f"{name}.xlsx"
        source.parent.mkdir()
        book.save(source)
        for suffix, target in targets.items():
            out = work / suffix.replace(".", "_")
            out.mkdir()
            made = soffice(source, target, out)
            shutil.copyfile(made, HERE / f"{name}{suffix}")


def main() -> None:
    uscc = [build_uscc("9", "1", "130183", f"{9000 + n:08d}") for n in range(4)]
    # 执法证号 typed into cells of number format: 21 digits, 13 digits, a leading zero
    save(
        workbook(
            INSPECTOR_HEADER,
            [
                inspector("数字甲", 130183202612070000001),
                inspector("数字乙", 1301832599000),
                inspector("数字丙", int("00130183259901")),
            ],
            {7: "General"},
        ),
        "inspectors-number-cells",
        {".xlsx": "xlsx", ".csv": CSV_UTF8},
    )
    # dates shown as yy年m月d日 (a Chinese date format of the spreadsheet)
    save(
        workbook(
            INSPECTOR_HEADER,
            [
                inspector("日期甲", "JZLO0004", dt.date(2024, 1, 5)),
            ],
            {9: 'yy"年"m"月"d"日"'},
        ),
        "inspectors-short-year",
        {".xlsx": "xlsx", ".csv": CSV_UTF8},
    )
    # 统一社会信用代码 as numbers: General (E notation when shown) and "0" (all digits)
    save(
        workbook(
            ENTITY_HEADER,
            [
                entity(911301831000000000, "晋州市数字代码甲有限公司"),
                entity(uscc[1], "晋州市文本代码乙有限公司"),
            ],
            {1: "General"},
        ),
        "entities-number-cells",
        {".xlsx": "xlsx", ".csv": CSV_UTF8},
    )
    save(
        workbook(
            ENTITY_HEADER,
            [entity(911301831000000000, "晋州市数字代码丙有限公司")],
            {1: "0"},
        ),
        "entities-digits-shown",
        {".csv": CSV_UTF8},
    )
    # characters outside the Windows code page, saved as MS-936 (GBK)
    save(
        workbook(
            ENTITY_HEADER,
            [
                entity(uscc[2], "晋州市䶮记商贸有限公司"),
                entity(uscc[3], "晋州市正常商贸有限公司", "河北省晋州市𠀀字街2号"),
            ],
            {},
        ),
        "entities-ms936",
        {".csv": CSV_GBK},
    )
    # item codes "0101" and "1.01E+3" style: a number cell, and E notation
    save(
        workbook(
            CATALOGUE_HEADER,
            [item(101, "数字编码事项"), item(130183202612070000001, "长数字编码事项")],
            {2: "General"},
        ),
        "catalogue-number-codes",
        {".xlsx": "xlsx", ".csv": CSV_UTF8},
    )


if __name__ == "__main__":
    main()
