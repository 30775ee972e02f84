"""Driving the web chat in a real Chromium with Playwright: launch flags, axe-core, and the few steps every
browser test takes (open the page, ask, wait for the answer)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"  # `make browser` installs it
ANSWERED = "#conversation article.turn:not(.pending)"
STORAGE = "policy-assistant.conversation.v1"


def open_chat(context, url: str):
    page = context.new_page()
    page.goto(url + "/", wait_until="load")
    page.wait_for_selector("#question textarea", timeout=60000)
    page.wait_for_selector("#conversation > *", timeout=20000)  # the browser code has drawn the conversation
    page.wait_for_selector("#language input:not([disabled])", timeout=20000)  # and the server has labelled the page
    return page


def answered(page) -> int:
    return page.locator(ANSWERED).count()


def ask(page, question: str, timeout: float = 60000):
    """Type ``question``, send it with Enter and return the new answer's <article>."""
    before = answered(page)
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(f"document.querySelectorAll('{ANSWERED}').length > {before}", timeout=timeout)
    return page.locator(ANSWERED).nth(before)


def stored(page) -> list[dict]:
    """The conversation as the browser keeps it."""
    return page.evaluate(f"JSON.parse(localStorage.getItem('{STORAGE}') || '[]')")


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core's violations of those impacts on the page as it is now, one line each."""
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed ({AXE}); `make browser` installs it from npm")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                          ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                          " where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    return [f"{v['impact']} {v['id']}: {v['help']} at {v['where']}" for v in found if v["impact"] in impacts]
