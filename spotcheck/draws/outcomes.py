"""Running a stored attempt again: its outcome, its final matching, its public bundle.

Nothing here writes: DRAW-v1 is re-run from the frozen inputs and the published
reveals, so every page, export and check rests on what anyone can recompute.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from spotcheck.core.draw import DrawError, DrawOutcome, Reveal, run_draw, write_bundle
from spotcheck.core.draw.final import FinalMatching, Replacement, final_matching
from spotcheck.draws.choices import ObjectState
from spotcheck.draws.models import DrawAttempt, DrawnObject
from spotcheck.draws.sources import public_value_of
from spotcheck.draws.storage import frozen_inputs, stored_file


def reveals_of(attempt: DrawAttempt) -> list[Reveal]:
    """The secrets the attempt's officials published."""
    return [
        Reveal(o.official_id, bytes.fromhex(o.secret))
        for o in attempt.officials.select_related("user")
        if o.secret
    ]


def rerun(attempt: DrawAttempt) -> DrawOutcome:
    """Run DRAW-v1 on an attempt's frozen inputs and published reveals."""
    ann, frame, pool, leaves, pairs = frozen_inputs(attempt)
    return run_draw(
        announcement=ann,
        frame=frame,
        pool=pool,
        avoidance_leaves=leaves,
        avoidance_pairs=pairs,
        reveals=reveals_of(attempt),
        public_value=public_value_of(attempt),
        jobs=settings.DRAW_JOBS,
    )


def replacements_of(attempt: DrawAttempt) -> list[Replacement]:
    """The attempt's replacements as DRAW-v1.1 rows (replacements.tsv), in canonical order."""
    rows = []
    for obj in DrawnObject.objects.filter(attempt=attempt, state=ObjectState.REPLACED):
        successor = DrawnObject.objects.filter(replaces=obj).values_list("entity_code", flat=True)
        rows.append(
            Replacement(
                obj.stratum,
                obj.replace_number or 0,
                obj.entity_code,
                obj.replace_reason,
                successor.first() or "",
            )
        )
    return sorted(rows, key=lambda r: (r.stratum.encode("utf-8"), r.number))


def final_of(attempt: DrawAttempt) -> tuple[DrawOutcome, FinalMatching]:
    """Re-run the draw and its final matching (after the replacements) from stored inputs."""
    outcome = rerun(attempt)
    _ann, frame, _pool, _leaves, _pairs = frozen_inputs(attempt)
    try:
        final = final_matching(outcome, frame.rows, replacements_of(attempt))
    except DrawError as exc:
        raise ValidationError(f"替补记录不符合抽取规则：{exc}") from exc
    active = set(
        DrawnObject.objects.filter(attempt=attempt)
        .exclude(state=ObjectState.REPLACED)
        .values_list("entity_code", flat=True)
    )
    if active != set(final.entities):
        raise ValidationError("派发名单与按替补规则得出的最终名单不一致，请联系平台管理员核查")
    return outcome, final


def draw_bundle_files(attempt: DrawAttempt) -> dict[str, bytes]:
    """Return the public DRAW-v1 bundle of a drawn attempt (avoidance list only opened
    for the drawn entities, as salted commitments otherwise)."""
    if not attempt.has_result:
        raise ValidationError("该次抽取尚未完成，没有可导出的数据包")
    outcome = rerun(attempt)
    _ann, frame, pool, leaves, _pairs = frozen_inputs(attempt)
    # from dispatch on the bundle is DRAW-v1.1: its replacements, then its final matching
    replacements = replacements_of(attempt) if attempt.drawn_objects.exists() else None
    final = (
        final_matching(outcome, frame.rows, replacements)
        if replacements is not None and attempt.matched_at is not None
        else None
    )
    with tempfile.TemporaryDirectory() as tmp:
        return write_bundle(
            Path(tmp),
            outcome=outcome,
            frame=frame,
            pool=pool,
            avoidance_leaves=leaves,
            reveals=reveals_of(attempt),
            replacements=replacements,
            final=final,
        )


def draw_verify_stored(attempt: DrawAttempt) -> list[str]:
    """Re-run a stored draw and compare every output file; return the differing names."""
    outcome = rerun(attempt)
    files = outcome.files()
    if attempt.matched_at is not None:
        _ann, frame, _pool, _leaves, _pairs = frozen_inputs(attempt)
        files.update(final_matching(outcome, frame.rows, replacements_of(attempt)).files())
        del files["replacements.tsv"]  # an input: made from the dispatched objects
    return [name for name, data in files.items() if stored_file(attempt, name) != data]


def draw_bundle_zip(attempt: DrawAttempt) -> tuple[str, bytes]:
    """Return the public bundle as (file name, zip bytes), one folder inside."""
    folder = f"draw-{attempt.task_id}-{attempt.number}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(draw_bundle_files(attempt).items()):
            archive.writestr(f"{folder}/{name}", data)
    return f"{folder}.zip", buffer.getvalue()
