"""At a 390-px-wide viewport (a phone held upright) no page scrolls sideways:
document.documentElement.scrollWidth <= window.innerWidth on the catalog, a challenge, a result,
a report and every other main page (site_pages.py). A table too wide for the screen may scroll
inside itself; the page may not. A failure names the elements that stick out."""
import pytest

from tests.platform.web.site_pages import site_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The page's width against the viewport's, and the innermost elements whose right edge passes
# the viewport (inside a scrolling box too: they name what a table or a pre holds).
MEASURE = """
const w = window.innerWidth, doc = document.documentElement;
const past = e => e.getBoundingClientRect().right > w + 0.5;
const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
const wide = [...document.body.querySelectorAll('*')].filter(past).filter(e => ![...e.children].some(past));
return {scrollWidth: doc.scrollWidth, innerWidth: w, clientWidth: doc.clientWidth, wide: wide.slice(0, 8).map(e => name(e) + ' right=' + Math.round(e.getBoundingClientRect().right))};
"""


def test_no_main_page_scrolls_sideways_at_390_px(narrow, screenshot, live_server, log_in, eager_grading):
    pages = site_pages()
    assert len(pages) >= 20
    overflowing = {}
    for page in pages:
        log_in(page.user)
        narrow.get(live_server.url + page.path)
        measured = narrow.execute_script(MEASURE)
        assert measured["innerWidth"] == 390, measured
        screenshot(page.name, full_page=True)
        assert narrow.execute_script("return window.innerWidth") == 390  # the capture left the viewport as it was
        # innerWidth counts a classic vertical scrollbar, clientWidth does not: both hold only
        # when nothing is wider than the page (a phone's scrollbars take no width)
        if measured["scrollWidth"] > min(measured["innerWidth"], measured["clientWidth"]):
            overflowing[f"{page.name} ({page.path})"] = measured
    assert overflowing == {}, "pages wider than a 390-px screen (scrollWidth > innerWidth or clientWidth):\n" + "\n".join(
        f"{name}: {m['scrollWidth']} px (client {m['clientWidth']}); sticking out: {', '.join(m['wide'])}" for name, m in overflowing.items())


def test_the_site_menu_wraps_instead_of_widening_the_page(narrow, screenshot, live_server, log_in, user):
    from selenium.webdriver.common.by import By

    user.is_staff = True  # the longest menu: reviews and admin too
    user.save()
    log_in(user)
    narrow.get(live_server.url + "/")
    header = narrow.find_element(By.CSS_SELECTOR, "header.site-header")
    links = header.find_elements(By.CSS_SELECTOR, "a, button")
    assert len(links) >= 10
    assert all(link.is_displayed() and link.rect["x"] + link.rect["width"] <= 390 for link in links)
    assert narrow.execute_script("return document.documentElement.scrollWidth") <= 390
    screenshot("menu")
