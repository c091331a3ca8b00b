"""DRAW-v1: the verifiable draw of 双随机、一公开, framework-free (docs/draw-spec.md).

The Django layer calls, in order: `freeze_frame` / `freeze_pool` / `commit_avoidance`
→ `announce` → (officials reveal) → `run_draw` → `write_bundle`.  The lower-level
steps (`derive_seed`, `select_objects`, `draw_inspectors`, `match`) are public too.
"""

from __future__ import annotations

from spotcheck.core.draw.announce import (
    Announcement,
    Exclusion,
    FrozenFrame,
    FrozenPool,
    OfficialCommitment,
    PublicSource,
    SamplingPlan,
    announce,
    apply_exclusions,
    freeze_frame,
    freeze_pool,
)
from spotcheck.core.draw.bundle import Bundle, read_bundle, recompute, write_bundle
from spotcheck.core.draw.canonical import VERSION, FrameRow, InspectorRow, Item
from spotcheck.core.draw.commit import (
    AvoidanceCommitment,
    AvoidancePair,
    check_reveal,
    commit_avoidance,
    commitment,
    new_secret,
)
from spotcheck.core.draw.engine import DrawOutcome, run_draw
from spotcheck.core.draw.errors import (
    AnnouncementError,
    BundleError,
    DrawError,
    MalformedInputError,
    RevealMismatchError,
)
from spotcheck.core.draw.matching import InspectorDraw, Matching, draw_inspectors, match
from spotcheck.core.draw.sampling import ObjectSelection, next_reserve, select_objects
from spotcheck.core.draw.seed import DrawKeys, PublicValue, Reveal, derive_keys, derive_seed

__all__ = [
    "VERSION",
    "Announcement",
    "AnnouncementError",
    "AvoidanceCommitment",
    "AvoidancePair",
    "Bundle",
    "BundleError",
    "DrawError",
    "DrawKeys",
    "DrawOutcome",
    "Exclusion",
    "FrameRow",
    "FrozenFrame",
    "FrozenPool",
    "InspectorDraw",
    "InspectorRow",
    "Item",
    "MalformedInputError",
    "Matching",
    "ObjectSelection",
    "OfficialCommitment",
    "PublicSource",
    "PublicValue",
    "Reveal",
    "RevealMismatchError",
    "SamplingPlan",
    "announce",
    "apply_exclusions",
    "check_reveal",
    "commit_avoidance",
    "commitment",
    "derive_keys",
    "derive_seed",
    "draw_inspectors",
    "freeze_frame",
    "freeze_pool",
    "match",
    "new_secret",
    "next_reserve",
    "read_bundle",
    "recompute",
    "run_draw",
    "select_objects",
    "write_bundle",
]
