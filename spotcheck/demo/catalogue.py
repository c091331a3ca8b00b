"""The items of the seed plan (§二) for its three departments, as catalogue entries.

Legal bases cite the national and Hebei rules each item rests on; the 检查内容 lines
are written for the demo and kept short.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DemoItem:
    code: str
    item_type: str  # ItemType code in scenario._ITEM_TYPES; the name is taken from there
    item_class: str
    ratio_min: Decimal
    ratio_max: Decimal | None
    methods: tuple[str, ...]
    tags: tuple[str, ...]
    speciality: str | None
    legal_basis: str
    sub_items: tuple[str, ...]
    result_codes: tuple[str, ...]


_FINANCE_RESULTS = ("1", "A", "5", "E", "F", "7", "8", "9", "10", "11", "12")
_MARKET_RESULTS = ("1", "A", "2", "B", "C", "6", "D", "E", "F", "7", "8", "9", "10", "11", "12")
_POLICE_RESULTS = ("1", "A", "G", "E", "F", "7", "8", "9", "10", "11", "12")
_LOCAL_FINANCE_LAW = "《河北省地方金融监督管理条例》"
_FIN_TAGS = ("microcredit", "pawnshop", "financing-guarantee", "financial-leasing")

DEMO_ITEMS: list[DemoItem] = [
    DemoItem(
        "JR-01",
        "fin-admission",
        "general",
        Decimal("3"),
        Decimal("10"),
        ("written", "onsite"),
        _FIN_TAGS,
        "local-finance",
        _LOCAL_FINANCE_LAW,
        ("设立批准文件、营业执照与经营范围是否一致", "主要股东、董事、高级管理人员任职资格"),
        _FINANCE_RESULTS,
    ),
    DemoItem(
        "JR-02",
        "fin-change",
        "general",
        Decimal("3"),
        Decimal("10"),
        ("written", "data_compare"),
        _FIN_TAGS,
        "local-finance",
        _LOCAL_FINANCE_LAW,
        ("名称、住所、注册资本、股权等变更是否经批准或备案", "变更后登记信息与备案信息是否一致"),
        _FINANCE_RESULTS,
    ),
    DemoItem(
        "JR-03",
        "fin-compliance",
        "general",
        Decimal("3"),
        Decimal("10"),
        ("written", "onsite"),
        _FIN_TAGS,
        "local-finance",
        _LOCAL_FINANCE_LAW,
        (
            "公司治理和内部控制制度",
            "统计报表和重大事项报告是否按时报送",
            "消费者权益保护与信息披露",
        ),
        _FINANCE_RESULTS,
    ),
    DemoItem(
        "JR-04",
        "microcredit-business",
        "key",
        Decimal("3"),
        None,
        ("written", "onsite"),
        ("microcredit",),
        "local-finance",
        "《关于小额贷款公司试点的指导意见》（银监发〔2008〕23号）\n" + _LOCAL_FINANCE_LAW,
        ("贷款利率、期限与合同是否合规", "资金来源与融资杠杆", "是否超范围吸收公众存款"),
        _FINANCE_RESULTS,
    ),
    DemoItem(
        "JR-05",
        "fin-suspension",
        "key",
        Decimal("3"),
        None,
        ("written", "onsite"),
        _FIN_TAGS,
        "local-finance",
        _LOCAL_FINANCE_LAW,
        ("被暂停的业务是否确已停止", "整改措施落实情况"),
        _FINANCE_RESULTS,
    ),
    DemoItem(
        "JR-06",
        "pawn-business",
        "key",
        Decimal("3"),
        None,
        ("written", "onsite"),
        ("pawnshop",),
        "local-finance",
        "《典当管理办法》（商务部、公安部令2005年第8号）",
        ("当票、续当与绝当物品处理", "综合费率与息费收取", "当物查验与登记制度"),
        _FINANCE_RESULTS,
    ),
    DemoItem(
        "JR-07",
        "guarantee-business",
        "key",
        Decimal("3"),
        None,
        ("written", "onsite"),
        ("financing-guarantee",),
        "local-finance",
        "《融资担保公司监督管理条例》（国务院令第683号）",
        ("融资担保责任余额与净资产倍数", "准备金提取", "关联担保"),
        _FINANCE_RESULTS,
    ),
    DemoItem(
        "JR-08",
        "leasing-business",
        "key",
        Decimal("3"),
        None,
        ("written", "onsite"),
        ("financial-leasing",),
        "local-finance",
        "《融资租赁公司监督管理暂行办法》（银保监发〔2020〕22号）",
        ("租赁物真实性与权属", "监管指标执行情况"),
        _FINANCE_RESULTS,
    ),
    DemoItem(
        "SJ-01",
        "registration",
        "general",
        Decimal("3"),
        Decimal("5"),
        ("onsite", "data_compare"),
        (),
        "registration",
        "《中华人民共和国市场主体登记管理条例》",
        ("住所（经营场所）与登记是否一致", "法定代表人、注册资本、经营范围等登记事项"),
        _MARKET_RESULTS,
    ),
    DemoItem(
        "SJ-02",
        "publicity",
        "general",
        Decimal("3"),
        Decimal("5"),
        ("written", "data_compare", "online"),
        (),
        "credit-publicity",
        "《企业信息公示暂行条例》（国务院令第654号）",
        ("年度报告公示信息真实性", "即时信息是否按规定公示"),
        _MARKET_RESULTS,
    ),
    DemoItem(
        "SJ-03",
        "advertising",
        "general",
        Decimal("1"),
        Decimal("5"),
        ("onsite", "online"),
        (),
        "advertising",
        "《中华人民共和国广告法》",
        ("金融广告是否含有保本、承诺收益等内容", "广告发布审查制度"),
        _MARKET_RESULTS,
    ),
    DemoItem(
        "GA-01",
        "premises-security",
        "key",
        Decimal("3"),
        None,
        ("onsite",),
        ("financial-premises",),
        "technical-prevention",
        "《金融机构营业场所和金库安全防范设施建设许可实施办法》",
        ("营业场所入侵报警、视频监控等安全防范设施", "金库安全防范设施与值守制度"),
        _POLICE_RESULTS,
    ),
    DemoItem(
        "GA-02",
        "security-service",
        "general",
        Decimal("3"),
        Decimal("10"),
        ("written", "onsite"),
        ("security-service",),
        "security-service",
        "《保安服务管理条例》（国务院令第564号）",
        ("保安员持证上岗", "保安服务合同与服务记录", "保安员培训与管理制度"),
        _POLICE_RESULTS,
    ),
]
