"""Writes of the field work on a joint record (一企一表), every one audited.

notice → entries (autosaved drafts from the phone, idempotent by a client-generated id)
→ photos → signatures (the record is then frozen and submitted for review)
→ corrections with a reason (each a new version) → departments' review → lead confirmation.

One module per part; import from the part itself:

- ``base``: what every write on a record starts with (the row lock, the member check, the
  client's submission id, the state move, the re-signature rule);
- ``notice``: the check date, the materials and the notice's delivery;
- ``entries``: the entries from the phone and the settlement of entry conflicts;
- ``photos``: the photos of the items;
- ``signing``: the signatures on site and the enterprise's signature again;
- ``review``: the departments' review and the lead department's confirmation;
- ``generation``: the groups and the records of a task, from its final matching;
- ``merging``: the decisions on merged visits.
"""
