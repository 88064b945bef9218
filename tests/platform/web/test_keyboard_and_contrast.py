"""Keyboard use and contrast in a real headless Chromium: the first Tab reaches a visible skip
link that moves focus to the main content, every focused control shows a focus ring, the log-in
form works from the keyboard alone, and all text on the main pages has WCAG AA contrast against
what is behind it (4.5:1; 3:1 for large text)."""
import pytest

from tests.platform.web.site_pages import site_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For each element with text of its own: its colour, the first opaque background behind it
# (ancestors' background-color; none opaque: the canvas, white), and whether the text is large.
CONTRAST = r"""
const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
const lum = ({r, g, b}) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
const over = (top, under) => ({r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1});
const behind = e => { const layers = []; for (let n = e; n; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor); if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; } }
  return layers.reverse().reduce((under, top) => over(top, under), {r: 255, g: 255, b: 255, a: 1}); };
const found = [];
for (const e of document.body.querySelectorAll('*')) {
  if (e.closest('svg, [hidden], noscript, script, style, .cm-editor')) continue;
  const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  const s = getComputedStyle(e), box = e.getBoundingClientRect();
  if (!own || s.visibility !== 'visible' || s.display === 'none' || box.width === 0 || box.height === 0 || parseFloat(s.opacity) === 0) continue;
  if (e.matches(':disabled') || (e.classList.contains('skip-link') && document.activeElement !== e)) continue;
  const bg = behind(e), fg = over(parse(s.color), bg), size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
  const ratio = (Math.max(lum(fg), lum(bg)) + 0.05) / (Math.min(lum(fg), lum(bg)) + 0.05);
  const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  if (ratio < need) found.push(`${e.tagName.toLowerCase()}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''} "${e.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1 < ${need}`);
}
return found;
"""


def test_all_text_has_enough_contrast(browser, screenshot, live_server, log_in, eager_grading):
    problems = {}
    for page in site_pages():
        if page.path.startswith("/api/"):
            continue  # Swagger UI's own styles
        log_in(page.user)
        browser.get(live_server.url + page.path)
        low = browser.execute_script(CONTRAST)
        if low:
            problems[f"{page.name} ({page.path})"] = sorted(set(low))[:10]
            screenshot(page.name)
    assert problems == {}, "text below WCAG AA contrast:\n" + "\n".join(f"{name}:\n  " + "\n  ".join(low) for name, low in problems.items())


def _focus_ring(browser) -> dict:
    return browser.execute_script(
        "const e = document.activeElement, s = getComputedStyle(e);"
        "return {tag: e.tagName.toLowerCase(), cls: e.className, href: e.getAttribute('href'), style: s.outlineStyle,"
        " width: parseFloat(s.outlineWidth), top: e.getBoundingClientRect().top, left: e.getBoundingClientRect().left};")


def test_the_skip_link_comes_first_and_focus_is_always_visible(browser, screenshot, live_server, user, log_in):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    log_in(user)
    browser.get(live_server.url + "/")
    keys = ActionChains(browser)
    keys.send_keys(Keys.TAB).perform()
    first = _focus_ring(browser)
    assert (first["href"], first["style"]) == ("#main", "solid") and first["width"] >= 2 and first["top"] >= 0, first
    screenshot("1-skip-link")
    keys.send_keys(Keys.ENTER).perform()
    assert browser.execute_script("return document.activeElement.id") == "main"
    browser.get(live_server.url + "/")
    for _ in range(12):  # the brand, the menu, the account links, then the page's own controls
        keys.send_keys(Keys.TAB).perform()
        ring = _focus_ring(browser)
        assert ring["style"] != "none" and ring["width"] >= 2, f"no visible focus on {ring}"
    screenshot("2-focus-ring")


def test_logging_in_with_the_keyboard_alone(browser, screenshot, live_server, user):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(live_server.url + "/accounts/login/")
    keys = ActionChains(browser)
    for _ in range(20):
        keys.send_keys(Keys.TAB).perform()
        if browser.execute_script("return document.activeElement.name") == "username":
            break
    else:
        raise AssertionError("Tab never reached the username field")
    keys.send_keys(user.username, Keys.TAB, "correct-horse-battery", Keys.ENTER).perform()
    screenshot("logged-in")
    assert browser.find_elements(By.XPATH, f"//header//span[text()='{user.username}']"), "the keyboard log-in did not log in"


def test_the_contrast_check_finds_faint_text(browser, live_server):
    browser.get(live_server.url + "/accounts/login/")
    assert browser.execute_script(CONTRAST) == []
    browser.execute_script("""const m = document.getElementById('main');
      m.insertAdjacentHTML('beforeend', '<div style="background:#fff"><p style="color:#aaa">faint grey</p><p style="color:#767676">just enough</p>'
        + '<div style="background:#11161d"><span style="color:rgba(255,255,255,.3)">ghost</span></div>'
        + '<h2 style="color:#949494;font-size:24px">large and light</h2></div>');""")
    found = browser.execute_script(CONTRAST)
    assert [f.split('"')[1] for f in found] == ["faint grey", "ghost"], found  # #767676 on white is 4.54:1; #949494 at 24 px 3.03:1
