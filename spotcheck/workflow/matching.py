"""Random matching (随机匹配): the draw's final matching and the 一企一表 it generates.

Seed plan §三(三): "被检查对象和检查人员确定后，由平台随机匹配，自动生成一企一表".  The draws
context matches the final list (DRAW-v1.1); the inspections context turns the matching
into groups and records.  Both happen in one transaction, and the final files are stored
last, so that a failure anywhere leaves neither a matching nor records nor files behind.
"""

from __future__ import annotations

from django.db import transaction

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.core.draw.final import FinalMatching
from spotcheck.draws.matching import draw_match, final_files_store
from spotcheck.inspections.services.generation import records_generate


@transaction.atomic
def task_match(*, actor: User, task: Task) -> FinalMatching:
    """Match the task's final list, generate its 一企一表 records and store the final files.

    Runs only once: ``draw_match`` locks the task and refuses a second matching, so a
    double click matches once and the second click gets a clear message.
    """
    final = draw_match(actor=actor, task=task)
    records_generate(actor=actor, task=task, final=final)
    # files last: should a write fail, the transaction (records included) rolls back
    final_files_store(task=task, final=final)
    return final
