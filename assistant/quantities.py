"""Quantities written in Chinese or English policy text: "三十日内", "48小时", "五万元以上三十万元以下",
"百分之三十", "1,500万元", "六十周岁", "三十米", "30 working days", "RMB 2 million".

Each is a number (Arabic or Chinese numerals) with the unit that says what kind of answer it is: a duration, a
date, an amount of money, a percentage, an age, a count, a measure. The composer uses the kind to tell whether a
sentence answers "how long / how much / what share / how many"; values are normalised so that 三个工作日 and
3个工作日 compare equal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 10_000, "亿": 100_000_000}
ZH_NUMERAL = "[零〇一二两三四五六七八九十百千万亿]"
_NUMBER = rf"(?:\d+(?:[,，]\d{{3}})*(?:\.\d+)?|{ZH_NUMERAL}+(?:点[零一二三四五六七八九]+)?|半)"

# unit (as written) → kind; longer units first so "个工作日" wins over "日"
_ZH_UNITS = [
    ("个工作日", "duration"), ("工作日", "duration"), ("个小时", "duration"), ("小时", "duration"),
    ("分钟", "duration"), ("个月", "duration"), ("个星期", "duration"), ("星期", "duration"), ("周岁", "age"),
    ("岁", "age"), ("日", "duration"), ("天", "duration"), ("周", "duration"), ("年", "duration"),
    ("亿元", "money"), ("万元", "money"), ("千元", "money"), ("元", "money"),
    ("倍", "multiple"), ("%", "percent"), ("％", "percent"),
    ("摄氏度", "measure"), ("℃", "measure"), ("平方米", "measure"), ("公里", "measure"), ("千米", "measure"), ("米", "measure"), ("毫升", "measure"),
    ("升", "measure"), ("公斤", "measure"), ("千克", "measure"), ("克", "measure"), ("张床", "count"),
    ("张", "count"), ("名", "count"), ("人", "count"), ("家", "count"), ("个", "count"), ("次", "count"),
    ("项", "count"), ("回", "count"), ("例", "count"), ("所", "count"), ("辆", "count"), ("种", "count"), ("批", "count"),
    ("份", "count"), ("件", "count"), ("床", "count"), ("类", "count"), ("级", "count"),
]
_EN_UNITS = [
    (r"(?:working|business|calendar)\s+days?", "duration"), (r"days?", "duration"), (r"hours?", "duration"),
    (r"weeks?", "duration"), (r"months?", "duration"), (r"years?(?:\s+old)?", "duration"),
    (r"minutes?", "duration"), (r"(?:million|billion|thousand)?\s*(?:yuan|rmb)", "money"), (r"percent|%", "percent"),
    (r"times", "multiple"), (r"(?:square\s+)?met(?:er|re)s?|kilomet(?:er|re)s?|ml|milliliters?|°c|degrees?", "measure"),
    (r"(?:people|persons|staff|members|beds|companies|enterprises|projects|items)", "count"),
]
_ZH_PATTERN = re.compile(rf"({_NUMBER})\s*({'|'.join(re.escape(u) for u, _ in _ZH_UNITS)})")
_EN_PATTERN = re.compile(rf"(?<![\w.])(\d+(?:,\d{{3}})*(?:\.\d+)?)\s*({'|'.join(u for u, _ in _EN_UNITS)})\b", re.I)
_EN_MONEY_FIRST = re.compile(r"(?:RMB|CNY|¥|￥)\s*(\d+(?:,\d{3})*(?:\.\d+)?)\s*(million|billion|thousand)?", re.I)
_PERCENT_ZH = re.compile(rf"百分之({_NUMBER})")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?|(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ZH_KIND = dict(_ZH_UNITS)
_EN_KIND = [(re.compile(rf"^(?:{u})$", re.I), k) for u, k in _EN_UNITS]
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_MONEY_SCALE = {"万元": 1e4, "亿元": 1e8, "千元": 1e3}  # money is compared in 元: 1500万元 = 15,000,000元


@dataclass(frozen=True)
class Quantity:
    kind: str      # duration | date | money | percent | age | count | multiple | measure
    value: float   # in the normalised unit: 30 for "三十日", 15,000,000 for "1,500万元"
    unit: str      # normalised unit: 日, 工作日, 小时, 月, 年, 元, %, 岁, …
    start: int
    end: int


def quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text``, in order; a date is not also read as a duration."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def add(q: Quantity) -> None:
        if not any(s < q.end and q.start < e for s, e in taken):
            found.append(q)
            taken.append((q.start, q.end))

    for m in _DATE.finditer(text):
        add(Quantity("date", 0.0, "date", m.start(), m.end()))
    for m in _PERCENT_ZH.finditer(text):
        value = to_number(m.group(1))
        if value is not None:
            add(Quantity("percent", value, "%", m.start(), m.end()))
    for m in _EN_MONEY_FIRST.finditer(text):
        value = to_number(m.group(1))
        if value is not None:
            add(Quantity("money", value * _SCALE.get((m.group(2) or "").lower(), 1.0), "元", m.start(), m.end()))
    for m in _ZH_PATTERN.finditer(text):
        value = to_number(m.group(1))
        if value is not None and not _year_of_date(text, m):
            unit = m.group(2)
            scale = _MONEY_SCALE.get(unit, 1.0)
            add(Quantity(_ZH_KIND[unit], value * scale, "元" if unit in _MONEY_SCALE else _normal_unit(unit),
                         m.start(), m.end()))
    for m in _EN_PATTERN.finditer(text):
        value = to_number(m.group(1))
        unit = m.group(2).lower()
        kind = next(k for p, k in _EN_KIND if p.match(unit))
        scale = next((v for w, v in _SCALE.items() if w in unit), 1.0)
        if value is not None:
            add(Quantity(kind, value * scale, _normal_en_unit(unit, kind), m.start(), m.end()))
    return sorted(found, key=lambda q: q.start)


def kinds(text: str) -> set[str]:
    return {q.kind for q in quantities(text)}


def to_number(token: str) -> float | None:
    """'1,500' → 1500, '三十' → 30, '一万五千' → 15000, '两' → 2, '半' → 0.5, '1.5' → 1.5."""
    token = token.replace(",", "").replace("，", "")
    if not token:
        return None
    if token == "半":
        return 0.5
    try:
        return float(token)
    except ValueError:
        pass
    if "点" in token:
        whole, frac = token.split("点", 1)
        w = to_number(whole)
        return None if w is None else w + float("0." + "".join(str(_ZH_DIGIT[c]) for c in frac))
    total, section, digit = 0, 0, None
    for c in token:
        if c in _ZH_DIGIT:
            digit = _ZH_DIGIT[c]
        elif c in _ZH_UNIT:
            section += (1 if digit is None else digit) * _ZH_UNIT[c]
            digit = None
        elif c in _ZH_BIG:
            total += (section + (digit or 0)) * _ZH_BIG[c]
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


def same_quantity(a: Quantity, b: Quantity) -> bool:
    return a.kind == b.kind and a.unit == b.unit and abs(a.value - b.value) < 1e-9


def _year_of_date(text: str, m: re.Match) -> bool:
    """'2024年' inside a date, or a four-digit year: a point in time, not a duration of years."""
    return m.group(2) == "年" and m.group(1).isdigit() and len(m.group(1)) == 4


def _normal_unit(unit: str) -> str:
    unit = unit.removeprefix("个")
    return {"天": "日", "星期": "周", "周岁": "岁", "％": "%"}.get(unit, unit)


def _normal_en_unit(unit: str, kind: str) -> str:
    if kind == "money":
        return "元"
    if kind == "percent":
        return "%"
    for word, zh in (("working", "工作日"), ("business", "工作日"), ("day", "日"), ("hour", "小时"), ("week", "周"),
                     ("month", "月"), ("year", "年"), ("minute", "分钟")):
        if word in unit:
            return zh
    return unit
