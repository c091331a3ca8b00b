"""What a reader sees of a page: the text of its main part, without markup or attributes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# A dotted code such as campaigns.task.transitioned or accounts.department
DOTTED_CODE = re.compile(r"(?<![\w.])[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+(?![\w.])")


class _MainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False  # inside <main>
        self.skip = 0  # inside <script> or <style>
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.inside = True
        if tag in {"script", "style"}:
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.inside = False
        if tag in {"script", "style"}:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.inside and not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """Return the text inside ``<main>``, as a reader sees it (tags and attributes dropped)."""
    parser = _MainText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def dotted_codes(html: str) -> list[str]:
    """Return the dotted codes a reader would see on the page."""
    return DOTTED_CODE.findall(visible_text(html))
