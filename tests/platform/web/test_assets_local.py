"""No page loads anything from outside the app: every asset URL of every main page (scripts,
stylesheets, images, frames, CSS url() and @import, in the page and in its stylesheets) is
same-origin. Two ways: the HTML of each page as the Django test client gets it, parsed here (runs
without a browser), and each page in Chromium, which also reports every request it made (its
resource timing entries and the DevTools network log), so nothing a script adds escapes."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory

from tests.platform.web.site_pages import Page, site_pages

pytestmark = pytest.mark.django_db(transaction=True)

INLINE_SCHEMES = {"data", "blob", "about", "javascript"}  # no request leaves the page for these
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
# (tag, attribute) pairs whose value the browser fetches on its own.
FETCHED = {("script", "src"), ("link", "href"), ("img", "src"), ("img", "srcset"), ("iframe", "src"), ("frame", "src"),
           ("source", "src"), ("source", "srcset"), ("video", "src"), ("video", "poster"), ("audio", "src"), ("track", "src"),
           ("embed", "src"), ("object", "data"), ("input", "src"), ("image", "href"), ("use", "href"), ("image", "xlink:href"),
           ("use", "xlink:href")}
EXTRA_PAGES = [Page("api docs redoc", "/api/docs/redoc/")]


class AssetURLs(HTMLParser):
    """Every URL a page's HTML makes the browser fetch: FETCHED attributes, style attributes and
    <style> blocks (url(), @import)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (tag, name) in FETCHED:
                self.urls += _srcset(value) if name == "srcset" else [value.strip()]
            elif value and name == "style":
                self.urls += css_urls(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls += css_urls(data)


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def css_urls(text: str) -> list[str]:
    return [(m.group(2) or m.group(4) or "").strip() for m in CSS_URL.finditer(text) if (m.group(2) or m.group(4) or "").strip()]


def is_outside(url: str, *, page_url: str) -> bool:
    """Whether fetching `url`, found on `page_url`, leaves the page's origin."""
    if urlsplit(url).scheme.lower() in INLINE_SCHEMES:
        return False
    target, page = urlsplit(urljoin(page_url, url)), urlsplit(page_url)
    return (target.scheme, target.netloc) != (page.scheme, page.netloc)


def page_asset_urls(html: str) -> list[str]:
    parser = AssetURLs()
    parser.feed(html)
    return parser.urls


def stylesheet_urls(url: str, *, seen: set[str]) -> list[tuple[str, str]]:
    """(stylesheet, url) for every url() and @import in an app stylesheet and those it imports."""
    path = urlsplit(url).path
    if not path.startswith("/static/") or not path.endswith(".css") or path in seen:
        return []
    seen.add(path)
    found = finders.find(path[len("/static/"):])
    assert found, f"{path} is linked but no app serves it"
    with open(found, encoding="utf-8") as handle:
        inner = css_urls(handle.read())
    out = [(path, u) for u in inner]
    for u in inner:
        out += stylesheet_urls(urljoin(path, u), seen=seen)
    return out


def outside_assets_of(client: Client, page: Page) -> tuple[list[str], list[str]]:
    """(every asset URL found, the ones from outside the app) for one page."""
    if page.user is None:
        client.logout()
    else:
        client.force_login(page.user)
    response = client.get(page.path)
    assert response.status_code in (200, 404), (page, response.status_code)
    page_url = "http://testserver" + page.path
    urls = page_asset_urls(response.content.decode())
    seen: set[str] = set()
    for url in list(urls):
        if not is_outside(url, page_url=page_url):
            urls += [f"{u} (in {sheet})" if is_outside(u, page_url=page_url) else u for sheet, u in stylesheet_urls(url, seen=seen)]
    return urls, [u for u in urls if is_outside(u.split(" (in ")[0], page_url=page_url)]


def test_the_checker_finds_what_would_leave_the_app():
    html = """<link rel="stylesheet" href="https://cdn.example.com/x.css"><link rel="preconnect" href="//fonts.gstatic.com">
      <script src="/static/web/editor.bundle.js"></script><img src="logo.png" srcset="a.png 1x, https://img.example.com/b.png 2x">
      <div style="background: url('http://evil.example/bg.png')"></div><style>@import "https://x.example/a.css";</style>
      <iframe src="data:text/html,hi"></iframe><svg><use href="https://icons.example/sprite.svg#a"></use></svg>"""
    urls = page_asset_urls(html)
    outside = [u for u in urls if is_outside(u, page_url="http://testserver/challenges/x/")]
    assert outside == ["https://cdn.example.com/x.css", "//fonts.gstatic.com", "https://img.example.com/b.png",
                       "http://evil.example/bg.png", "https://x.example/a.css", "https://icons.example/sprite.svg#a"]
    assert not is_outside("http://testserver/static/a.css", page_url="http://testserver/")
    assert is_outside("https://testserver/static/a.css", page_url="http://testserver/")  # another scheme is another origin


def test_every_page_loads_only_the_apps_own_assets(eager_grading):
    client, report, counted = Client(), {}, 0
    for page in [*site_pages(), *EXTRA_PAGES]:
        urls, outside = outside_assets_of(client, page)
        assert any(u.endswith((".css", ".js")) for u in urls), f"{page.name}: no stylesheet or script found: the parser missed the page's assets"
        counted += len(urls)
        if outside:
            report[f"{page.name} ({page.path})"] = outside
    assert report == {}, "assets loaded from outside the app:\n" + json.dumps(report, indent=2)
    assert counted > 50


def test_the_error_pages_load_only_the_apps_own_assets(settings):
    from web import error_views

    settings.DEBUG = False
    request = RequestFactory().get("/somewhere/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    for response in (error_views.server_error(request), error_views.page_not_found(request, None),
                     error_views.permission_denied(request, None), error_views.bad_request(request, None),
                     error_views.csrf_failure(request, "")):
        urls = page_asset_urls(response.content.decode())
        assert "/static/web/site.css" in urls
        assert [u for u in urls if is_outside(u, page_url="http://testserver/somewhere/")] == []


# What the browser saw: the URL of every element that fetches, every resource timing entry, and
# every url() in the rules of every stylesheet it applied (one it could not read is from elsewhere).
BROWSER_URLS = r"""
const urls = [];
for (const e of document.querySelectorAll('script[src], link[href], img[src], iframe[src], source[src], video[src], audio[src], embed[src], object[data]'))
  urls.push(e.src || e.href || e.data);
for (const entry of performance.getEntriesByType('resource')) urls.push(entry.name);
for (const sheet of document.styleSheets) {
  let rules;
  try { rules = sheet.cssRules; } catch (err) { urls.push(sheet.href || 'an unreadable stylesheet'); continue; }
  for (const rule of rules) for (const m of rule.cssText.matchAll(/url\("?([^")]+)"?\)/g)) urls.push(new URL(m[1], sheet.href || location.href).href);
}
return urls;
"""


def _requests_sent(browser) -> list[str]:
    """Every URL the browser asked the network for since the last call (DevTools' network log)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@pytest.mark.browser
def test_in_chromium_no_page_fetches_anything_from_outside(browser, screenshot, live_server, log_in, eager_grading):
    import time

    report, requests = {}, 0
    for page in [*site_pages(), *EXTRA_PAGES]:
        log_in(page.user)
        _requests_sent(browser)  # drop the log-in's
        browser.get(live_server.url + page.path)
        time.sleep(0.5)  # the API docs fetch their schema once the page has loaded
        sent = _requests_sent(browser)
        assert any(u.startswith(live_server.url + page.path.split("?")[0]) for u in sent), (page, sent)
        requests += len(sent)
        urls = [*browser.execute_script(BROWSER_URLS), *sent]
        outside = sorted({u for u in urls if is_outside(u, page_url=browser.current_url)})
        if outside:
            report[f"{page.name} ({page.path})"] = outside
            screenshot(page.name)
    assert report == {}, "fetched from outside the app:\n" + json.dumps(report, indent=2)
    assert requests > 50
