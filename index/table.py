"""Tables such as the 工作台账: one clause per row, responsible unit carried down and re-joined.

A unit cell is filled only on the first row of its group, and a page break can cut a unit name in two
("省中" at the bottom of a page, "医药局" at the top of the next). A name that does not end like an
organisation is a fragment and is completed by the next filled cell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_ORG_END = re.compile(r"(厅|委|局|办|院|会|府|部|室|中心|集团|公司|处|所|站|署|行|组)$")


@dataclass(frozen=True)
class Row:
    number: str
    unit: str
    start: int
    end: int


def parse_rows(lines: list[tuple[int, int, str]]) -> list[Row]:
    """``lines`` are (start, end, text) of consecutive tab-separated paragraphs; header rows are skipped."""
    unit_col, number_col = 0, 1
    rows: list[Row] = []
    unit = ""
    for start, end, text in lines:
        cells = [c.strip() for c in text.split("\t")]
        if "序号" in cells:  # a header, repeated on every page of the original
            unit_col, number_col = _column(cells, "单位", unit_col), cells.index("序号")
            continue
        number = cells[number_col] if number_col < len(cells) else ""
        if not number.isdigit():
            continue
        cell = cells[unit_col] if unit_col < len(cells) else ""
        if cell:
            unit = unit + cell if unit and not _ORG_END.search(unit) else cell
        rows.append(Row(number, unit, start, end))
    return _complete(rows)


def _complete(rows: list[Row]) -> list[Row]:
    """Give rows that carry a unit fragment the full name found further down."""
    done: list[Row] = []
    for i, row in enumerate(rows):
        unit = row.unit
        j = i
        while not _ORG_END.search(unit) and j + 1 < len(rows) and rows[j + 1].unit.startswith(unit):
            j += 1
            unit = rows[j].unit
        done.append(Row(row.number, unit, row.start, row.end))
    return done


def _column(cells: list[str], name: str, default: int) -> int:
    return next((i for i, c in enumerate(cells) if c == name), default)
