"""Accessibility in a real Chromium: axe-core (the npm package, injected from .cache/npm) finds no serious or
critical violation on the chat (with answers, cards, feedback and the open clause viewer), library and admin
tabs, in the light and the dark theme the operating system asks for; one h1; every control named."""
import pytest

from .browser import ask, axe_violations, open_chat

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_axe_violations_on_any_tab(web_server, chromium, output_dir, scheme):
    page = open_chat(chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                          color_scheme=scheme), web_server)
    assert page.evaluate("document.body.classList.contains('dark')") == (scheme == "dark")
    found = {}
    ask(page, "上海对完成II期临床试验的1类创新药补贴多少钱？")  # an abstention, with see-also cards
    turn = ask(page, "多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？")
    turn.get_by_role("button", name="有帮助").click()  # the comment box appears
    turn.locator("textarea").wait_for()
    page.click("#filters")
    page.locator("#region-filter label", has_text="广东省").click()  # the filter badge
    page.wait_for_selector("#filter-badge .badge")
    found["chat"] = axe_violations(page)
    page.screenshot(path=str(output_dir / f"chat-{scheme}.png"), full_page=True)
    turn.locator(".cite-ref").first.click()
    page.wait_for_selector("#policy-viewer[open] mark")
    found["clause viewer"] = axe_violations(page)
    page.screenshot(path=str(output_dir / f"viewer-{scheme}.png"))
    page.keyboard.press("Escape")

    page.get_by_role("tab", name="政策库").click()
    page.get_by_role("button", name="广州南沙加快推进生物医药产业高质量发展的意见").click()
    page.wait_for_selector("#outline .outline-entry")
    found["library"] = axe_violations(page)
    page.screenshot(path=str(output_dir / f"library-{scheme}.png"), full_page=True)
    page.get_by_role("tab", name="管理").click()
    page.wait_for_selector("#admin-token input")
    found["admin"] = axe_violations(page)
    page.screenshot(path=str(output_dir / f"admin-{scheme}.png"), full_page=True)

    assert page.locator("h1").count() == 1
    assert not {where: v for where, v in found.items() if v}, found
    page.context.close()
