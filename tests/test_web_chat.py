"""The conversation in a real Chromium: answers that keep their own citations, [n] markers that open the right
clause, New chat, reload, export, filters, the language switch, keyboard-only use and a phone screen."""
import pytest
from playwright.sync_api import expect

from .browser import ANSWERED, answered, ask, open_chat, stored

pytestmark = pytest.mark.slow
DESKTOP = {"viewport": {"width": 1400, "height": 1000}, "locale": "zh-CN"}
FIRST = "南沙种子投资基金的投资损失允许率是多少？"
ETHICS = "多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？"


def viewer_mark(page) -> str:
    return page.wait_for_selector("#policy-viewer[open] .viewer-body mark", timeout=20000).inner_text()


def close_viewer(page) -> None:
    page.keyboard.press("Escape")
    page.wait_for_selector("#policy-viewer", state="hidden", timeout=5000)


def test_two_turns_keep_their_cards_markers_open_their_clause_and_new_chat_forgets(web_server, chromium, output_dir):
    context = chromium.new_context(**DESKTOP, accept_downloads=True)
    page = open_chat(context, web_server)
    first = ask(page, FIRST)
    first_cards = first.locator(".card").all_inner_texts()
    assert first_cards and "广州南沙加快推进生物医药产业高质量发展的意见" in first_cards[0]
    second = ask(page, "那杭州呢？")
    assert "按上文理解为" in second.inner_text()  # the follow-up was made standalone
    assert first.locator(".card").all_inner_texts() == first_cards  # the first answer kept its own cards
    assert second.locator(".card").count() >= 1

    kept = stored(page)
    assert [m["asked"] for m in kept] == [FIRST, "那杭州呢？"]
    for turn, record in ((first, kept[0]), (second, kept[1])):
        for citation in record["citations"]:  # each [n] opens its own quote, in its own document
            turn.locator(".cite-ref", has_text=f"[{citation['n']}]").first.click()
            assert viewer_mark(page) == citation["quote"]
            assert citation["document_title"] in page.inner_text("#viewer-title")
            close_viewer(page)
    page.screenshot(path=str(output_dir / "two-turns.png"), full_page=True)

    first.get_by_role("button", name="有帮助").click()
    page.wait_for_selector(f"#turn-{kept[0]['id']} .fb-status", timeout=20000)
    page.reload()
    page.wait_for_selector(ANSWERED, timeout=20000)  # the conversation survives a reload
    assert answered(page) == 2 and page.locator(ANSWERED).first.locator(".card").all_inner_texts() == first_cards
    assert page.locator(f"#turn-{kept[0]['id']} .vote[aria-pressed=true]").inner_text().strip() == "有帮助"

    with page.expect_download() as download:
        page.click("#export")
    markdown = open(download.value.path(), encoding="utf-8").read()
    assert download.value.suggested_filename.endswith(".md")
    assert f"## 1. {FIRST}" in markdown and "## 2. 那杭州呢？" in markdown and "评价：👍 有帮助" in markdown
    for record in kept:
        for c in record["citations"]:
            assert c["document_title"] in markdown and c["clause_path"] in markdown and f"> {c['quote']}" in markdown
            assert not c["doc_number"] or c["doc_number"] in markdown

    page.click("#new-chat")
    page.wait_for_selector("#conversation .welcome", timeout=20000)
    assert stored(page) == []
    after = ask(page, "那杭州呢？")  # nothing to follow up any more: asked as it stands
    assert "按上文理解为" not in after.inner_text() and stored(page)[0]["rewritten"] is None
    context.close()


def test_filters_show_a_badge_even_folded_away_and_new_chat_clears_them(web_server, chromium):
    page = open_chat(chromium.new_context(**DESKTOP), web_server)
    page.click("#filters")
    page.locator("#region-filter label", has_text="杭州").click()
    page.click("#filters")  # folded away again
    page.wait_for_selector("#filter-badge:has-text('筛选已开启')", timeout=20000)
    assert "地区：杭州" in page.inner_text("#filter-badge") and "1 项生效" in page.inner_text("#filters")
    turn = ask(page, "How much can a category-1 drug get?")
    assert "只在这些范围内查找：杭州" in turn.inner_text() and stored(page)[0]["filters"]["regions"] == ["杭州"]
    assert all("Hangzhou" in card for card in turn.locator(".card").all_inner_texts())
    page.click("#new-chat")
    page.wait_for_selector("#filter-badge:has-text('筛选已开启')", state="detached", timeout=20000)
    page.click("#filters")
    assert not page.locator("#region-filter input:checked").count()
    page.context.close()


def test_questions_and_documents_are_shown_as_text_never_as_markup(web_server, chromium):
    page = open_chat(chromium.new_context(**DESKTOP), web_server)
    turn = ask(page, "<img src=x onerror=window.pwned=1> 伦理审查结果互认要几个工作日？")
    assert "<img src=x onerror=window.pwned=1>" in turn.locator("h2").inner_text()
    assert page.locator("#conversation img").count() == 0 and page.evaluate("window.pwned") is None
    page.context.close()


