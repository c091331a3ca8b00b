"""Reads of the inspections context, one module per part; import from the part itself.

- ``records``: the joint records a user may read (the scope of every other read), the
  user's place in a record's group, the group's members and the user's own items;
- ``field``: an inspector's lists on the phone and the national result rules;
- ``review``: the departments' reviews of a record, its returns and re-signatures, the
  review queue and the lead office's confirmation queue;
- ``snapshot``: ``record_snapshot``, the one description of a record's content (web page,
  PDF and every stored version are rendered from it);
- ``sheet``: what the 随机抽查联合检查记录表 page and its PDF show;
- ``notice``: what the 检查通知书 and its short message say;
- ``conflicts``: entry conflicts, both sides of each and how it was settled;
- ``merging``: the proposals to visit an enterprise once for two tasks, and the decisions.
"""
