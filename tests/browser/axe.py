"""axe-core accessibility checks on every page the browser tests open (WCAG 2.1 AA).

The vendored ``vendor/axe-core/axe.min.js`` (ADR 0018) is evaluated in the page by
Playwright — the site's Content-Security-Policy is left as it is. A page is checked

- after every ``page.goto`` / ``page.reload`` and before it (the page being left),
- when a ``page.expect_navigation`` block starts (the page being left) and ends,
- before every screenshot (``shot`` and the one taken when a test ends),

each distinct state once per test (URL and document size). Serious and critical
violations of the wcag2a, wcag2aa and wcag21aa rules fail the test when it ends, with
the rule id, the impact, the CSS selector and the page URL of each failing element.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text(
    encoding="utf-8"
)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]
FAILING_IMPACTS = frozenset({"serious", "critical"})


@dataclass(frozen=True)
class AxeException:
    """A violation accepted on purpose: the rule, where (regexes) and why."""

    rule: str
    url: str  # regex searched in the page URL
    selector: str  # regex searched in the element's CSS selector
    reason: str


# Accepted violations, each with its reason. Keep it empty: fix the page instead.
AXE_EXCEPTIONS: tuple[AxeException, ...] = ()

_RUN = """async (tags) => {
  // colours are read once transitions (a button being pressed) have ended
  await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)));
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({
      impact: n.impact || v.impact,
      target: n.target.map((t) => Array.isArray(t) ? t.join(" >>> ") : t).join(" | "),
      summary: (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 300),
    })),
  }));
}"""


@dataclass(frozen=True)
class Violation:
    url: str
    rule: str
    impact: str
    selector: str
    help: str
    summary: str

    def line(self) -> str:
        return (
            f"{self.rule} [{self.impact}] {self.selector}\n"
            f"    page: {self.url}\n    {self.help}. {self.summary}"
        )


def _excepted(v: Violation) -> bool:
    return any(
        e.rule == v.rule and re.search(e.url, v.url) and re.search(e.selector, v.selector)
        for e in AXE_EXCEPTIONS
    )


def axe_violations(page: Page) -> list[Violation]:
    """Run axe on the page as it is now; every serious or critical failing element."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    found = page.evaluate(_RUN, AXE_TAGS)
    violations = [
        Violation(page.url, v["id"], n["impact"], n["target"], v["help"], n["summary"])
        for v in found
        for n in v["nodes"]
        if n["impact"] in FAILING_IMPACTS
    ]
    return [v for v in violations if not _excepted(v)]


@dataclass
class AxeAudit:
    """The pages of one test, checked at each navigation and screenshot."""

    seen: set[tuple[str, int]] = field(default_factory=set)
    violations: list[Violation] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def check(self, page: Page) -> None:
        if page.is_closed():
            return
        try:
            state = page.evaluate(
                "() => [document.contentType, document.documentElement.outerHTML.length]"
            )
        except PlaywrightError:  # the page is navigating; it is checked once it has loaded
            return
        content_type, size = state
        if content_type != "text/html" or page.url.startswith(("about:", "data:")):
            return
        key = (page.url, size)
        if key in self.seen:
            return
        self.seen.add(key)
        try:
            found = axe_violations(page)
        except PlaywrightError as exc:
            if "context was destroyed" in str(exc) or "navigation" in str(exc).lower():
                self.seen.discard(key)  # left while being checked: checked on the next stop
                return
            raise
        self.checked.append(page.url)
        for v in found:
            if v not in self.violations:
                self.violations.append(v)

    def watch(self, page: Page) -> None:
        """Check ``page`` around its navigations and before its screenshots."""
        goto, reload, screenshot = page.goto, page.reload, page.screenshot
        expect_navigation = page.expect_navigation

        def checked_goto(*args: Any, **kwargs: Any) -> Any:
            self.check(page)
            response = goto(*args, **kwargs)
            self.check(page)
            return response

        def checked_reload(*args: Any, **kwargs: Any) -> Any:
            self.check(page)
            response = reload(*args, **kwargs)
            self.check(page)
            return response

        def checked_screenshot(*args: Any, **kwargs: Any) -> Any:
            try:
                self.check(page)
            finally:
                result = screenshot(*args, **kwargs)
            return result

        @contextlib.contextmanager
        def checked_navigation(*args: Any, **kwargs: Any) -> Iterator[Any]:
            self.check(page)
            with expect_navigation(*args, **kwargs) as info:
                yield info
            self.check(page)

        page.goto = checked_goto  # type: ignore[method-assign]
        page.reload = checked_reload  # type: ignore[method-assign]
        page.screenshot = checked_screenshot  # type: ignore[method-assign]
        page.expect_navigation = checked_navigation  # type: ignore[method-assign,assignment]

    def report(self) -> str:
        lines = [v.line() for v in self.violations]
        return (
            f"axe-core: {len(self.violations)} serious/critical WCAG 2.1 AA violation(s) "
            f"(rule [impact] selector; exceptions: tests/browser/axe.py AXE_EXCEPTIONS)\n"
            + "\n".join(lines)
        )
