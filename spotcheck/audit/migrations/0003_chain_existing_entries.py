"""Chain the entries written before the chain existed, oldest first."""

from django.db import migrations

from spotcheck.audit.chain import GENESIS_HASH, ChainEntry, chain_algorithm, entry_hash


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    prev = GENESIS_HASH
    alg = chain_algorithm()
    for seq, event in enumerate(AuditEvent.objects.order_by("id").iterator(), start=1):
        entry = ChainEntry(
            seq=seq,
            time=event.created_at,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            action=event.event_type,
            target_type=event.target_type,
            target_id=event.target_id,
            target_label=event.target_label,
            data=event.data,
            prev=prev,
            alg=alg,
        )
        prev = entry_hash(entry)
        AuditEvent.objects.filter(pk=event.pk).update(
            seq=seq, hash_algorithm=alg, prev_hash=entry.prev, entry_hash=prev
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_fields")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
