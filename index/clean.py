"""Raw web copy → clean text: strip page chrome, undo markdown, re-join lines broken by the page.

The result is the reference text of a document: clause offsets and quotes are taken from it verbatim.
"""
from __future__ import annotations

import re

CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")

# Whole lines that belong to the web page, not to the policy.
_CHROME_LINE = re.compile(
    r"""^(?:
        译                                   # stray translate-button marker
      | \[?【?打印】?.*                        # print / font-size links
      | .*【小\s*中\s*大】.*
      | 发布时间[:：].*                         # publish time / source line of the web page
      | 来源\s*[:：].*
      | .*(?:版权所有|ICP备|公网安备|网站标识码|纪检监察举报|政府服务热线).*
      | 政府网站 | 找错
      | .*地址[:：].*邮编.*
      | 相关附件[:：]?
      | 公开方式[:：].* | 抄送[:：].* | \d{4}年\d{1,2}月\d{1,2}日印发   # an official document's trailer
      | 摄影\s*/.* | 图片来源.* | photo\s*(?:by|credit).*
      | official\s+source:?.* | .*city\s+press\s+release
      | \d{1,6}                               # view counters
      | (?:\[[^\]]*\]\([^)]*\)\s*(?:>\s*)?)+   # lines made only of links: breadcrumbs, link lists
      | <!--.*-->                             # an HTML comment in a Markdown copy (<!-- INFO END -->)
    )$""",
    re.X | re.I,
)
_TRAILING_MARKER = re.compile(r"(?<=[。；;.!?！？])\s*译\s*$")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_BULLET = re.compile(r"^[-*+]\s+")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TERMINAL = tuple("。；！？：.;!?:）)”\"」』")
_TITLE_END = ("意见", "方案", "通知", "要点", "计划", "台账", "办法", "规定", "细则")
# Lines that stand alone even without punctuation: a 文号, a date, a title, a letterhead.
_STANDALONE = re.compile(r"(?:〔\d{4}〕\d+号|令第\d+号|\d+日|意见|方案|通知|要点|计划|台账|办法|规定|细则|文件|条例|解释|规范|"
                         r"决定|(?:通过|公布|发布|修订|修正|施行|批准|印发)[）)]?)$")
# The space after a statute label ("第一条 为了…", "第一章　总则") is how the text is set: kept, not squeezed.
_LABEL_SPACE = re.compile(r"^第[一二三四五六七八九十百千零〇两\d]+(?:条(?:之[一二三四五六七八九十]+)?|章|节|编)[ \u3000]+")
# Spaces a PDF/web export puts inside Chinese runs ("产业 集群", "培育 10 个") but never between words.
_CJK_SPACE = re.compile(rf"(?<=[{CJK}\d%~])[ \u3000]+(?=[{CJK}])|(?<=[{CJK}])[ \u3000]+(?=[\d%~])")
_LABEL_START = re.compile(
    r"^(?:第[一二三四五六七八九十百千零〇两\d]+[条章节编]|(?:Chapter|Article|Section|Part)\s+[IVXLC\d]+\b|[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十]+[）)]|\(?\d{1,3}[.．、)）]|（\d{1,3}）|附件|[IVX]+\.\s|\([0-9IVXivx]+\)|\((?:One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten)\))"
)


def clean(raw: str) -> str:
    """Return the cleaned text of a raw policy copy (idempotent: ``clean(clean(x)) == clean(x)``)."""
    lines = _drop_link_sections(raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    lines = [("" if _is_chrome(line) else _tidy(line)) for line in lines]
    lines = [("" if _is_chrome(line) else line) for line in lines]
    lines = _drop_repeated_headings(lines)
    paragraphs = _join_broken(lines)
    return "\n\n".join(paragraphs).strip() + "\n"


def _tidy(line: str) -> str:
    line = line.replace("\u00a0", " ").replace("\ufeff", "").replace("\u200b", "").rstrip()
    if "\t" in line:  # table rows keep their cells
        return "\t".join(_CJK_SPACE.sub("", cell.strip()) for cell in line.split("\t")).strip(" ")
    line = _MD_HEADING.sub("", line.strip())
    line = _MD_BULLET.sub("", line)
    line = _MD_LINK.sub(r"\1", line).replace("**", "")
    line = _TRAILING_MARKER.sub("", line)
    label = _LABEL_SPACE.match(line)
    head = label.group() if label else ""
    return head + _CJK_SPACE.sub("", line[len(head):]).strip()


def _is_chrome(line: str) -> bool:
    return bool(line) and "\t" not in line and bool(_CHROME_LINE.match(line))


def _drop_link_sections(lines: list[str]) -> list[str]:
    """After a "相关附件" heading the page lists links and site furniture until the end: drop it all."""
    for i, line in enumerate(lines):
        if re.match(r"^#*\s*相关附件[:：]?\s*$", line.strip()):
            return lines[:i]
    return lines


def _is_heading_like(line: str) -> bool:
    return 0 < len(line) <= 120 and "\t" not in line and not line.endswith(_TERMINAL[:10])


def _drop_repeated_headings(lines: list[str]) -> list[str]:
    """Web pages repeat a heading (title banner + body title, caption + heading): keep its last copy.

    Numbered lines are structure, not banners: a law has "第一节 一般规定" in several chapters."""
    def banner(line: str) -> bool:
        return _is_heading_like(line) and not _LABEL_START.match(line)

    last = {line: i for i, line in enumerate(lines) if banner(line)}
    return [("" if banner(line) and last[line] != i else line) for i, line in enumerate(lines)]


def _join_broken(lines: list[str]) -> list[str]:
    """Group lines into paragraphs, gluing a line to the next when the page broke it mid-sentence."""
    paragraphs: list[str] = []
    current = ""
    pending_break = False  # a blank line separates current from what comes next
    for line in lines:
        if not line:
            pending_break = bool(current)
            continue
        if current and _continues(current, line, pending_break, first=not paragraphs):
            current = _glue(current, line)
        else:
            if current:
                paragraphs.append(current)
            current = line
        pending_break = False
    if current:
        paragraphs.append(current)
    return paragraphs


def _continues(prev: str, line: str, after_blank: bool, first: bool) -> bool:
    if "\t" in prev or "\t" in line or _LABEL_START.match(line):
        return False
    last_line = prev.rsplit("\n", 1)[-1]
    if last_line.endswith(("~", "～", "-", "—", "、", "，", ",", "（", "《", "“")):
        return True
    if last_line.endswith(_TERMINAL) or _STANDALONE.search(last_line):
        return False
    if _LABEL_START.match(last_line) and "。" not in last_line:
        return False  # a numbered heading standing on its own line
    cjk_break = bool(_CJK_CHAR.match(last_line[-1]) and (_CJK_CHAR.match(line[0]) or line[0].isdigit()))
    if cjk_break and (len(last_line) >= 30 or "。" in last_line or "，" in last_line):
        return True  # a long line cut between two characters of one sentence: a page or line break
    if first and cjk_break and line.endswith(_TITLE_END) and len(prev) <= 40 and len(line) <= 40:
        return True  # the document's title set on two lines ("…生物医药产业" / "高质量发展的意见")
    if not after_blank and last_line[-1].isalpha() and line[0].islower():
        return True  # English sentence wrapped onto the next line
    return False


def _glue(prev: str, line: str) -> str:
    if _CJK_CHAR.match(prev[-1]) or _CJK_CHAR.match(line[0]) or prev.endswith(("~", "～", "-", "—")):
        return prev + line
    return prev + " " + line
