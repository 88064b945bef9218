"""Typing into the challenge editor as a person does, in the browser tests. Every file's editor
sits in an element carrying data-file="NAME" (DESIGN "Web"); the bundled CodeMirror editor
(web/editor.bundle.js) mounts a view there (`.cm-content`) with one tab per file
(`[data-tab-file=NAME]`) and hides the textarea; without the bundle the textarea is the editor.
Either way these helpers type with the keyboard, so CodeMirror's own key handling runs."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

EDITOR_MOUNT_S = 10


def wait_for_editor(browser, *, codemirror: bool) -> None:
    """Wait for the page's editor. codemirror=True insists on the bundled CodeMirror editor and
    fails, saying so, when it does not mount; False also takes the plain-textarea page."""
    if not codemirror and not browser.find_elements(By.CSS_SELECTOR, "script[src*='editor.bundle']"):
        return
    WebDriverWait(browser, EDITOR_MOUNT_S).until(  # a written answer's editor (data-mode=prose) stays a textarea
        lambda b: b.find_elements(By.CSS_SELECTOR, "[data-editor].editor-ready [data-file] .cm-content")
        or (not codemirror and b.find_elements(By.CSS_SELECTOR, "[data-editor][data-mode=prose].editor-ready")),
        "the CodeMirror editor did not mount in a [data-file] element (web/editor.bundle.js)")


def file_element(browser, name: str):
    found = browser.find_elements(By.CSS_SELECTOR, f'[data-file="{name}"]')
    assert found, f'no editor element with data-file="{name}" on {browser.current_url}'
    return found[0]


def focus_file(browser, name: str):
    """Open the file's tab (where tabs exist) and return the element that takes its keystrokes."""
    tabs = browser.find_elements(By.CSS_SELECTOR, f'[data-tab-file="{name}"]')
    if tabs and tabs[0].is_displayed():
        tabs[0].click()
    element = file_element(browser, name)
    editors = element.find_elements(By.CSS_SELECTOR, ".cm-content")
    target = editors[0] if editors else element if element.tag_name == "textarea" else element.find_element(By.TAG_NAME, "textarea")
    target.click()
    return target


def file_text(browser, name: str) -> str:
    element = file_element(browser, name)
    return browser.execute_script(
        "const e = arguments[0], cm = e.querySelector('.cm-content');"
        "if (cm) return [...cm.querySelectorAll('.cm-line')].map(l => l.textContent).join('\\n');"
        "const t = e.tagName === 'TEXTAREA' ? e : e.querySelector('textarea'); return t.value;", element)


def prepend_line(browser, name: str, line: str) -> None:
    """Type `line` as a new first line of the file (a line with no brackets or quotes to close, so
    CodeMirror's auto-closing and auto-indent leave it as typed)."""
    target = focus_file(browser, name)
    target.send_keys(Keys.CONTROL, Keys.HOME)
    target.send_keys(line, Keys.ENTER)


def replace_with_line(browser, name: str, line: str) -> None:
    """Replace the whole file with one line of code (select all, then type)."""
    target = focus_file(browser, name)
    target.send_keys(Keys.CONTROL, "a")
    target.send_keys(Keys.DELETE)
    target.send_keys(line)
