"""The workflow layer: the only place where one context's step sets off another's.

A service in a context (campaigns, draws, inspections, publicity, followup …) changes
that context alone. When one business step must carry on into other contexts — a record
approved is published and opens its follow-up cases; a matching confirmed generates the
一企一表 — the step is a function here that calls each context's services in order, in
one transaction. The pages that show several contexts at once (the workbench, the inbox,
the task board) live here as well. Nothing below this layer imports it.
"""
