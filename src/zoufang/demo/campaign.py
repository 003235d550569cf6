"""A realistic, deterministic demo campaign of a prefecture city's culture system.

Every quota and collective rule has people or periods that meet it and others
that miss it; unless ``clean``, a few typical clerk mistakes are planted
(``Demo.mistakes`` lists where).
"""
from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

import pandas as pd

from zoufang.contract.periods import half_months, workdays
from zoufang.contract.schema import (
    ACTIVITIES, ACTIVITY_LOOK_BACK, ACTIVITY_PAIRING, CASES, PAIRING_ROLES, PEOPLE, PROBLEMS, RECEPTIONS, RESEARCH,
    ROLE_BUREAU_LEADER, ROLE_CADRE, ROLE_OTHER, ROLE_UNIT_LEADER, UNITS, VISIT_TARGET_TYPES, VISITS, WENZHENG, Sheet,
)
from zoufang.xlsx.book_writer import BookContent, default_content

START, END = dt.date(2011, 9, 1), dt.date(2012, 2, 29)
DEMO_AS_OF = dt.date(2012, 1, 15)
MAIL_DOMAIN = "wenhua.example"  # RFC 2606: never a real recipient
BUREAU = ("JG", "市文化广电新闻出版局机关", "局机关")
SECOND_LEVEL = (
    ("BWG", "市博物馆"), ("TSG", "市图书馆"), ("QYG", "市群众艺术馆"), ("WWS", "市文物管理所"),
    ("YJT", "市豫剧团"), ("ZJT", "市杂技团"), ("JYY", "市人民剧院"), ("DYG", "市电影发行放映公司"),
    ("ZFD", "市文化市场综合执法支队"), ("JCZ", "市广播电视监测站"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红志国建文斌宇浩凯鹏飞鑫波宁晨欣婷雪琳晶颖洁梅兵林海峰辉亮成坤德福春"
VILLAGES = (
    "临泉县庙岔镇庞庄村", "颍州区颍西镇振兴社区", "颍州区西湖镇大田村", "颍泉区行流镇刘庄村", "颍东区插花镇王寨村",
    "太和县旧县镇郭庄村", "阜南县王家坝镇李郢村", "界首市光武镇尹庄村", "颍上县江店孜镇汪岗村", "临泉县城关镇东关社区",
    "颍州区文峰街道清河社区", "颍泉区中市街道人民路社区", "颍东区新华街道东清社区", "太和县城关镇三清社区",
)
TOPICS = ("农家书屋使用情况", "基层文化站建设", "非遗保护传承", "广播电视村村通", "文化市场管理", "群众文化活动需求",
          "文物安全巡查", "演出市场与惠民演出", "公共图书馆服务延伸", "电影下乡放映")
MATTERS = ("反映村文化大院设备老化", "要求增加农村电影放映场次", "反映有线电视信号差", "反映网吧接纳未成年人",
           "咨询非遗项目申报", "反映文物保护范围内违建", "要求恢复村广播", "反映农家书屋长期不开放",
           "反映演出噪音扰民", "咨询退休待遇问题", "反映历史遗留的职工安置问题", "要求补发演出补贴")
CATEGORIES = ("文化", "广电", "新闻出版", "社会稳定", "民生", "其他")
TARGET_TYPES = ("困难户", "老党员", "老干部", "老模范", "进城务工人员", "农村致富带头人", "服务对象", "其他")


@dataclass
class Person:
    person_id: str
    name: str
    unit: str
    unit_code: str
    title: str
    category: str
    is_head: bool = False
    is_lecturer: bool = False
    pace: float = 1.0  # >1 ahead (target met), ~1 on pace, <1 behind


@dataclass
class Demo:
    content: BookContent
    people: list[Person]
    mistakes: list[tuple[str, str, int]] = field(default_factory=list)  # (sheet key, column key, frame index)


class _Gen:
    def __init__(self, seed: int, as_of: dt.date):
        self.rng = random.Random(seed)
        self.seed = seed
        self.as_of = as_of
        self.share = ((as_of - START).days + 1) / ((END - START).days + 1)
        self.counters: dict[tuple[str, str], int] = {}
        self.used_names: set[str] = set()

    def record_id(self, spec: Sheet, unit_code: str) -> str:
        key = (unit_code, spec.id_tag)
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"{unit_code}-{spec.id_tag}{self.counters[key]:05d}"

    def name(self) -> str:
        while True:
            n = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
            if n not in self.used_names:
                self.used_names.add(n)
                return n

    def day(self, lo: dt.date = START, hi: dt.date | None = None) -> dt.date:
        hi = hi or self.as_of
        return lo + dt.timedelta(days=self.rng.randrange((hi - lo).days + 1))

    def amount(self, target: float, pace: float) -> int:
        """How much a person with this pace has done by the as-of date."""
        if pace > 1:
            return int(target + self.rng.randint(0, max(1, int(target * 0.5))))
        expected = target * self.share
        if pace >= 1:
            return min(int(target) - 1, int(expected + 1 + self.rng.randint(0, 2)))
        return max(0, int(expected * pace))


def _people(g: _Gen) -> list[Person]:
    people: list[Person] = []
    seq = 0

    def add(unit_code, unit, title, category, **kw):
        nonlocal seq
        seq += 1
        paces = (1.3, 1.0, 0.55)
        p = Person(f"P{seq:04d}", kw.pop("name", None) or g.name(), unit, unit_code, title, category,
                   pace=kw.pop("pace", paces[seq % 3]), **kw)
        people.append(p)
        return p

    code, unit, _ = BUREAU
    titles = ("局长", "党组书记、副局长", "副局长", "副局长", "副局长", "纪检组长", "副调研员")
    for i, t in enumerate(titles):
        add(code, unit, t, ROLE_BUREAU_LEADER, is_head=(i == 0), is_lecturer=(i in (2, 4)),
            pace=(1.0, 1.3, 1.3, 0.55, 1.0, 1.3, 0.55)[i])
    for i in range(12):
        add(code, unit, ("办公室科员", "文化科科员", "计财科副科长", "人事科科员")[i % 4], ROLE_CADRE,
            is_lecturer=(i in (0, 5)))
    for i in range(4):
        add(code, unit, "办事员", ROLE_OTHER)
    for k, (ucode, uname) in enumerate(SECOND_LEVEL):
        for t in ("馆长" if "馆" in uname else "主任", "书记", "副职")[: 3 + (k % 2)] + (("副职",) if k % 2 else ()):
            add(ucode, uname, t, ROLE_UNIT_LEADER)
        for i in range(8 + k % 4):
            add(ucode, uname, "干部", ROLE_CADRE)
        add(ucode, uname, "职工", ROLE_OTHER)
    # Two pairs of namesakes in different units: 人员编号 tells them apart.
    cadres = [p for p in people if p.category == ROLE_CADRE]
    cadres[20].name = cadres[3].name
    cadres[45].name = cadres[30].name
    return people


def _households(g: _Gen, n: int) -> list[tuple[str, str, str]]:
    out = []
    for _ in range(n):
        village = g.rng.choice(VILLAGES)
        out.append((g.name() if g.rng.random() < 0.3 else g.rng.choice(SURNAMES) + g.rng.choice(GIVEN) + g.rng.choice(GIVEN),
                    f"{village}{g.rng.randint(1, 12)}组{g.rng.randint(1, 80)}号", g.rng.choice(TARGET_TYPES)))
    return out


QUOTA_PLAN = {  # role: (research days, households)
    ROLE_BUREAU_LEADER: (30, 40), ROLE_UNIT_LEADER: (45, 20), ROLE_CADRE: (15, 15), ROLE_OTHER: (3, 6),
}


def build_demo(seed: int = 2011, clean: bool = False, as_of: dt.date = DEMO_AS_OF) -> Demo:
    """The demo campaign's content, deterministic for a seed."""
    g = _Gen(seed, as_of)
    rows = _Rows(g, _people(g))
    rows.visit_households()
    rows.take_research_trips()
    rows.receive_petitioners()
    rows.assign_cases()
    rows.register_major_problems()
    rows.hold_wenzheng()
    rows.hold_activities()
    _rule_cases(g, rows.people, rows.by_role, rows.visits, rows.receptions, rows.cases, rows.activities, as_of)
    _name_namesakes(rows.people, rows.problems, rows.cases)
    rows.pair_cadres()
    demo = Demo(rows.content(), rows.people)
    if not clean:
        _plant_mistakes(g, demo)
    return demo


class _Rows:
    """The demo's entry rows, made step by step in a fixed order (each step draws from the same generator)."""

    def __init__(self, g: _Gen, people: list[Person]):
        self.g, self.as_of, self.people = g, g.as_of, people
        self.by_role = {r: [p for p in people if p.category == r] for r in QUOTA_PLAN}
        self.bureau_leaders = self.by_role[ROLE_BUREAU_LEADER]
        self.unit_leaders = {code: [p for p in self.by_role[ROLE_UNIT_LEADER] if p.unit_code == code]
                             for code, _ in SECOND_LEVEL}
        self.visits, self.research, self.receptions, self.cases = [], [], [], []
        self.problems, self.wenzheng, self.activities = [], [], []

    def new_problem(self, p: Person, source: str, reg: dt.date, leader: Person | None, major: bool, text: str,
                    solved_share: float) -> str:
        """Register a problem found by ``p``; it is solved (and maybe ticked off) with probability ``solved_share``."""
        g, as_of = self.g, self.as_of
        pid = g.record_id(PROBLEMS, p.unit_code)
        deadline = reg + dt.timedelta(days=g.rng.choice((15, 30, 45, 60)))
        if g.rng.random() < solved_share:
            solved = min(as_of, reg + dt.timedelta(days=g.rng.randint(3, 40)))
            status = "已销号" if g.rng.random() < 0.5 and solved < as_of else "已解决"
            closed = min(as_of, solved + dt.timedelta(days=g.rng.randint(1, 10))) if status == "已销号" else None
        else:
            solved = closed = None
            status = g.rng.choice(("待办", "办理中"))
        self.problems.append({
            "problem_id": pid, "reg_date": reg, "source": source, "category": g.rng.choice(CATEGORIES),
            "description": text, "major": "是" if major else "否", "leader": leader.name if leader else None,
            "unit": p.unit, "owner": p.name, "plan": "制定整改方案，明确专人负责", "deadline": deadline,
            "progress": {"待办": "已登记", "办理中": "正在协调解决"}.get(status, "已办结"),
            "status": status, "solved_date": solved, "closed_date": closed, "finder": p.name,
            "supervision": None, "_finder_id": p.person_id, "_leader_id": leader.person_id if leader else None,
        })
        return pid

    def visit_households(self) -> None:
        """Each person visits households at their pace; some homes twice; some visits find a problem."""
        g = self.g
        for p in self.people:
            household_target = QUOTA_PLAN[p.category][1]
            n = g.amount(household_target, p.pace) if p.category != ROLE_OTHER else g.rng.randint(0, 6)
            homes = _households(g, n)
            extra = [h for h in homes if g.rng.random() < 0.15]  # second visits to the same household
            for head, address, kind in homes + extra:
                day = g.day()
                leads = p.category in (ROLE_BUREAU_LEADER, ROLE_UNIT_LEADER)
                issue = g.rng.random() < (0.25 if leads else 0.08)
                pid = None
                text = g.rng.choice(MATTERS) if issue else None
                if issue:
                    leader = p if leads else g.rng.choice(self.unit_leaders.get(p.unit_code) or self.bureau_leaders)
                    major = p.category == ROLE_BUREAU_LEADER and g.rng.random() < 0.7
                    solved_share = 1.0 if p.pace > 1 else (0.8 if p.pace >= 1 else 0.45)
                    pid = self.new_problem(p, "走访", day, leader, major, text, solved_share)
                self.visits.append({
                    "record_id": g.record_id(VISITS, p.unit_code), "date": day, "person": p.name,
                    "person_id": p.person_id, "target": head, "target_type": kind, "address": address,
                    "form": g.rng.choices(("入户走访", "座谈", "电话回访"), (8, 2, 1))[0], "issue": text,
                    "problem_id": pid, "remark": None,
                })

    def take_research_trips(self) -> None:
        """Research trips at each person's pace: some overlapping, a few starting before the period."""
        g, as_of = self.g, self.as_of
        for p in self.people:
            days = g.amount(QUOTA_PLAN[p.category][0], p.pace)
            cursor = START + dt.timedelta(days=g.rng.randint(0, 20))
            first = True
            while days > 0 and cursor < as_of:
                length = min(days, g.rng.randint(2, 7), (as_of - cursor).days + 1)
                start, end = cursor, cursor + dt.timedelta(days=length - 1)
                if first and cursor <= START + dt.timedelta(days=3) and g.rng.random() < 0.3:
                    start = START - dt.timedelta(days=2)  # began before the campaign: only days inside count
                self.research.append(_trip(g, p, start, end))
                if g.rng.random() < 0.1:  # a second record overlapping the same trip
                    self.research.append(_trip(g, p, cursor, min(end, cursor + dt.timedelta(days=1))))
                days -= (end - cursor).days + 1
                cursor = end + dt.timedelta(days=g.rng.randint(1, 12))
                first = False

    def receive_petitioners(self) -> None:
        """A bureau leader on (almost) every workday, each unit's leaders (almost) every week."""
        g, as_of, leaders = self.g, self.as_of, self.bureau_leaders
        work = workdays(START, as_of)
        uncovered = set(g.rng.sample(work, 3))
        for i, day in enumerate(work):
            if day in uncovered:
                continue
            p = leaders[i % len(leaders)]
            if p.pace < 1 and g.rng.random() < 0.85:  # a behind leader skips and a colleague stands in
                p = leaders[(i + 1) % len(leaders)]
            self.receptions.append(_reception(g, p, day, self.new_problem))
        monday = START - dt.timedelta(days=START.weekday())
        mondays = []
        while monday <= as_of:
            mondays.append(monday)
            monday += dt.timedelta(days=7)
        for k, (code, _) in enumerate(SECOND_LEVEL):
            gaps = set(g.rng.sample(mondays, k % 3))  # some units miss a week or two
            for w in mondays:
                if w in gaps:
                    continue
                lo, hi = max(w, START), min(w + dt.timedelta(days=4), as_of)
                if lo > hi:
                    continue
                self.receptions.append(_reception(g, g.rng.choice(self.unit_leaders[code]), g.day(lo, hi),
                                                  self.new_problem))

    def assign_cases(self) -> None:
        """Cases assigned to bureau leaders, with field-visit ratios around the 30 % line."""
        g, as_of = self.g, self.as_of
        for k, p in enumerate(self.bureau_leaders):
            n = (10, 6, 8, 7, 5, 6, 9)[k]
            visited = (3, 3, 2, 1, 2, 4, 1)[k]  # leader 0 sits exactly on 30 %
            for j in range(n):
                unit = g.rng.choice(SECOND_LEVEL)
                reg = g.day(START, as_of - dt.timedelta(days=20))
                deadline = reg + dt.timedelta(days=g.rng.choice((30, 60, 90)))
                status = g.rng.choices(("未化解", "化解中", "已化解", "已息诉息访", "已销号"), (2, 3, 2, 2, 3))[0]
                field_visit = j < visited
                self.cases.append({
                    "case_id": g.record_id(CASES, unit[0]), "cause": g.rng.choice(MATTERS),
                    "case_type": g.rng.choices(("信访疑难案件", "涉法涉诉案件", "信访积案"), (5, 2, 3))[0],
                    "leader": p.name, "unit": unit[1], "owner": g.rng.choice(self.unit_leaders[unit[0]]).name,
                    "field_visit": "是" if field_visit else "否",
                    "visit_date": min(as_of, reg + dt.timedelta(days=g.rng.randint(1, 20))) if field_visit else None,
                    "deadline": deadline, "progress": "按计划推进", "status": status,
                    "closed_date": min(as_of, reg + dt.timedelta(days=g.rng.randint(10, 60)))
                    if status == "已销号" else None,
                    "_leader_id": p.person_id,
                })

    def register_major_problems(self) -> None:
        """Major problems from 排查 / 上级交办, each led by a bureau leader."""
        g = self.g
        for p in self.bureau_leaders:
            for _ in range({1.3: 11, 1.0: 7, 0.55: 3}[p.pace]):
                reg = g.day(START, self.as_of - dt.timedelta(days=10))
                self.new_problem(p, g.rng.choice(("排查", "上级交办")), reg, p, True, g.rng.choice(MATTERS),
                                 0.95 if p.pace > 1 else 0.6)

    def hold_wenzheng(self) -> None:
        """问政: the head's online exchanges on 2–3 topics, and the other leaders' hotlines and meetings."""
        g = self.g
        head = next(p for p in self.people if p.is_head)
        topics = ("如何让农家书屋真正用起来", "送戏下乡群众最想看什么", "非遗保护的群众参与")
        for i in range(3):
            day = g.day(START + dt.timedelta(days=30 * i + 10), START + dt.timedelta(days=30 * i + 30))
            self.wenzheng.append(_wz(g, head, day, "在线交流", topics[i % 2]))
        for i in range(10):
            self.wenzheng.append(_wz(g, g.rng.choice(self.bureau_leaders), g.day(),
                                     g.rng.choice(("热线电话", "电子邮箱", "座谈")), g.rng.choice(topics)))
        self.hold_unit_wenzheng()

    def hold_unit_wenzheng(self) -> None:
        """Each second-level unit's 2–3 问政 topics, one unit with a single topic; drawn from a generator of their
        own, so the rest of the demo stays as it was."""
        rng = random.Random(f"{self.g.seed}-unit-wenzheng")
        codes = sorted(self.unit_leaders)
        for k, code in enumerate(codes):
            leaders = self.unit_leaders[code]
            if not leaders:
                continue
            for topic in UNIT_TOPICS_DEMO[k % 3: k % 3 + (1 if k == len(codes) - 1 else 2 + k % 2)]:
                day = START + dt.timedelta(days=rng.randrange(10, max((self.as_of - START).days, 11)))
                opinions = rng.randint(3, 25)
                self.wenzheng.append({"record_id": self.g.record_id(WENZHENG, code), "date": day,
                                      "person": rng.choice(leaders).name, "mode": rng.choice(("座谈", "热线电话")),
                                      "topic": topic, "participants": rng.randint(15, 120), "opinions": opinions,
                                      "replied": rng.randint(opinions // 2, opinions), "remark": None})

    def hold_activities(self) -> None:
        """Half-month meetings (one missed), books, contact points (two units without), lectures, the rest."""
        g, as_of, add = self.g, self.as_of, self.activities.append
        head = next(p for p in self.people if p.is_head)
        halves = [(max(lo, START), hi) for lo, hi in half_months(START, as_of)]
        missed = halves[3]
        for lo, hi in halves:
            if lo != missed[0]:
                add(_activity(g, head, "领导小组例会", g.day(lo, min(hi, as_of)), "局会议室", "研究部署大走访工作"))
        add(_activity(g, self.bureau_leaders[2], "送图书", dt.date(2011, 10, 20), "临泉县庙岔镇庞庄村农家书屋",
                      "赠送图书1200册"))
        for k, (code, _) in enumerate(SECOND_LEVEL):
            if k not in (3, 7):  # two units have not yet set up a contact point
                add(_activity(g, self.unit_leaders[code][0], "联系点建设", g.day(START, dt.date(2011, 10, 31)),
                              g.rng.choice(VILLAGES), "建立基层文化联系点"))
        lecturers = [p for p in self.people if p.is_lecturer]
        for p in lecturers[:-1]:  # the last lecturer has not lectured yet
            add(_activity(g, p, "送政策", g.day(), "临泉县庙岔镇庞庄村", "宣讲文化发展政策和法律法规"))
        for kind in ("送服务", "问卷调查", "结对帮扶", "平安建设", "学先进树新风"):
            for _ in range(6):
                add(_activity(g, g.rng.choice(self.people), kind, g.day(), g.rng.choice(VILLAGES), f"开展{kind}活动"))

    def pair_cadres(self) -> None:
        """结对帮扶: about four in five 党员干部 have paired with someone in need by the as-of date; drawn from a
        generator of their own, so the rest of the demo stays as it was."""
        rng = random.Random(f"{self.g.seed}-pairing")
        span = max((self.as_of - START).days, 1)
        for p in self.people:
            if p.category in PAIRING_ROLES and rng.random() < 0.8:
                day = START + dt.timedelta(days=rng.randrange(span))
                self.activities.append(_activity(self.g, p, ACTIVITY_PAIRING, day, rng.choice(VILLAGES),
                                                 f"与{rng.choice(VISIT_TARGET_TYPES[:6])}结对，帮助解决实际困难"))

    def content(self) -> BookContent:
        """The rows as the workbook's sheets (sorted by date, some dates typed as text), with fresh settings."""
        g = self.g
        frames = {
            UNITS.key: pd.DataFrame(_units(g)), PEOPLE.key: pd.DataFrame([_person_row(p) for p in self.people]),
            VISITS.key: _sorted(self.visits, "date"), RESEARCH.key: _sorted(self.research, "start"),
            RECEPTIONS.key: _sorted(self.receptions, "date"), CASES.key: pd.DataFrame(self.cases),
            PROBLEMS.key: _sorted(self.problems, "reg_date"), WENZHENG.key: _sorted(self.wenzheng, "date"),
            ACTIVITIES.key: _sorted(self.activities, "date"),
        }
        _text_dates(g, frames)
        content = default_content(str(uuid.UUID(int=g.rng.getrandbits(128))))
        content.settings["as_of"] = self.as_of
        content.frames.update(frames)
        return content


def _rule_cases(g: _Gen, people: list[Person], by_role: dict, visits: list, receptions: list, cases: list,
                activities: list, as_of: dt.date) -> None:
    """Rows that exercise DOMAIN.md's counting rules: two homes told apart only by their house
    numbers, a phone follow-up of a home already visited, a 回头看 during the campaign (not
    counted) and, when the as-of date is past the end, one after it; a lecture away from any
    contact point; a case taken by a section chief; a 限期办理 reception with no 问题编号."""
    cadre = by_role[ROLE_CADRE][0]
    head = g.name()
    for day, address, form in ((dt.date(2011, 10, 12), "颍州区清河路1-23号", "入户走访"),
                               (dt.date(2011, 10, 13), "颍州区清河路12-3号", "入户走访"),
                               (dt.date(2011, 11, 2), "颍州区清河路12-3号", "电话回访")):
        visits.append({"record_id": g.record_id(VISITS, cadre.unit_code), "date": day, "person": cadre.name,
                       "person_id": cadre.person_id, "target": head, "target_type": "困难户", "address": address,
                       "form": form, "issue": None, "problem_id": None, "remark": None})
    leader = by_role[ROLE_BUREAU_LEADER][1]
    activities.append(_activity(g, leader, ACTIVITY_LOOK_BACK, dt.date(2011, 12, 20), "局会议室",
                                "活动期间的中期检查（不是活动结束后的回头看）"))
    if as_of > END:
        activities.append(_activity(g, leader, ACTIVITY_LOOK_BACK, END + dt.timedelta(days=20), "临泉县庙岔镇庞庄村",
                                    "活动结束后回头看，检查问题整改落实情况"))
    lecturer = next(p for p in people if p.is_lecturer)
    activities.append(_activity(g, lecturer, "送政策", dt.date(2011, 11, 8), "市图书馆报告厅", "政策宣讲（不在联系点）"))
    chief = next(p for p in by_role[ROLE_CADRE] if p.unit_code == BUREAU[0])
    cases.append({
        "case_id": g.record_id(CASES, BUREAU[0]), "cause": "演出场所噪声扰民信访", "case_type": "信访疑难案件",
        "leader": chief.name, "unit": BUREAU[1], "owner": chief.name, "field_visit": "是",
        "visit_date": dt.date(2011, 11, 20), "deadline": dt.date(2011, 12, 31), "progress": "科室负责人包案，正在协调",
        "status": "化解中", "closed_date": None, "_leader_id": chief.person_id,
    })
    receiver = by_role[ROLE_BUREAU_LEADER][0]
    receptions.append({
        "record_id": g.record_id(RECEPTIONS, receiver.unit_code), "date": dt.date(2011, 11, 22),
        "person": receiver.name, "person_id": receiver.person_id, "unit": receiver.unit, "visitor": g.name(),
        "matter": "社区文化广场灯光损坏", "in_scope": "是", "handling": "限期办理", "deadline": dt.date(2011, 12, 10),
        "transfer_to": None, "result": None, "problem_id": None,
    })


def _name_namesakes(people: list[Person], problems: list, cases: list) -> None:
    """发现人, 分包领导 and 包案领导 are never told apart by the row's unit: a namesake there is written
    with the 人员编号 in brackets, as WORKBOOK.md allows (沈成林（P0040）)."""
    counts = pd.Series([p.name for p in people]).value_counts()
    shared = set(counts[counts > 1].index)
    for row in problems + cases:
        for key in ("finder", "leader"):
            pid = row.pop(f"_{key}_id", None)
            if row.get(key) in shared and pid:
                row[key] = f"{row[key]}（{pid}）"


def _sorted(rows: list[dict], key: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def _units(g: _Gen) -> list[dict]:
    rows = [{"code": BUREAU[0], "name": BUREAU[1], "kind": BUREAU[2], "contact": g.name(), "phone": "0558-2212345",
             "email": f"bgs@{MAIL_DOMAIN}"}]
    for i, (code, name) in enumerate(SECOND_LEVEL):
        rows.append({"code": code, "name": name, "kind": "二级单位", "contact": g.name(),
                     "phone": f"0558-22{i + 20:02d}{g.rng.randint(100, 999)}",
                     "email": _unit_mail(code, i)})
    return rows


def _unit_mail(code: str, i: int) -> str:
    """A unit's 联系邮箱 in the reserved example domain: one unit has two, one has none yet."""
    if i == len(SECOND_LEVEL) - 1:
        return ""
    own = f"{code.lower()}@{MAIL_DOMAIN}"
    return f"{own}；{code.lower()}.bgs@{MAIL_DOMAIN}" if i == 1 else own


def _person_row(p: Person) -> dict:
    return {"person_id": p.person_id, "name": p.name, "unit": p.unit, "title": p.title, "category": p.category,
            "is_head": "是" if p.is_head else "否", "is_lecturer": "是" if p.is_lecturer else "否"}


def _trip(g: _Gen, p: Person, start: dt.date, end: dt.date) -> dict:
    return {"record_id": g.record_id(RESEARCH, p.unit_code), "person": p.name, "person_id": p.person_id,
            "start": start, "end": end, "place": g.rng.choice(VILLAGES), "topic": g.rng.choice(TOPICS),
            "report": "是" if g.rng.random() < 0.6 else "否"}


def _reception(g: _Gen, p: Person, day: dt.date, new_problem) -> dict:
    handling = g.rng.choices(("当场解决", "限期办理", "移交有关部门"), (5, 3, 2))[0]
    in_scope = handling != "移交有关部门"
    matter = g.rng.choice(MATTERS)
    pid = None
    if handling == "限期办理":
        leader = p if p.category in (ROLE_BUREAU_LEADER, ROLE_UNIT_LEADER) else None
        pid = new_problem(p, "接访", day, leader, False, matter, 0.8 if p.pace >= 1 else 0.5)
    return {
        "record_id": g.record_id(RECEPTIONS, p.unit_code), "date": day, "person": p.name, "person_id": p.person_id,
        "unit": p.unit, "visitor": g.name(), "matter": matter, "in_scope": "是" if in_scope else "否",
        "handling": handling, "deadline": day + dt.timedelta(days=30) if handling == "限期办理" else None,
        "transfer_to": "市信访局" if handling == "移交有关部门" else None,
        "result": {"当场解决": "当场答复解决", "限期办理": "已登记限期办理", "移交有关部门": "已移交"}[handling],
        "problem_id": pid,
    }


UNIT_TOPICS_DEMO = ("开放时间怎样方便群众", "群众最想要哪些文化服务", "基层文化设施怎么用好", "服务窗口作风怎么改进",
                    "文化下乡送什么")


def _wz(g: _Gen, p: Person, day: dt.date, mode: str, topic: str) -> dict:
    opinions = g.rng.randint(5, 40)
    return {"record_id": g.record_id(WENZHENG, p.unit_code), "date": day, "person": p.name, "mode": mode,
            "topic": topic, "participants": g.rng.randint(20, 300), "opinions": opinions,
            "replied": g.rng.randint(opinions // 2, opinions), "remark": None}


def _activity(g: _Gen, p: Person, kind: str, day: dt.date, place: str, summary: str) -> dict:
    return {"record_id": g.record_id(ACTIVITIES, p.unit_code), "date": day, "kind": kind, "lead": p.name,
            "unit": p.unit, "place": place, "summary": summary, "participants": g.rng.randint(5, 120), "remark": None}


def _text_dates(g: _Gen, frames: dict[str, pd.DataFrame]) -> None:
    """Some clerks type dates as text in accepted forms: the reader must take them."""
    visits = frames[VISITS.key].astype({"date": object})
    forms = ("{y}-{m}-{d}", "{y}/{m:02d}/{d:02d}", "{y}.{m}.{d}", "{y}年{m}月{d}日")
    for i in g.rng.sample(range(len(visits)), min(40, len(visits))):
        d = visits.at[i, "date"]
        visits.at[i, "date"] = g.rng.choice(forms).format(y=d.year, m=d.month, d=d.day)
    frames[VISITS.key] = visits


def _plant_mistakes(g: _Gen, demo: Demo) -> None:
    frames = demo.content.frames
    visits = frames[VISITS.key]
    mistakes = demo.mistakes
    i = g.rng.randrange(len(visits))
    name = visits.at[i, "person"]
    visits.at[i, "person"] = name[0] + ("为" if name[-1] != "为" else "伟") if len(name) == 2 else name[:-1] + "为"
    visits.at[i, "person_id"] = None
    mistakes.append((VISITS.key, "person", i))
    i = g.rng.randrange(len(visits))
    visits.at[i, "date"] = "10月8号"
    mistakes.append((VISITS.key, "date", i))
    i = g.rng.randrange(len(visits))
    visits.at[i, "date"] = dt.date(2012, 3, 5)
    mistakes.append((VISITS.key, "date", i))
    problems = frames[PROBLEMS.key]
    i = g.rng.randrange(len(problems))
    problems.at[i, "deadline"] = None
    mistakes.append((PROBLEMS.key, "deadline", i))
    receptions = frames[RECEPTIONS.key]
    i = int(receptions.index[receptions["handling"] == "移交有关部门"][0])
    receptions.at[i, "transfer_to"] = None
    mistakes.append((RECEPTIONS.key, "transfer_to", i))
