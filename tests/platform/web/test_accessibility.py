"""Accessible pages, checked on every main page's HTML (site_pages.py) with the Django test
client, so it runs without a browser: every form control has a label, each page has one <h1>
and headings that never skip a level, images have alt text, the page has a language and a skip
link to its main content as the first thing a keyboard reaches. The API docs are third-party
pages (Swagger UI) and are left out. test_keyboard_and_contrast.py checks focus and contrast in
Chromium."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.platform.web.site_pages import Page, site_pages

pytestmark = pytest.mark.django_db(transaction=True)

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}  # their value or alt is their name
FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary"}


class PageOutline(HTMLParser):
    """What the checks need from one page: controls and their labels, headings, images, the
    first focusable element, the main landmark."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.controls: list[dict] = []  # {"tag", "id", "name", "named": bool}
        self.label_for: set[str] = set()
        self.headings: list[int] = []
        self.images_without_alt: list[str] = []
        self.first_focusable: dict | None = None
        self.lang = ""
        self.main_id = ""
        self._label_depth = 0
        self._in_template = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self._in_template += 1
        if self._in_template:
            return
        if tag == "html":
            self.lang = a.get("lang") or ""
        elif tag == "main":
            self.main_id = a.get("id") or ""
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append(int(tag[1]))
        elif tag == "img" and a.get("alt") is None:
            self.images_without_alt.append(a.get("src") or "?")
        if tag in ("input", "select", "textarea") and (a.get("type") or "").lower() not in UNLABELLED_TYPES:
            named = self._label_depth > 0 or bool(a.get("aria-label") or a.get("aria-labelledby") or a.get("title"))
            self.controls.append({"tag": tag, "id": a.get("id") or "", "name": a.get("name") or "", "named": named})
        if self.first_focusable is None and tag in FOCUSABLE and (tag != "a" or a.get("href")) and "hidden" not in a:
            self.first_focusable = {"tag": tag, **a}

    def handle_endtag(self, tag):
        if tag == "template":
            self._in_template -= 1
        elif tag == "label" and self._label_depth:
            self._label_depth -= 1

    def unlabelled(self) -> list[str]:
        return [f"<{c['tag']} name={c['name']!r} id={c['id']!r}>" for c in self.controls if not (c["named"] or c["id"] in self.label_for)]

    def skipped_levels(self) -> list[str]:
        return [f"h{a} then h{b}" for a, b in zip(self.headings, self.headings[1:]) if b > a + 1]


def outline_of(client: Client, page: Page) -> PageOutline:
    if page.user is None:
        client.logout()
    else:
        client.force_login(page.user)
    response = client.get(page.path)
    assert response.status_code in (200, 404), (page, response.status_code)
    outline = PageOutline()
    outline.feed(response.content.decode())
    return outline


def test_the_outline_reader_finds_what_is_missing():
    outline = PageOutline()
    outline.feed('<html><body><h1>A</h1><h3>skipped</h3><label for="a">A</label><input id="a" name="a"><input name="b">'
                 '<label>C <input name="c"></label><input name="d" aria-label="D"><input type="hidden" name="e"><img src="x.png">'
                 '<select name="f"></select><textarea name="g" title="G"></textarea></body></html>')
    assert outline.unlabelled() == ["<input name='b' id=''>", "<select name='f' id=''>"]
    assert outline.skipped_levels() == ["h1 then h3"] and outline.images_without_alt == ["x.png"] and outline.lang == ""


def test_every_page_is_labelled_outlined_and_skippable(eager_grading):
    client, problems = Client(), {}
    pages = [page for page in site_pages() if not page.path.startswith("/api/")]
    for page in pages:
        outline = outline_of(client, page)
        found = []
        if outline.unlabelled():
            found.append(f"controls without a label: {', '.join(outline.unlabelled())}")
        if outline.headings.count(1) != 1 or not outline.headings or outline.headings[0] != 1:
            found.append(f"headings {outline.headings}: the page needs one <h1>, first")
        if outline.skipped_levels():
            found.append(f"heading levels skipped: {', '.join(outline.skipped_levels())}")
        if outline.images_without_alt:
            found.append(f"images without alt: {outline.images_without_alt}")
        if outline.lang != "en" or outline.main_id != "main":
            found.append(f"lang={outline.lang!r}, main id={outline.main_id!r}")
        first = outline.first_focusable or {}
        if first.get("href") != "#main" or "skip-link" not in (first.get("class") or ""):
            found.append(f"the first focusable element is {first}, not the skip link")
        if found:
            problems[f"{page.name} ({page.path})"] = found
    assert problems == {}, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in problems.items())
    assert sum(len(outline_of(client, p).controls) for p in pages[:3]) > 0  # the reader saw the forms
