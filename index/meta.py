"""Document metadata read from its own text, for files added without a listing: title, 文号, issuer, date, region.

Statutes open with a header block: the title, then lines such as "2019年5月28日 中华人民共和国国务院令第717号公布"
or "2020年11月27日 北京市第十五届人民代表大会常务委员会第二十六次会议通过"; policies carry the 文号 under the
title and sign off with the issuing office and a date. Only what the text states is returned; a field it does not
state stays None.
"""
from __future__ import annotations

import re

from .clauses import paragraphs
from .numbering import parse_article, parse_division

_HEAD = 12       # paragraphs read as the header block
_TAIL = 6        # paragraphs read as the sign-off
_TITLE_MAX = 100

_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
# acts of the issuer; 施行 (entry into force) is not one
_ACT = re.compile(r"(通过|公布|发布|修订|修正|批准|印发)")
_NUM = r"[\d一二三四五六七八九十百零〇]+"
_DOC_NUMBERS = (
    re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\s*第?\s*\d+\s*号"),          # 粤府办〔2024〕11号
    re.compile(rf"[\u4e00-\u9fff、]{{2,60}}?令\s*[（(]?第\s*{_NUM}\s*号[）)]?"),                  # 国务院令第717号
    re.compile(rf"[\u4e00-\u9fff、]{{2,40}}?第\s*{_NUM}\s*号令"),                                  # …海关总署第4号令
    re.compile(rf"[\u4e00-\u9fff]{{2,40}}?公告\s*[（(]?第\s*{_NUM}\s*号[）)]?"),                   # …常务委员会公告第33号
)
_PRC = "中华人民共和国"
_CONGRESS = re.compile(r"^(?:经)?(.{0,12}?)第[一二三四五六七八九十百\d]+届(全国)?人民代表大会常务委员会")
_MEETING = re.compile(r"^(.{2,30}?)(?:审判委员会|检察委员会)?第[\d一二三四五六七八九十百]+次(?:常务|全体)?会议")
_ISSUED = re.compile(r"^(.{2,60}?)(?:令\s*[（(]?第|第\s*\d+\s*号令|公告\s*[（(]?第|发布|公布|批准|印发)")
_ORG_END = re.compile(r"(?:人民政府|办公厅|办公室|委员会|人民法院|人民检察院|国务院|厅|局|委|部|署|院|会|办|中心)$")
_LOCAL = re.compile(r"[省市县区州盟旗](?:人民|人大|政府|卫生|药品|市场|医疗)")
_STATUTE = re.compile(r"(?:法|条例|办法|规定|细则|解释|规范|规则)(?:[（(][^）)]*[）)])?$")


def read_metadata(text: str, places=None) -> dict:
    """``{title, doc_number, issuer, date, region}`` as far as the cleaned ``text`` states them.

    ``places`` is a callable returning the place names a string mentions, longest first (the glossary's);
    without it no region is read."""
    blocks = [b for _, _, b in paragraphs(text)]
    head = _header(blocks)
    title = _title(blocks)
    meta = {"title": title, "doc_number": None, "issuer": None, "date": None, "region": None}
    acts = _acts(head)
    meta["doc_number"] = _doc_number(head)
    if acts:
        meta["date"] = max(date for date, _ in acts)
        # the body that promulgated it by order or announcement, else the first that adopted it
        named = [(bool(re.search(r"令|公告", act)), i, _issuer(act)) for i, (_, act) in enumerate(acts)]
        named = [n for n in named if n[2]]
        meta["issuer"] = min(named, key=lambda n: (not n[0], n[1]))[2] if named else None
    else:
        meta["date"], meta["issuer"] = _sign_off(blocks)
    if not meta["issuer"] and title:
        meta["issuer"] = _issuer_in_title(title)
    if places is not None:
        meta["region"] = _region(title, meta["issuer"], places)
    return meta


def _acts(lines: list[str]) -> list[tuple[str, str]]:
    """(ISO date, what happened) for every dated act of the header; one line may record several."""
    out = []
    for line in lines:
        dates = list(_DATE.finditer(line))
        for d, nxt in zip(dates, dates[1:] + [None]):
            act = line[d.end():nxt.start() if nxt else len(line)]
            if _ACT.search(act):
                out.append((_iso(d), act))
    return out


def _header(blocks: list[str]) -> list[str]:
    """The short lines before the body starts (first article, chapter or long sentence)."""
    out = []
    for block in blocks[:_HEAD]:
        if parse_article(block, "zh") or parse_division(block, "zh") or len(block) > 200:
            break
        out.append(block)
    return out


def _title(blocks: list[str]) -> str | None:
    """The first short line that is not a letterhead ("…文件"), a 文号 or a date."""
    for block in blocks[:4]:
        line = block.strip()
        if not 4 <= len(line) <= _TITLE_MAX or line.endswith(("。", "；", "：", ".", ";", ":", "文件")) \
                or "\n" in line or _DATE.match(line) or _ISO_DATE.match(line) \
                or any(p.fullmatch(line) for p in _DOC_NUMBERS):
            continue
        return line
    return None


def _doc_number(lines: list[str]) -> str | None:
    """The 文号; of several orders in a header (adoption, revision) the latest, which the text in force bears."""
    for pattern in _DOC_NUMBERS:
        for line in reversed(lines):
            body = _DATE.sub(" ", line)
            m = pattern.search(body)
            if m:
                return re.sub(r"\s+", "", m.group()).lstrip("经")
    return None


def _issuer(act: str) -> str | None:
    """The body named in one header line ("中华人民共和国国务院令第717号公布" → 国务院)."""
    act = act.strip().strip("（）() \u3000")
    if act.startswith(("《", "根据")):
        return None  # a revision by a later decision names the decision, not the issuer
    m = _CONGRESS.match(act)
    if m:
        return ("全国" if m.group(2) else m.group(1)) + "人民代表大会常务委员会"
    m = _MEETING.match(act)
    if m:
        return _tidy(m.group(1))
    m = _ISSUED.match(act)
    if m:
        return _tidy(m.group(1))
    return None


def _tidy(name: str) -> str | None:
    name = name.replace(_PRC, "").strip("、 ")
    return name or None


def _issuer_in_title(title: str) -> str | None:
    """A judicial interpretation or joint notice names its issuers before 关于 in the title."""
    m = re.match(r"^(.{2,40}?)关于", title)
    if m and _ORG_END.search(m.group(1).split("、")[-1]):
        return m.group(1)
    return None


def _sign_off(blocks: list[str]) -> tuple[str | None, str | None]:
    """A policy's closing lines: the issuing office, then the date it was signed."""
    tail = blocks[-_TAIL:]
    for i in range(len(tail) - 1, -1, -1):
        line = tail[i].strip()
        d = _DATE.fullmatch(line) or _ISO_DATE.match(line)
        if d:
            issuer = tail[i - 1].strip() if i and _ORG_END.search(tail[i - 1].strip()) else None
            return _iso(d), issuer
    return None, None


def _iso(m: re.Match) -> str:
    y, mo, d = m.groups()
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"


def _region(title: str | None, issuer: str | None, places) -> str | None:
    """Where the document applies: the first place its title or issuer names, else 全国 for a national body."""
    for text in (title, issuer):
        if text:
            found = places(text)
            if found:
                return found[0]
    # local bodies and local statutes always name their place; national ones need not
    if issuer and _LOCAL.search(issuer):
        return None  # a local body whose place the glossary does not know
    if issuer or (title and (title.startswith(_PRC) or _STATUTE.search(title))):
        return "全国"
    return None