def test_abstentions_name_documents_by_title_with_see_also_cards(web_server, chromium):
    page = open_chat(chromium.new_context(**DESKTOP), web_server)
    turn = ask(page, "上海对完成II期临床试验的1类创新药补贴多少钱？")
    text = turn.inner_text()
    assert "未能回答" in text and "相关条款" in text and "《关于进一步推动广东生物医药产业高质量发展的行动方案》" in text
    assert "gd-2024-action-plan" not in text and turn.locator(".card.see-also").count() >= 1
    turn.locator(".card.see-also").first.click()
    page.wait_for_selector("#policy-viewer[open] .in-clause", timeout=20000)
    page.context.close()


def test_the_page_speaks_the_chosen_language_and_remembers_it(web_server, chromium):
    page = open_chat(chromium.new_context(**DESKTOP), web_server)
    assert page.inner_text("#ask").strip() == "提问" and page.evaluate("document.documentElement.lang") == "zh-CN"
    page.locator("#language label", has_text="English").click()
    page.wait_for_selector("#ask:has-text('Ask')", timeout=20000)
    # the tab strip re-renders after the buttons: wait for it rather than read it mid-update
    expect(page.get_by_role("tab", name="Library")).to_have_count(1, timeout=20000)
    expect(page.locator("h1")).to_have_text("Biomedical policy assistant")
    assert page.evaluate("document.documentElement.lang") == "en" and "Covers 5 policy documents" in page.inner_text("#coverage")
    turn = ask(page, ETHICS)
    assert "Sources" in turn.inner_text() and turn.get_by_role("button", name="Helpful", exact=True).count() == 1
    page.reload()
    page.wait_for_selector("#ask:has-text('Ask')", timeout=20000)  # chosen once, kept in this browser
    expect(page.get_by_role("tab", name="Chat")).to_have_count(1, timeout=20000)
    page.context.close()


def test_keyboard_only_ask_open_a_citation_scroll_it_and_close_it(web_server, chromium, output_dir):
    page = open_chat(chromium.new_context(**DESKTOP), web_server)

    def tab_to(selector: str, back: bool = False, presses: int = 80):
        for _ in range(presses):
            if page.evaluate(f"document.activeElement && document.activeElement.matches({selector!r})"):
                return
            page.keyboard.press("Shift+Tab" if back else "Tab")
        pytest.fail(f"{selector} cannot be reached with the keyboard")

    tab_to("#question textarea")
    page.keyboard.type(ETHICS)
    page.keyboard.press("Enter")
    page.wait_for_selector(ANSWERED, timeout=60000)
    tab_to("#conversation .card", back=True)  # the answer comes before the question box
    page.keyboard.press("Enter")
    assert "3个工作日" in viewer_mark(page)
    assert page.evaluate("document.activeElement.classList.contains('viewer-body')")
    top = page.evaluate("document.querySelector('.viewer-body').scrollTop")
    page.keyboard.press("PageDown")
    page.wait_for_function(f"document.querySelector('.viewer-body').scrollTop > {top}", timeout=5000)
    page.screenshot(path=str(output_dir / "keyboard-viewer.png"))
    close_viewer(page)
    # the dialog's close event, which gives the focus back, comes a task after it is hidden
    page.wait_for_function("document.activeElement.classList.contains('card')", timeout=5000)  # where it was
    tab_to("#conversation .cite-ref", back=True)
    page.keyboard.press("Enter")
    assert "3个工作日" in viewer_mark(page)
    page.evaluate("window.policyChat.setLang(document.documentElement.lang === 'en' ? 'en' : 'zh')")  # redrawn
    page.keyboard.press("Shift+Tab")  # the close button, above the text
    assert page.evaluate("document.activeElement.classList.contains('viewer-close')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#policy-viewer", state="hidden", timeout=5000)
    page.wait_for_function("document.activeElement.classList.contains('cite-ref')", timeout=5000)
    page.context.close()


def test_phone_shows_the_citation_in_the_first_screen_after_the_answer(web_server, chromium, output_dir):
    page = open_chat(chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                          is_mobile=True, has_touch=True, locale="zh-CN"), web_server)
    turn = ask(page, "汕头的药厂做技术改造能补多少？")
    card = turn.locator(".card").first.bounding_box()
    text = turn.locator(".answer-text").bounding_box()
    assert 0 <= card["y"] and card["y"] + 60 <= 844  # on screen, without scrolling
    assert 0 <= card["y"] - (text["y"] + text["height"]) < 120  # right under its answer
    page.screenshot(path=str(output_dir / "phone-answer.png"))
    small = page.evaluate("""() => [...document.querySelectorAll('button, a[href], [role=tab], textarea, select, '
        + 'input:not([type=checkbox]):not([type=radio]):not([type=file]), label:has(> input)')]
      .filter((e) => e.checkVisibility({visibilityProperty: true, opacityProperty: true}))
      .map((e) => [e, e.getBoundingClientRect()])
      .filter(([e, r]) => r.width > 2 && r.height > 2 && (r.width < 44 || r.height < 44))
      .map(([e, r]) => `${e.tagName}.${e.className} "${e.textContent.trim().slice(0, 20)}" ${r.width}x${r.height}`)""")
    assert not small, f"touch targets under 44 px: {small}"
    page.context.close()
