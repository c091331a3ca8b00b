from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from spotcheck.core.entrymerge import Content, Decision, Draft, ItemState, decide

EMPTY = Content("", (), "")
X = Content("消防通道堵塞", ("02", "0201"), "")
Y = Content("未发现问题", ("01",), "")


def test_a_write_based_on_the_current_version_applies() -> None:
    item = ItemState(EMPTY)
    assert item.write(X, base_version=0, author=1) == (Decision.APPLY, None)
    assert (item.content, item.version, item.author) == (X, 1, 1)


def test_a_write_based_on_an_older_version_is_kept_as_a_conflicting_draft() -> None:
    # given: A wrote X on version 0
    item = ItemState(EMPTY)
    item.write(X, base_version=0, author=1)
    # when: B, who also saw version 0, writes Y
    decision, draft = item.write(Y, base_version=0, author=2)
    # then: X stays, Y is kept beside it
    assert decision is Decision.CONFLICT
    assert draft == Draft(content=Y, author=2, base_version=0, current_version=1)
    assert (item.content, item.version, item.author) == (X, 1, 1)


def test_the_same_content_changes_nothing_whatever_its_base() -> None:
    item = ItemState(X, version=3, author=1)
    assert item.write(Content(" 消防通道堵塞 ", ("0201", "02"), ""), base_version=0, author=2) == (
        Decision.UNCHANGED,
        None,
    )
    assert item.version == 3


def test_a_write_without_a_base_cannot_replace_another_inspectors_entry() -> None:
    assert (
        decide(
            current=X, current_version=1, current_author=1, incoming=Y, base_version=None, author=2
        )
        is Decision.CONFLICT
    )
    assert (
        decide(
            current=X, current_version=1, current_author=2, incoming=Y, base_version=None, author=2
        )
        is Decision.APPLY
    )
    assert (
        decide(
            current=EMPTY,
            current_version=0,
            current_author=None,
            incoming=Y,
            base_version=None,
            author=2,
        )
        is Decision.APPLY
    )


# --------------------------------------------------------------------------- property


@dataclass
class Phone:
    """One inspector's phone as field-record.js keeps it: a draft, its base, a dirty flag."""

    author: int
    content: Content = EMPTY
    base: int = 0
    dirty: bool = False


@dataclass
class Trace:
    applied: dict[int, int] = field(default_factory=dict)  # version -> base of its write
    sent: list[tuple[Content, Decision, int, Draft | None]] = field(default_factory=list)


texts = st.sampled_from(["", "甲", "乙", "丙", "甲乙", "无问题"])
code_sets = st.sampled_from([(), ("01",), ("02", "0201"), ("03",)])
actions = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.integers(0, 1), texts, code_sets),
        st.tuples(st.just("sync"), st.integers(0, 1), st.just(""), st.just(())),
        st.tuples(st.just("reload"), st.integers(0, 1), st.just(""), st.just(())),
    ),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(actions)
def test_no_entered_text_is_ever_lost_over_any_interleaving_of_two_writers(
    steps: list[tuple[str, int, str, tuple[str, ...]]],
) -> None:
    # given: one item, two phones that both loaded it empty
    item = ItemState(EMPTY)
    phones = [Phone(author=1), Phone(author=2)]
    trace = Trace()
    drafts: list[Draft] = []
    # when: they edit, sync and reload in any order
    for kind, who, text, codes in steps:
        phone = phones[who]
        if kind == "edit":
            phone.content = Content(text, codes, "")
            phone.dirty = True
        elif kind == "sync" and phone.dirty:
            decision, draft = item.write(phone.content, base_version=phone.base, author=who + 1)
            trace.sent.append((phone.content, decision, item.version, draft))
            if decision is Decision.APPLY:
                trace.applied[item.version] = phone.base
            if draft is not None:
                drafts.append(draft)
            # applied or unchanged: the phone now stands on the server's version;
            # a conflict: the server's entry is shown and the phone's text is in the draft
            phone.content, phone.base, phone.dirty = item.content, item.version, False
        elif kind == "reload" and not phone.dirty:
            phone.content, phone.base = item.content, item.version
    # then: every text sent is the current entry, a recorded conflicting draft, or was
    # replaced by a write whose author had seen it (based on its version)
    for content, decision, version, draft in trace.sent:
        if decision is Decision.CONFLICT:
            assert draft is not None
            assert draft.content == content
            assert draft in drafts
            continue
        assert version <= item.version
        if version == item.version:
            assert item.content.same_as(content)
        else:
            assert trace.applied[version + 1] == version
