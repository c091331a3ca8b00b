"""Password hashing: argon2id with the parameters OWASP recommends for interactive logins."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """argon2id, 19 MiB of memory, 2 passes, 1 lane (OWASP Password Storage Cheat Sheet).

    Django's own defaults (100 MiB, 8 lanes) cost about 0.3 s of CPU per sign-in on a
    2-core server, so a morning's sign-in burst of a few hundred inspectors would hold the
    web processes for minutes; these cost about 0.04 s and are the recommended minimum,
    not a weakening below it. Hashes made with other parameters are re-hashed with these
    at the user's next sign-in (``must_update``). See ADR 0014.
    """

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19_456
    parallelism = 1
