"""One confirmation step for every irreversible action (two-step POST, no script needed).

A view of an irreversible step calls ``confirm_first`` before it acts.  The first POST
(without ``confirmed=1``) gets a page rendered by the server that says in plain Chinese
what will happen and cannot be undone, carrying the posted fields in hidden inputs; only
its button posts them again with ``confirmed=1``.  Nothing is written until then, so a
double click, a stale page or a POST from elsewhere never acts without that page.

    def dispatch_view(request, pk):
        task = ...
        asked = confirm_first(request, Confirmation(title=..., consequences=[...], ...))
        if asked is not None:
            return asked
        draw_dispatch(...)

A form that uploads files uses ``confirmation_field`` instead: a required checkbox whose
label states the consequence, checked by the form on the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirmed"
_NOT_CARRIED = frozenset({"csrfmiddlewaretoken", CONFIRM_FIELD})


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says.

    ``consequences`` are plain sentences of what the step does; ``warnings`` are what the
    official must notice (shown highlighted), e.g. that a stratum will fall short.
    """

    title: str
    consequences: Sequence[str]
    button: str
    back_url: str
    warnings: Sequence[str] = field(default_factory=tuple)
    danger: bool = False
    details: Sequence[tuple[str, str]] = field(default_factory=tuple)
    irreversible: bool = True


def is_confirmed(request: HttpRequest) -> bool:
    """Tell whether the POST came from the confirmation page's button."""
    return request.POST.get(CONFIRM_FIELD) == "1"


def confirm_first(request: HttpRequest, confirmation: Confirmation) -> HttpResponse | None:
    """Return the confirmation page unless this POST confirms; None means: go ahead."""
    if is_confirmed(request):
        return None
    carried = [
        (name, value)
        for name in request.POST
        if name not in _NOT_CARRIED
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "common/confirm.html",
        {"confirmation": confirmation, "action": request.path, "carried": carried},
    )


def confirmation_field(consequence: str, refusal: str) -> forms.BooleanField:
    """The same confirmation as a required checkbox, for a form that uploads files (a
    two-step POST cannot carry them): ``consequence`` is its label, ``refusal`` the error
    when it is left unticked; the form is refused and nothing is written."""
    return forms.BooleanField(
        label=consequence, required=True, error_messages={"required": refusal}
    )
