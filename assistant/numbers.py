"""Figures in text as comparable values: 三个工作日 = 3个工作日, 1,500万元 = 15 million yuan, 30% = 百分之三十.

A ``Figure`` is a value with the unit that gives it its meaning (percent, yuan, working days, a date…).
The verifier asks whether each figure of a written sentence is among the figures of the clauses it
cites; the same value in another unit does not count (30% is not 30 days, Class II is not Class III).

What counts as a figure: every number written in digits; Chinese and English number words only before
a unit or measure word (三个工作日, 十五日, three working days), so words such as 一体化, 三医协同 or
"one of" are not read as numbers. Article numbers (第三条, Article 3) and list labels are names of
clauses, not figures: ``references`` finds them for the verifier's article rule.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# ------------------------------------------------------------------------------------------- numerals
_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9}
_ZH_SMALL = {"十": 10, "百": 100, "千": 1000}
_ZH_NUM = "零〇一二三四五六七八九两十百千万亿"
_EN_WORD = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
            "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
            "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"), 1)}
_MULTIPLIER = {"万": 10**4, "亿": 10**8, "千": 10**3, "百": 100, "thousand": 10**3, "million": 10**6,
               "billion": 10**9, "trillion": 10**12, "hundred": 100}
# full-width digits and signs as the ASCII the patterns below read
_WIDTH = str.maketrans("０１２３４５６７８９％．，", "0123456789%.,")


def zh_number(text: str) -> Decimal | None:
    """一千五百万 → 15000000, 十五 → 15, 二〇二四 → 2024, 十二点五 → 12.5; None when it is not a numeral."""
    if not text or any(ch not in _ZH_NUM + "点" for ch in text):
        return None
    whole, _, frac = text.partition("点")
    if frac:
        if any(ch not in _ZH_DIGIT for ch in frac):
            return None
        value = zh_number(whole)
        return None if value is None else value + Decimal("0." + "".join(str(_ZH_DIGIT[c]) for c in frac))
    if all(ch in _ZH_DIGIT for ch in whole) and len(whole) > 1:  # read digit by digit: 二〇二四
        return Decimal("".join(str(_ZH_DIGIT[c]) for c in whole))
    total, section, digit = 0, 0, 0
    for ch in whole:
        if ch in _ZH_DIGIT:
            digit = _ZH_DIGIT[ch]
        elif ch in _ZH_SMALL:
            section += (digit or 1) * _ZH_SMALL[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10**4
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 10**8
            section = digit = 0
    return Decimal(total + section + digit)


def _decimal(text: str) -> Decimal | None:
    text = text.replace(",", "").replace(" ", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        return zh_number(text) if text else None


def _count(text: str) -> Decimal | None:
    """A numeral in digits, Chinese, an English word or a Roman numeral."""
    low = text.lower()
    if low in _EN_WORD:
        return Decimal(_EN_WORD[low])
    if text in _ROMAN:
        return Decimal(_ROMAN[text])
    return _decimal(text)


# ---------------------------------------------------------------------------------------- patterns
_D = r"\d+(?:,\d{3})*(?:\.\d+)?"        # 1,500 · 12.5
_Z = f"[{_ZH_NUM}]+(?:点[{_ZH_NUM}]+)?"  # 一千五百 · 十二点五
_W = r"(?<![A-Za-z])(?:" + "|".join(sorted(_EN_WORD, key=len, reverse=True)) + r")(?![A-Za-z])"
_N = rf"(?<![\d.,])(?:{_D})|{_W}|(?<![{_ZH_NUM}])(?:{_Z})"
_ZH_MULT = r"万亿|千万|百万|亿|万|千(?=[万元])"
_EN_MULT = r"(?:\s*-?\s*(?:hundred|thousand|million|billion|trillion)(?![A-Za-z]))+"
_MONTH = "|".join(_MONTHS)

# unit words after a number → unit; the longest alternatives first
UNITS: list[tuple[str, str]] = [
    (r"个?百分点|percentage points?", "pp"),
    (r"%|percent(?![A-Za-z])|per\s?cent(?![A-Za-z])", "%"),
    (r"元|yuan(?![A-Za-z])|rmb(?![A-Za-z])|cny(?![A-Za-z])|renminbi(?![A-Za-z])", "yuan"),
    (r"个?工作日|(?:working|business) days?(?![A-Za-z])|workdays?(?![A-Za-z])", "workday"),
    (r"个?自然日|日|天|(?:calendar |natural )?days?(?![A-Za-z])", "day"),
    (r"个?(?:星期|周)|weeks?(?![A-Za-z])", "week"),
    (r"个月|months?(?![A-Za-z])", "month"),
    (r"年|years?(?![A-Za-z])", "year"),
    (r"个?小时|hours?(?![A-Za-z])", "hour"),
    (r"倍|times(?![A-Za-z])|-?fold(?![A-Za-z])", "times"),
    (r"类|期|批|级", ""),  # handled as classes and phases below; here they only end a count
    (r"个|家|项|名|人|所|次|张|台|件|种|床|位|篇|部|座|支|套|份|户|条|只|亩|平方米|床位", ""),
]
_GAP = re.compile(r"\s*-?\s*")  # between a number and its unit: "30 days", "3-year"
_UNIT = re.compile("|".join(f"(?P<u{i}>{p})" for i, (p, _) in enumerate(UNITS)), re.I)

_DATE_PATTERNS = [
    re.compile(r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号])?"),
    re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
    re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d\d)[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d])"),
    re.compile(rf"(?<![A-Za-z])(?P<mn>{_MONTH})\s+(?P<d>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?(?:,?\s+(?P<y>(?:19|20)\d\d))?(?![A-Za-z])", re.I),
    re.compile(rf"(?<![A-Za-z])(?P<d>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?\s+(?P<mn>{_MONTH})(?:,?\s+(?P<y>(?:19|20)\d\d))?(?![A-Za-z])", re.I),
    re.compile(rf"(?<![A-Za-z])(?P<mn>{_MONTH}),?\s+(?P<y>(?:19|20)\d\d)(?![A-Za-z])", re.I),
    re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d\d)\s*年"),  # 2027年: a year (a duration of 2027 years is not)
]
_CLASS = re.compile(rf"(?:第\s*)?(?P<n>[一二三四五六七八九十]+|\d+|I{{1,3}}|IV|V)\s*(?P<kind>类|期)|"
                    rf"(?<![A-Za-z])(?P<kind2>class|category|phase)[\s-]+(?P<n2>I{{1,3}}|IV|V|\d+|{_W})(?![A-Za-z])", re.I)
_PERCENT_ZH = re.compile(rf"百分之(?P<n>{_Z}|{_D})")
_CURRENCY = re.compile(rf"(?:RMB|CNY|¥|￥)\s*(?P<n>{_D})(?P<mult>{_EN_MULT}|\s*(?:{_ZH_MULT}))?", re.I)
_NUMBER = re.compile(rf"(?P<n>{_N})(?P<mult>{_EN_MULT}|\s*(?:{_ZH_MULT}))?")
_BARE_MULT = re.compile(r"(?<![\d" + _ZH_NUM + r"])(?P<mult>万亿|亿)(?=元)")  # "超万亿元": one 万亿 yuan

# names of clauses and documents, not figures: 第三条, Article 3, (4), 二十八、, 粤府办〔2024〕11号, [1]
REFERENCE = re.compile(rf"第\s*(?P<zh>[{_ZH_NUM}]+|\d+)\s*(?P<kind>条|款|项|章|节|部分)|"
                       r"(?<![A-Za-z])(?P<en_kind>Article|Item|Section|Paragraph|Clause|Chapter|Part)s?\s+(?P<en>\d+|[IVXLC]+)(?![A-Za-z])")
LABEL = re.compile(rf"[（(](?:[{_ZH_NUM}]+|\d+|[ivxlcIVXLC]+)[）)]|(?<![{_ZH_NUM}])[{_ZH_NUM}]+、|^\s*\d+[.、．]\s")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［(（【]\s*(?:19|20)\d\d\s*[〕\]］)）】]\s*\d+\s*号")
MARKER = re.compile(r"[\[【]\s*\d+(?:\s*(?:[,，、;；]|[-–—~～])\s*\d+)*\s*[\]】]")


@dataclass(frozen=True)
class Figure:
    value: Decimal | tuple  # dates: (year, month, day), None for a part not given
    unit: str               # "%", "yuan", "workday", "day", "date", "class", … or "" when the text gives none
    text: str               # as written
    written: Decimal | None = None  # the number as written before 万/million scaled it (1500 of 1500万元)

    def __str__(self) -> str:
        return self.text


def figures(text: str) -> list[Figure]:
    """Every figure of ``text``, in order; references to clauses and documents are left out."""
    text = text.translate(_WIDTH)
    taken = [False] * len(text)
    found: list[tuple[int, Figure]] = []

    def free(m: re.Match) -> bool:
        return not any(taken[m.start():m.end()])

    def take(m: re.Match, figure: Figure | None) -> None:
        for i in range(m.start(), m.end()):
            taken[i] = True
        if figure is not None:
            found.append((m.start(), figure))

    for pattern in (MARKER, DOC_NUMBER, REFERENCE, LABEL):
        for m in pattern.finditer(text):
            take(m, None)
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if free(m):
                take(m, _date(m))
    for m in _CLASS.finditer(text):
        if free(m):
            kind = (m.group("kind") or m.group("kind2")).lower()
            value = _count(m.group("n") or m.group("n2"))
            take(m, Figure(value, "phase" if kind in ("期", "phase") else "class", m.group()) if value else None)
    for m in _PERCENT_ZH.finditer(text):
        if free(m):
            take(m, Figure(_decimal(m.group("n")), "%", m.group()))
    for m in _CURRENCY.finditer(text):
        if free(m):
            take(m, _scaled(m, _decimal(m.group("n")), "yuan"))
    for m in _BARE_MULT.finditer(text):
        if free(m):
            take(m, Figure(Decimal(_multiplier(m.group("mult"))), "yuan", m.group() + "元"))
    for m in _NUMBER.finditer(text):
        if not free(m):
            continue
        raw = m.group("n")
        value = _count(raw)
        if value is None:
            continue
        unit_match = _UNIT.match(text, _GAP.match(text, m.end()).end())
        unit = _unit_of(unit_match)
        worded = not raw[0].isdigit()
        if worded and unit is None and not m.group("mult"):
            continue  # 一体化, "one of": a number word counts only before a unit or measure word
        if worded and value == 1 and not m.group("mult") and unit == "":
            continue  # 一个, "one": an article more often than a count
        written = text[m.start():unit_match.end()] if unit_match else m.group().strip()
        take(m, _scaled(m, value, unit or "", written))
    _ranges(text, found)
    return [f for _, f in sorted(found, key=lambda x: x[0])]


def _unit_of(m: re.Match | None) -> str | None:
    if m is None:
        return None
    for i, (_, unit) in enumerate(UNITS):
        if m.group(f"u{i}"):
            return unit
    return None


def _multiplier(text: str) -> int:
    words = re.findall(r"hundred|thousand|million|billion|trillion|[万亿千百]", text.lower())
    scale = 1
    for w in words:
        scale *= _MULTIPLIER[w]
    return scale


def _scaled(m: re.Match, value: Decimal | None, unit: str, written: str | None = None) -> Figure | None:
    if value is None:
        return None
    mult = m.group("mult")
    return Figure(value * _multiplier(mult) if mult else value, unit, written or m.group().strip(), value)


def _date(m: re.Match) -> Figure:
    parts = m.groupdict()
    month = _MONTHS.get((parts.get("mn") or "").lower()) or (int(parts["m"]) if parts.get("m") else None)
    year = int(parts["y"]) if parts.get("y") else None
    day = int(parts["d"]) if parts.get("d") else None
    return Figure((year, month, day), "date", m.group())


_RANGE = re.compile(r"^\s*(?:[-–—~～至到]|to|and|or|或|和)\s*$")


def _ranges(text: str, found: list[tuple[int, Figure]]) -> None:
    """In "3至5个工作日" or "1000至2000万元" the first number takes the unit (and scale) of the second."""
    found.sort(key=lambda x: x[0])
    for i in range(len(found) - 1):
        (p1, a), (p2, b) = found[i], found[i + 1]
        if a.unit or b.unit in ("", "date") or not _RANGE.match(text[p1 + len(a.text):p2]):
            continue
        scaled = a.value != a.written  # "1000万至2000万元" is scaled already
        value = a.value if scaled or not b.written else a.value * (b.value / b.written)
        found[i] = (p1, Figure(value, b.unit, a.text, a.written))


def supported(figure: Figure, pool: list[Figure]) -> bool:
    """Is ``figure`` among ``pool`` (the figures of the cited clauses), value and unit both?"""
    for g in pool:
        if figure.unit == "date":
            if g.unit == "date" and all(a is None or a == b for a, b in zip(figure.value, g.value)):
                return True
            year_only = figure.value[1] is None and figure.value[2] is None
            if year_only and g.unit == "" and g.value == figure.value[0]:
                return True
            continue
        if g.unit == "date":
            if figure.unit == "" and any(part is not None and figure.value == part for part in g.value):
                return True
            continue
        if figure.value == g.value and (figure.unit == "" or figure.unit == g.unit):
            return True
        # a bare "1500" stands for the 1500 of a "1500万元"
        if figure.unit == "" and figure.written == figure.value and g.written is not None and figure.value == g.written:
            return True
    return False


def references(text: str) -> list[tuple[str, Decimal]]:
    """Clauses a text names: (as written, number) for 第三条, Article 3 …"""
    out = []
    for m in REFERENCE.finditer(text.translate(_WIDTH)):
        value = _count(m.group("zh") or m.group("en"))
        if value is not None:
            out.append((m.group(), value))
    return out


_LEADING_LABEL = re.compile(rf"^\s*(?:第\s*)?(?P<n>[{_ZH_NUM}]+|\d+|[IVXLC]+|{_W})\s*(?:[、.．)）:：]|条|章|节)|"
                            rf"^\s*[（(](?P<p>[{_ZH_NUM}]+|\d+|[IVXLCivxlc]+|{_W})[）)]", re.I)


def label_number(heading: str) -> Decimal | None:
    """The number of a clause heading: 二十八、… → 28, （四）… → 4, (II) … → 2, 10. … → 10."""
    m = _LEADING_LABEL.match(heading.translate(_WIDTH))
    if not m:
        return None
    raw = m.group("n") or m.group("p")
    return _count(raw.upper() if raw.lower() in ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x") else raw)
