"""The national result code table (domain.md §2), loaded by a data migration.

(code, label, parent, flags) where flags is a set of: exclusive, requires_child,
terminal, follow_up, abnormal.  A GS52—2017 mapping can be added as a column later.
"""

from __future__ import annotations

RESULT_CODES: list[tuple[str, str, str | None, frozenset[str]]] = [
    ("1", "未发现问题", None, frozenset({"exclusive"})),
    ("A", "发现问题待后续处理", None, frozenset({"requires_child", "follow_up"})),
    ("2", "违反工商行政管理相关规定", "A", frozenset({"requires_child", "follow_up"})),
    ("B", "未按规定公示应当公示的信息", "2", frozenset({"follow_up", "abnormal"})),
    ("C", "公示信息隐瞒真实情况弄虚作假", "2", frozenset({"follow_up", "abnormal"})),
    ("6", "通过登记的住所（经营场所）无法联系", "2", frozenset({"follow_up", "abnormal"})),
    ("D", "违反其他工商行政管理规定行为", "2", frozenset({"follow_up"})),
    ("3", "违反食品药品管理相关规定", "A", frozenset({"follow_up"})),
    ("4", "违反质量技术监督相关规定", "A", frozenset({"follow_up"})),
    ("5", "违反其他部门相关规定", "A", frozenset({"follow_up"})),
    ("G", "违反公安部门相关规定", "A", frozenset({"follow_up"})),
    ("E", "发现问题经责令已改正", None, frozenset()),
    ("F", "未发现开展本次抽查涉及的经营活动", None, frozenset()),
    ("7", "已关闭停业或正在组织清算", None, frozenset()),
    ("8", "不配合检查情节严重", None, frozenset({"follow_up"})),
    ("9", "注销", None, frozenset({"terminal"})),
    ("10", "被吊销", None, frozenset({"terminal"})),
    ("11", "被撤销", None, frozenset({"terminal"})),
    ("12", "迁出", None, frozenset({"terminal"})),
]
