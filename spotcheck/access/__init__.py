"""Who may do what: the role sets and the access gates, in one place.

Import the gates from ``spotcheck.access.gates`` and the role sets from
``spotcheck.access.roles``. This package imports nothing of the other contexts; it
sits just above ``spotcheck.core`` so that every context can use it.
"""
