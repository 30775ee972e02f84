"""What kind of answer a question asks for, and whether a sentence holds one.

The cues are the interrogative forms of Chinese and English ("几日内", "多少钱", "哪个部门", "how long", "which
authority"), not words of any particular question: a question asking "多久" wants a duration, and a sentence
that states none ("依法办理") does not answer it however well it matches otherwise.

Kinds: ``frequency`` (how often), ``duration`` (how long, deadlines, validity), ``date``, ``money`` (amounts,
fines, fees), ``penalty`` (what punishment), ``percent``, ``age``, ``measure`` (distance, volume), ``count``
(how many), ``quantity`` (a number of any kind), ``authority`` (which body decides, approves, receives). Other questions (conditions, procedures,
yes/no) have no kind: any sentence on the subject may answer them.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .quantities import quantities

_NUM = r"(?:几|多少)"
# (kind, cue); the first kind whose cue matches wins, so the narrower kinds come first. A group in a cue holds the
# words between its interrogative parts ("多久(要体检)一次"): they are the question's subject, not the cue.
CUES: tuple[tuple[str, str], ...] = (
    ("frequency", r"多久(.{0,10})一次|隔多久|多长时间(.{0,6})一次|几年一次|每几年|几次|多少次|几回|多少回|频次|频率|"
                  r"\bhow often\b|\bhow frequently\b|\bhow many times\b"),
    ("percent", r"比例|百分之几|百分比|多少%|几成|费率|税率|占比|\bpercent(?:age)?\b|\bwhat share\b|"
                r"\bwhat proportion\b|\bwhat rate\b|\bratio\b"),
    ("age", r"多大(?:年纪|年龄)?|几岁|多少岁|年龄|\bhow old\b|\bwhat age\b|\bage limit\b"),
    ("measure", r"多远|多少(?:米|公里|毫升|升|公斤|千克|克|平方米|度)|多大面积|距离多少|温度|\bhow far\b|"
                r"\bwhat distance\b|\bwhat volumes?\b|\btemperature\b|\bhow many (?:ml|millilit|met(?:er|re)s|kilomet|degrees)"),
    ("money", r"多少钱|多少元|多少万|(?:罚|赔|补|奖|资助|收费|费用|金额|数额|价格|押金|津贴|报销).{0,8}(?:多少|几)|"
              r"罚款(?:数额|金额|标准)|\bhow much\b|\bwhat (?:fine|penalty|amount|fee|sum)s?\b|\bhow many yuan\b|"
              r"\bwhat (?:is|are) the (?:\w+ ){0,3}(?:compensation|subsidy|subsidies|allowance|fee|grant|reward|fine|"
              r"amount|price)s?\b|"
              r"\bfined\b(.{0,30})\bhow\b"),
    ("penalty", r"怎么罚|怎样处罚|如何处罚|什么处罚|哪些处罚|何种处罚|什么(?:法律)?责任|会被罚|受到什么|按什么罪|"
                r"\bwhat (?:penalt|punishment|sanction|liabilit)\w*|\bwhat happens if\b|\bpunish"),
    ("duration", rf"{_NUM}个?(?:工作)?[日天]|{_NUM}个?小时|{_NUM}个?月|{_NUM}年|{_NUM}个?星期|{_NUM}周|多久|多长时间|"
                 r"多长期限|(?:期限|时限|有效期|保存期|保管期)(?:是|为|有)?(?:多长|多少|几)|保留多|提前多|多快|"
                 r"\bhow long\b|\bhow many (?:\w+ ){0,2}(?:days|hours|weeks|months|years|minutes)\b|"
                 r"\bwithin what\b|\btime limit\b|\bdeadline\b|\bvalid for\b|\bvalidity\b|\bretention\b|"
                 r"\bhow soon\b|\bhow far in advance\b|\bhow much notice\b"),
    ("date", r"什么时候|何时|哪一天|几月几日|几号|哪天|截止日期|^\W*when\b|\bwhen (?:must|should|does|do|is|are|will|can|"
             r"may|shall)\b|\bwhat date\b|\bby what date\b|\bwhich (?:month|day|date)\b"),
    ("count", rf"{_NUM}(?:个|家|名|人|项|张|所|辆|类|种|级|位|床)|人数|数量|\bhow many\b|\bwhat number\b"),
    ("quantity", r"多少|\bhow much\b"),
    ("authority", r"(?:哪个|哪些|哪一?级|哪家|什么|何种)(?:的)?(?:部门|单位|机关|机构|政府|法院|组织|行政部门|主管部门)|"
                  r"谁|向哪|到哪|去哪|找哪|主管部门|审批部门|负责部门|牵头单位|责任单位|配合单位|负责单位|"
                  r"\bresponsible\b|\blead agency\b|\bled by\b|"
                  r"\bwhich (?:department|authority|agency|body|office|organ|government|court|level|bureau|"
                  r"unit|institution|administration|commission)\b|\bwho\b|\bto whom\b|\bwhere (?:to|do|should|must|can|"
                  r"may)\b"),
)
_CUES = tuple((kind, re.compile(cue, re.I)) for kind, cue in CUES)

# Words that state a duration or a schedule without a number ("永久保存", "每年", "当日").
_TIME_WORDS = re.compile(r"永久|长期|终身|立即|即时|随时|及时|当日|当天|次日|每(?:年|季度|季|月|周|日|天|半年|两年)|"
                         r"\bpermanent|\bimmediately\b|\bannual|\bquarterly\b|\bmonthly\b|\beach year\b|\bevery\b", re.I)
# who answers "which body / who": an organisation, or a person by role (执业医师, 申请人, 法定代表人)
_ORG = re.compile(r"(?:部门|机关|委员会|人民政府|政府|局|厅|委|法院|检察院|海关|机构|中心|血站|"
                  r"办公室|红十字会|卫生院|医院|单位|医师|药师|人员|负责人|申请人|持有人|注册人|备案人|经营者|生产者|"
                  r"当事人|监护人|近亲属|法定代表人)|\b(?:department|authority|bureau|commission|government|court|"
                  r"administration|customs|agency|office|committee|physician|doctor|pharmacist|applicant|holder|"
                  r"operator|person)s?\b", re.I)
_PENALTY = re.compile(r"罚款|罚金|警告|吊销|撤销|责令|没收|拘役|有期徒刑|拘留|处分|停业|暂停|取消|追究|赔偿|"
                      r"\bfine|\bwarning\b|\brevok|\bconfiscat|\bimprison|\bsuspend", re.I)

_EN_NUMBER = re.compile(r"\b(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                        r"thirty|forty|fifty|hundred|thousand|million|billion|dozen)\b", re.I)

# the quantity kinds (assistant.quantities) that answer each kind of question
_EVIDENCE_KINDS = {
    "duration": {"duration", "date"}, "date": {"date", "duration"},
    "money": {"money", "multiple"}, "penalty": {"money", "multiple"}, "percent": {"percent"},
    "age": {"age"}, "measure": {"measure"}, "count": {"count", "measure"},
    "quantity": {"duration", "date", "money", "multiple", "percent", "age", "measure", "count"},
}


_CLAUSES = re.compile(r"[^，,；;。？?！!、]+")
_YES_NO = re.compile(r"[吗么][？?]?$|能否|是否|能不能|可不可以|可否|会不会|要不要|需不需要|有没有|算不算|还能|"
                     r"^\W*(?:do|does|did|is|are|can|may|must|should|will|shall|could|would|has|have)\b", re.I)


# What an amount is paid as. "奖励多少" is not answered by a sentence stating an output value in 亿元: the
# quoted text must speak of the same role (a reward, a fine, compensation, a fee).
ROLES = {
    "fine": r"罚|\bfine|\bpenalt",
    "compensation": r"赔|\bcompensat|\bdamages\b",
    "support": r"补贴|补助|奖|资助|扶持|支持|资金|\bsubsid|\bgrant|\breward|\bfund|\bsupport|\bincentive|\bbonus",
    "fee": r"费|价格|\bfees?\b|\bcharge|\bprice|\bcosts?\b",
}
_ROLES = {k: re.compile(v, re.I) for k, v in ROLES.items()}


def role(question: str, kind: str | None) -> str | None:
    """For a question about an amount, what the amount is paid as (see ROLES), if it says."""
    if kind not in ("money", "penalty"):
        return None
    return next((name for name, pattern in _ROLES.items() if pattern.search(question)), None)


def asks(question: str) -> str | None:
    """The kind of answer ``question`` asks for, or None when no interrogative form says.

    The last clause that asks something decides ("…兄妹几个意见不统一，还能办吗？" is a yes/no question)."""
    clauses = _CLAUSES.findall(question) or [question]
    for clause in reversed(clauses):
        for kind, cue in _CUES:
            if cue.search(clause):
                return kind
        if _YES_NO.search(clause.strip()):
            return None
    return None


def cue_spans(question: str, kind: str | None) -> list[tuple[int, int]]:
    """Where the question says what kind of answer it wants: those words are not its subject."""
    if kind is None:
        return []
    cue = dict(_CUES)[kind]
    spans = []
    for m in cue.finditer(question):
        start = m.start()
        for gap in range(1, cue.groups + 1):
            if m.start(gap) >= 0:  # the gap's words stay in the subject
                spans.append((start, m.start(gap)))
                start = m.end(gap)
        spans.append((start, m.end()))
    return [(a, b) for a, b in spans if b > a]


def answers(kind: str | None, text: str, paid_as: str | None = None) -> bool:
    """Does ``text`` state something of the asked kind (a number of days, an amount, an authority…), and for
    an amount paid as a reward, fine, compensation or fee, does it speak of that?"""
    if kind is None:
        return True
    if paid_as and not _ROLES[paid_as].search(text):
        return False
    if kind == "authority":
        return bool(_ORG.search(text))
    found = _quantities(text)
    if kind == "frequency":  # a schedule: "每季度至少1次", "每2年", not "1~2家"
        return any(q.kind == "duration" or q.unit in ("次", "回") for q in found) or bool(_TIME_WORDS.search(text))
    if {q.kind for q in found} & _EVIDENCE_KINDS[kind]:
        return True
    if kind in ("duration", "frequency", "date"):
        return bool(_TIME_WORDS.search(text))
    if kind in ("count", "quantity"):
        return bool(_EN_NUMBER.search(text))  # English counts need no unit: "30 provincial-level centres"
    if kind == "penalty":
        return bool(_PENALTY.search(text))
    return False


@lru_cache(maxsize=20_000)
def _quantities(text: str) -> tuple:
    """The quantities of a clause window, read once: every question scores the same windows again."""
    return tuple(quantities(text))


NUMERIC = frozenset({"frequency", "duration", "date", "money", "percent", "age", "measure", "count", "quantity"})
