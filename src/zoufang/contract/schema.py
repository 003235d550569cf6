"""The workbook contract (WORKBOOK.md) in one place.

Every sheet name, header label, enumeration, settings key, quota default and
the ownership of each column is defined here and nowhere else; generation,
reading, validation and reports derive from these objects.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

SCHEMA_VERSION = 1


class Kind(str, Enum):
    """What a column holds; decides how it is parsed and checked."""

    TEXT = "text"
    DATE = "date"
    YESNO = "yesno"
    NUMBER = "number"
    ENUM = "enum"
    PERSON = "person"  # a name from 人员
    UNIT = "unit"  # a name from 单位
    RECORD_ID = "record_id"  # this sheet's own record number
    PROBLEM_REF = "problem_ref"  # a 问题编号 of 问题台账
    TARGET = "target"  # quota target: number or percentage


class Owner(str, Enum):
    UNIT = "unit"
    OFFICE = "office"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    owner: Owner = Owner.UNIT
    event_date: bool = False  # must lie inside the campaign period
    done_date: bool = False  # when something was finished: never after the as-of date
    width: float = 12
    aliases: tuple[str, ...] = ()
    bureau_leaders_ok: bool = False  # any unit may name a bureau leader here (分包领导, 包案领导)
    paired_unit: str | None = None  # the unit column on the same row that tells this person's namesakes apart


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    columns: tuple[Column, ...]
    purpose: str
    entry: bool = True  # typed into by clerks (False: roster / settings)
    id_key: str | None = None  # column key of the record number
    unit_from: tuple[str, ...] = ()  # column keys naming the owning unit, in order
    person_keys: tuple[str, ...] = ()  # PERSON columns with their id column pairing below
    person_id_key: str | None = None
    id_tag: str = ""  # short tag in generated record numbers: 单位编码-TAG00001
    optional: bool = False  # a workbook without it is complete (节假日)
    identity: tuple[str, ...] = ()  # column keys that tell which record an unnumbered row is (a resent copy)

    def col(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.name} has no column {key}")

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.columns]


# ---------------------------------------------------------------- enumerations
UNIT_KINDS = ("局机关", "二级单位")  # = UNIT_KIND_BUREAU, UNIT_KIND_SECOND
ROLE_BUREAU_LEADER = "局领导班子成员"
ROLE_UNIT_LEADER = "二级单位领导班子成员"
ROLE_CADRE = "其他党员干部"
ROLE_OTHER = "其他干部"
ROLES = (ROLE_BUREAU_LEADER, ROLE_UNIT_LEADER, ROLE_CADRE, ROLE_OTHER)
LEADER_ROLES = (ROLE_BUREAU_LEADER, ROLE_UNIT_LEADER)
RECEIVER_ROLES = LEADER_ROLES  # who may receive petitioners (开门接访)
FLAG_HEAD = "局负责人"
FLAG_LECTURER = "普法讲师团成员"
SCOPE_BUREAU = "局"
SCOPE_UNIT = "二级单位"
QUOTA_SUBJECTS = ROLES + (FLAG_HEAD, FLAG_LECTURER, SCOPE_BUREAU, SCOPE_UNIT)

VISIT_TARGET_TYPES = ("困难户", "老党员", "老干部", "老模范", "进城务工人员", "农村致富带头人", "服务对象", "其他")
VISIT_FORMS = ("入户走访", "座谈", "电话回访")
IN_PERSON_FORMS = VISIT_FORMS[:2]  # a 电话回访 is a follow-up, not a household visited
HANDLING = ("当场解决", "限期办理", "移交有关部门")
HANDLING_ON_SPOT, HANDLING_DEADLINE, HANDLING_TRANSFER = HANDLING
CASE_TYPES = ("信访疑难案件", "涉法涉诉案件", "信访积案")
CASE_STATUSES = ("未化解", "化解中", "已化解", "已息诉息访", "已销号")
CASE_OPEN = ("未化解", "化解中")
PROBLEM_SOURCES = ("走访", "接访", "排查", "上级交办", "问政", "其他")
PROBLEM_CATEGORIES = ("文化", "广电", "新闻出版", "社会稳定", "民生", "其他")
PROBLEM_STATUSES = ("待办", "办理中", "已解决", "已销号")
PROBLEM_OPEN = ("待办", "办理中")
PROBLEM_SOLVED = ("已解决", "已销号")
MODE_ONLINE = "在线交流"
WENZHENG_MODES = (MODE_ONLINE, "热线电话", "电子邮箱", "座谈")
ACTIVITY_LECTURE, ACTIVITY_BOOKS, ACTIVITY_MEETING = "送政策", "送图书", "领导小组例会"
ACTIVITY_CONTACT_POINT, ACTIVITY_LOOK_BACK = "联系点建设", "回头看"
ACTIVITY_PAIRING = "结对帮扶"
PAIRING_ROLES = (ROLE_BUREAU_LEADER, ROLE_UNIT_LEADER, ROLE_CADRE)  # 党员干部: each pairs with someone in need
ACTIVITY_TYPES = (
    ACTIVITY_LECTURE, "送服务", ACTIVITY_BOOKS, "问卷调查", ACTIVITY_PAIRING, "平安建设",
    "学先进树新风", ACTIVITY_MEETING, ACTIVITY_CONTACT_POINT, ACTIVITY_LOOK_BACK,
)
POST_CAMPAIGN_ACTIVITIES = (ACTIVITY_LOOK_BACK,)  # held after the campaign ends
UNIT_KIND_BUREAU, UNIT_KIND_SECOND = "局机关", "二级单位"
LEVEL_ERROR = "错误"
LEVEL_WARNING = "警告"

C = Column
K = Kind

# ---------------------------------------------------------------- sheets
SETTINGS = Sheet(
    "settings", "活动设置",
    (C("item", "项目", K.TEXT, True, width=16), C("value", "值", K.TEXT, width=40)),
    "活动名称、起止日期、统计截止日期和联系点。改这里的日期，全部统计随之改变。",
    entry=False,
)
UNITS = Sheet(
    "units", "单位",
    (
        C("code", "单位编码", K.TEXT, True, owner=Owner.OFFICE, width=10),
        C("name", "单位名称", K.TEXT, True, owner=Owner.OFFICE, width=26),
        C("kind", "单位类别", K.ENUM, True, UNIT_KINDS, Owner.OFFICE, width=10),
        C("contact", "联系人", owner=Owner.OFFICE, width=10),
        C("phone", "联系电话", owner=Owner.OFFICE, width=14),
        C("email", "联系邮箱", owner=Owner.OFFICE, width=30),
    ),
    "全局及各二级单位名录。单位编码用作记录编号的前缀；联系邮箱是下发、催报邮件草稿的收件人，多个地址用分号隔开。",
    entry=False, id_key="code",
)
PEOPLE = Sheet(
    "people", "人员",
    (
        C("person_id", "人员编号", K.TEXT, True, owner=Owner.OFFICE, width=10),
        C("name", "姓名", K.TEXT, True, owner=Owner.OFFICE, width=10),
        C("unit", "单位名称", K.UNIT, True, owner=Owner.OFFICE, width=24),
        C("title", "职务", owner=Owner.OFFICE, width=14),
        C("category", "人员类别", K.ENUM, True, ROLES, Owner.OFFICE, width=18),
        C("is_head", "是否局负责人", K.YESNO, owner=Owner.OFFICE, width=12),
        C("is_lecturer", "是否普法讲师团成员", K.YESNO, owner=Owner.OFFICE, width=16),
    ),
    "参加活动的全部人员。同名的人用人员编号区分；人员类别决定个人指标。",
    entry=False, id_key="person_id",
)
QUOTAS = Sheet(
    "quotas", "配额",
    (
        C("subject", "适用对象", K.ENUM, True, QUOTA_SUBJECTS, Owner.OFFICE, width=18),
        C("metric", "指标", K.TEXT, True, owner=Owner.OFFICE, width=16),
        C("target", "目标值", K.TARGET, True, owner=Owner.OFFICE, width=10),
        C("unit_label", "计量单位", owner=Owner.OFFICE, width=16),
        C("note", "说明", owner=Owner.OFFICE, width=40),
    ),
    "各类人员和集体的指标。改目标值或增加一行即改变统计规则，无需改程序。",
    entry=False,
)
HOLIDAYS = Sheet(
    "holidays", "节假日",
    (
        C("date", "日期", K.DATE, True, owner=Owner.OFFICE, width=12),
        C("kind", "类型", K.ENUM, True, ("放假", "上班"), Owner.OFFICE, width=8),
        C("name", "名称", owner=Owner.OFFICE, width=20),
    ),
    "法定节假日和调休上班日。这里列出的日期优先于内置的国务院安排；内置日历还没有的年份，"
    "请按当年公布的安排补上，否则按周一至周五计算工作日。",
    entry=False, optional=True,
)
VISITS = Sheet(
    "visits", "走访记录",
    (
        C("record_id", "记录编号", K.RECORD_ID, width=12),
        C("date", "走访日期", K.DATE, True, event_date=True, width=12),
        C("person", "走访人", K.PERSON, True, width=10),
        C("person_id", "人员编号", width=10),
        C("target", "走访对象", K.TEXT, True, width=10),
        C("target_type", "对象类别", K.ENUM, True, VISIT_TARGET_TYPES, width=14),
        C("address", "地址", K.TEXT, True, width=28, aliases=("详细地址", "家庭住址", "住址")),
        C("form", "走访形式", K.ENUM, True, VISIT_FORMS, width=10),
        C("issue", "反映问题", width=30),
        C("problem_id", "问题编号", K.PROBLEM_REF, width=12),
        C("remark", "备注", width=16),
    ),
    "每次走访一行。户以户主姓名加地址识别，同一户走访两次只计一户。",
    id_tag="ZF", id_key="record_id", unit_from=("person",), person_id_key="person_id",
    identity=("date", "person", "target"),
)
RESEARCH = Sheet(
    "research", "调研记录",
    (
        C("record_id", "记录编号", K.RECORD_ID, width=12),
        C("person", "调研人", K.PERSON, True, width=10),
        C("person_id", "人员编号", width=10),
        C("start", "开始日期", K.DATE, True, width=12),
        C("end", "结束日期", K.DATE, True, width=12),
        C("place", "调研地点", K.TEXT, True, width=24),
        C("topic", "调研主题", K.TEXT, True, width=30),
        C("report", "形成报告", K.YESNO, width=10),
    ),
    "每次调研一行，起止日期都算在内；同一人重叠的日子只算一次。",
    id_tag="DY", id_key="record_id", unit_from=("person",), person_id_key="person_id",
    identity=("person", "start", "topic"),
)
RECEPTIONS = Sheet(
    "receptions", "接访记录",
    (
        C("record_id", "记录编号", K.RECORD_ID, width=12),
        C("date", "接访日期", K.DATE, True, event_date=True, width=12),
        C("person", "接访人", K.PERSON, True, width=10, paired_unit="unit"),
        C("person_id", "人员编号", width=10),
        C("unit", "所属单位", K.UNIT, True, width=22),
        C("visitor", "来访人", K.TEXT, True, width=10),
        C("matter", "来访事项", K.TEXT, True, width=30),
        C("in_scope", "是否本局职权", K.YESNO, True, width=12),
        C("handling", "处理方式", K.ENUM, True, HANDLING, width=14),
        C("deadline", "办结时限", K.DATE, width=12),
        C("transfer_to", "移交部门", width=16),
        C("result", "办理结果", width=24),
        C("problem_id", "问题编号", K.PROBLEM_REF, width=12),
    ),
    "开门接访，每次一行。限期办理要填办结时限，移交的要填移交部门。",
    id_tag="JF", id_key="record_id", unit_from=("unit", "person"), person_id_key="person_id",
    identity=("date", "person", "visitor"),
)
CASES = Sheet(
    "cases", "包案台账",
    (
        C("case_id", "案件编号", K.RECORD_ID, width=12),
        C("cause", "案件事由", K.TEXT, True, width=30),
        C("case_type", "案件类型", K.ENUM, True, CASE_TYPES, width=14),
        C("leader", "包案领导", K.PERSON, True, width=10, bureau_leaders_ok=True),
        C("unit", "责任单位", K.UNIT, True, width=22),
        C("owner", "责任人", K.PERSON, width=10, paired_unit="unit"),
        C("field_visit", "是否带案下访", K.YESNO, True, width=12),
        C("visit_date", "下访日期", K.DATE, event_date=True, width=12),
        C("deadline", "办结时限", K.DATE, True, width=12),
        C("progress", "化解情况", width=24),
        C("status", "状态", K.ENUM, True, CASE_STATUSES, width=12),
        C("closed_date", "销号日期", K.DATE, done_date=True, width=12),
    ),
    "领导包案的信访案件。局领导带案下访不少于包案量的30%。",
    id_tag="BA", id_key="case_id", unit_from=("unit", "leader"), identity=("cause", "leader"),
)
PROBLEMS = Sheet(
    "problems", "问题台账",
    (
        C("problem_id", "问题编号", K.RECORD_ID, width=12),
        C("reg_date", "登记日期", K.DATE, True, event_date=True, width=12),
        C("source", "问题来源", K.ENUM, True, PROBLEM_SOURCES, width=10),
        C("category", "问题类别", K.ENUM, True, PROBLEM_CATEGORIES, width=10),
        C("description", "问题描述", K.TEXT, True, width=30),
        C("major", "是否重大问题", K.YESNO, True, width=12),
        C("leader", "分包领导", K.PERSON, width=10, bureau_leaders_ok=True),
        C("unit", "责任单位", K.UNIT, True, width=22),
        C("owner", "责任人", K.PERSON, width=10, paired_unit="unit"),
        C("plan", "解决方案", width=24),
        C("deadline", "办结时限", K.DATE, True, width=12),
        C("progress", "办理进展", width=20),
        C("status", "状态", K.ENUM, True, PROBLEM_STATUSES, width=10),
        C("solved_date", "解决日期", K.DATE, done_date=True, width=12),
        C("closed_date", "销号日期", K.DATE, done_date=True, width=12),
        C("finder", "发现人", K.PERSON, width=10),
        C("supervision", "督办意见", owner=Owner.OFFICE, width=20),
    ),
    "走访、接访、排查中发现的问题，逐项登记，明确分包领导、责任单位、责任人和时限，逐案销号。",
    id_tag="WT", id_key="problem_id", unit_from=("unit", "leader"), identity=("reg_date", "description"),
)
WENZHENG = Sheet(
    "wenzheng", "问政记录",
    (
        C("record_id", "记录编号", K.RECORD_ID, width=12),
        C("date", "日期", K.DATE, True, event_date=True, width=12),
        C("person", "负责人", K.PERSON, True, width=10),
        C("mode", "方式", K.ENUM, True, WENZHENG_MODES, width=10),
        C("topic", "题目", K.TEXT, True, width=30),
        C("participants", "参与人数", K.NUMBER, width=10),
        C("opinions", "收集意见数", K.NUMBER, width=10),
        C("replied", "已回复数", K.NUMBER, width=10),
        C("remark", "备注", width=16),
    ),
    "热线、邮箱、在线交流等问政活动。局负责人在线交流不少于4次。",
    id_tag="WZ", id_key="record_id", unit_from=("person",), identity=("date", "person", "topic"),
)
ACTIVITIES = Sheet(
    "activities", "活动记录",
    (
        C("record_id", "记录编号", K.RECORD_ID, width=12),
        C("date", "日期", K.DATE, True, event_date=True, width=12),
        C("kind", "活动类型", K.ENUM, True, ACTIVITY_TYPES, width=14),
        C("lead", "牵头人", K.PERSON, True, width=10, paired_unit="unit"),
        C("unit", "单位", K.UNIT, True, width=22),
        C("place", "地点或对象", width=24),
        C("summary", "内容摘要", width=30),
        C("participants", "参与人数", K.NUMBER, width=10),
        C("remark", "备注", width=16),
    ),
    "送政策、送图书、结对帮扶、领导小组例会、联系点建设、回头看等活动。",
    id_tag="HD", id_key="record_id", unit_from=("unit", "lead"), identity=("date", "kind", "lead"),
)

REFERENCE_SHEETS = (SETTINGS, UNITS, PEOPLE, QUOTAS, HOLIDAYS)
ENTRY_SHEETS = (VISITS, RESEARCH, RECEPTIONS, CASES, PROBLEMS, WENZHENG, ACTIVITIES)
ALL_SHEETS = REFERENCE_SHEETS + ENTRY_SHEETS
SHEETS_BY_KEY = {s.key: s for s in ALL_SHEETS}
SHEETS_BY_NAME = {s.name: s for s in ALL_SHEETS}

# Sheets the software writes, never typed into.
FINDINGS_SHEET = "校验结果"
SELF_CHECK_SHEET = "自查"  # in every workbook made for typing: the rules the workbook checks by formula
SELF_CHECK_HEADERS = ("规则", "工作表", "说明", "数量", "第一处")  # the rule's code sits in hidden column I (代码)
PROGRESS_SHEET = "本单位进度"  # issued unit workbooks: the unit's people against their quotas, by formulas
PROGRESS_HELPER_SHEET = "_进度计算"  # hidden: what 本单位进度 counts, row by row
PROGRESS_TAIL = ("状态", "需要加快")  # after 人员编号 · 姓名 · 人员类别 · one column per 指标
FINDINGS_HEADERS = ("序号", "级别", "规则", "工作表", "单元格", "说明", "建议", "代码")  # 代码 last: for scripts
PERSON_REPORT_SHEET = "个人完成情况"
UNIT_REPORT_SHEET = "单位完成情况"
UNIT_CHART_SHEET = "单位完成情况图"  # the report's chart of units, a page of its own
COLLECTIVE_SHEET = "集体指标"
SUPERVISION_SHEET = "督办清单"
MEASURES_SHEET = "专项工作"  # the report's 问政, 重点走访对象, 结对帮扶 and 回收 by unit
UNPAIRED_SHEET = "未结对帮扶人员"  # the report's 党员干部 without a 结对帮扶 record
IMPORT_LOG_SHEET = "导入记录"
DELETED_SHEET = "已删除记录"
IMPORT_LOG_HEADERS = ("导入时间", "文件", "SHA256", "单位", "保存时间", "状态", "新增", "修改", "未变", "删除", "拒收",
                      "说明")
DELETED_HEADERS = ("删除时间", "工作表", "编号", "单位", "来源文件", "SHA256", "原行内容")
HOME_SHEET = "首页"
META_SHEET = "_meta"
GENERATED_SHEETS = (
    FINDINGS_SHEET, PERSON_REPORT_SHEET, UNIT_REPORT_SHEET, COLLECTIVE_SHEET,
    SUPERVISION_SHEET, IMPORT_LOG_SHEET,
)

# ---------------------------------------------------------------- settings
@dataclass(frozen=True)
class SettingItem:
    key: str
    label: str
    default: object
    kind: Kind = Kind.TEXT


SETTING_ITEMS = (
    SettingItem("name", "活动名称", "市直文广新系统“五级书记带头大走访”活动"),
    SettingItem("organizer", "主办单位", "市文化广电新闻出版局"),
    SettingItem("start", "开始日期", dt.date(2011, 9, 1), Kind.DATE),
    SettingItem("end", "结束日期", dt.date(2012, 2, 29), Kind.DATE),
    SettingItem("as_of", "统计截止日期", None, Kind.DATE),
    SettingItem("contact_point", "局联系点", "临泉县庙岔镇庞庄村"),
    SettingItem("security_points", "治安联系点", "颍州区颍西镇振兴社区；市第三人民医院"),
    SettingItem("return_deadline", "回收截止日期", None, Kind.DATE),  # printed on each unit's 首页 at issue
    SettingItem("reception_place", "接访地点", "局信访接待室"),  # printed on the rota (局领导接访安排)
    SettingItem("reception_hours", "接访时间", "工作日上午 8:30—12:00，下午 2:30—5:30"),
    SettingItem("encrypt", "下发加密", "否", Kind.YESNO),  # unit workbooks e-mailed encrypted, each its own password
)
SETTINGS_BY_KEY = {s.key: s for s in SETTING_ITEMS}
# Names defined in generated workbooks for the period limits on event dates.
NAME_PERIOD_START = "活动开始日期"
NAME_PERIOD_END = "活动结束日期"

# ---------------------------------------------------------------- quotas
METRIC_RESEARCH_DAYS = "调研天数"
METRIC_HOUSEHOLDS = "走访户数"
METRIC_MAJOR_SOLVED = "解决重大问题"
METRIC_RECEPTIONS = "接待来访"
METRIC_FIELD_VISIT_RATIO = "带案下访比例"
METRIC_RESOLUTION_RATE = "问题解决率"
METRIC_ONLINE = "在线交流"
METRIC_LECTURES = "送政策"
METRIC_WORKDAY_COVERAGE = "工作日接访覆盖"
METRIC_WEEKLY_RECEPTION = "每周接访"
METRIC_HALF_MONTH_MEETING = "半月例会"
METRIC_BOOKS = "送图书"
METRIC_TOPICS = "问政题目"
METRIC_CONTACT_POINT = "联系点建设"
METRIC_LOOK_BACK = "回头看"
PERSONAL_METRICS = (
    METRIC_RESEARCH_DAYS, METRIC_HOUSEHOLDS, METRIC_MAJOR_SOLVED, METRIC_RECEPTIONS,
    METRIC_FIELD_VISIT_RATIO, METRIC_RESOLUTION_RATE, METRIC_ONLINE, METRIC_LECTURES,
)
COLLECTIVE_METRICS = (
    METRIC_WORKDAY_COVERAGE, METRIC_WEEKLY_RECEPTION, METRIC_HALF_MONTH_MEETING,
    METRIC_BOOKS, METRIC_TOPICS, METRIC_CONTACT_POINT, METRIC_LOOK_BACK,
)
RATIO_METRICS = (METRIC_FIELD_VISIT_RATIO, METRIC_RESOLUTION_RATE)
UNIT_TOPICS = f"{METRIC_TOPICS}（{SCOPE_UNIT}）"  # the report's name for the 二级单位 row of 问政题目, beside the bureau's


@dataclass(frozen=True)
class QuotaRow:
    subject: str
    metric: str
    target: float
    unit_label: str
    note: str = ""


DEFAULT_QUOTAS = (
    QuotaRow(ROLE_BUREAU_LEADER, METRIC_RESEARCH_DAYS, 30, "天", "调研不少于一个月"),
    QuotaRow(ROLE_BUREAU_LEADER, METRIC_HOUSEHOLDS, 40, "户", "走访不少于40户"),
    QuotaRow(ROLE_BUREAU_LEADER, METRIC_MAJOR_SOLVED, 10, "件", "作为分包领导解决重大问题"),
    QuotaRow(ROLE_BUREAU_LEADER, METRIC_RECEPTIONS, 6, "次", "接待群众来访"),
    QuotaRow(ROLE_BUREAU_LEADER, METRIC_FIELD_VISIT_RATIO, 0.3, "比例", "带案下访量占包案量"),
    QuotaRow(ROLE_UNIT_LEADER, METRIC_RESEARCH_DAYS, 45, "天", "调研不少于个半月"),
    QuotaRow(ROLE_UNIT_LEADER, METRIC_HOUSEHOLDS, 20, "户", "走访不少于20户"),
    QuotaRow(ROLE_UNIT_LEADER, METRIC_RESOLUTION_RATE, 1.0, "比例", "发现一件解决一件"),
    QuotaRow(ROLE_CADRE, METRIC_RESEARCH_DAYS, 15, "天", "调研不少于半个月"),
    QuotaRow(ROLE_CADRE, METRIC_HOUSEHOLDS, 15, "户", "走访不少于15户"),
    QuotaRow(FLAG_HEAD, METRIC_ONLINE, 4, "次", "与群众在线交流"),
    QuotaRow(FLAG_LECTURER, METRIC_LECTURES, 1, "次", "到联系点宣讲"),
    QuotaRow(SCOPE_BUREAU, METRIC_WORKDAY_COVERAGE, 1, "名局领导/工作日", "每个工作日有1名局领导接访"),
    QuotaRow(SCOPE_UNIT, METRIC_WEEKLY_RECEPTION, 1, "次/周", "二级单位每周至少接访1次"),
    QuotaRow(SCOPE_BUREAU, METRIC_HALF_MONTH_MEETING, 1, "次/半月", "领导小组每半月召开一次工作会议"),
    QuotaRow(SCOPE_BUREAU, METRIC_BOOKS, 1, "次", "为农家书屋、学校送图书"),
    QuotaRow(SCOPE_BUREAU, METRIC_TOPICS, 2, "个", "围绕中心工作确定2-3个问政题目"),
    QuotaRow(SCOPE_UNIT, METRIC_TOPICS, 2, "个", "各二级单位围绕本单位中心工作确定2-3个问政题目"),
    QuotaRow(SCOPE_UNIT, METRIC_CONTACT_POINT, 1, "个", "各二级单位建立基层文化联系点"),
    QuotaRow(SCOPE_BUREAU, METRIC_LOOK_BACK, 1, "次", "活动结束后开展一次回头看"),
)

# ---------------------------------------------------------------- _meta
@dataclass(frozen=True)
class MetaItem:
    key: str
    label: str


META_ITEMS = (
    MetaItem("campaign_id", "活动编号"),
    MetaItem("schema_version", "架构版本"),
    MetaItem("unit", "下发单位"),
    MetaItem("issued_at", "下发时间"),
    MetaItem("generator", "生成程序版本"),
    MetaItem("token", "校验码"),
    MetaItem("issued_digest", "下发记录校验码"),
    MetaItem("base_digest", "下发内容校验码"),  # of the _base rows a unit's workbook carries
    MetaItem("log_head", "审计日志位置"),  # "N:mac of entry N-1": the audit log entry N wrote this master
)
ISSUED_SHEET = "_issued"  # hidden in unit workbooks: the record numbers they were issued with
ADDED_SHEET = "_added"  # hidden in the master: where each row added from a return came from (resends)
ADDED_HEADERS = ("issue", "sheet", "ordinal", "typed_id", "digest", "id", "cells")
BASE_SHEET = "_base"  # hidden in the master: what each unit was issued, a digest per cell (docs/EXCHANGE.md)
BASE_HEADERS = ("batch", "sheet", "part", "digests")
ISSUED_PART = "i"  # a _base row saying which unit a batch went to and when: batch, unit, "i", {"issued_at": ISO}
META_HEADERS = ("键", "说明", "值")

UNIT_HOME_TITLE = "{unit}　{name}　单位工作簿"
UNIT_HOME_TEXT = (  # the 首页 of a workbook issued to a unit: {unit}, {office}, {issued}, {deadline}, {contact}
    "本工作簿由{office}于{issued}下发给{unit}，只含本单位的人员和记录。",
    "请填写：在走访记录、调研记录、接访记录、包案台账、问题台账、问政记录、活动记录中逐行登记本单位的新记录，"
    "修改本单位已有的记录；新记录的记录编号可以空着，导入时自动编号。可以调整列的顺序、增加本单位自己的列，"
    "但不要改动第一行表头。",
    "不要改动：灰色的“督办意见”列由局活动办公室填写，在此修改不会被采用；活动设置、单位、人员、配额、节假日"
    "各表仅供查阅，修改不会带回总台账；不要删除或改动隐藏的工作表，否则无法导入。",
    "{send_back}同一工作簿可以多次发回，以最后保存的一份为准。",
)
UNIT_HOME_SEND_BACK = "发回：请于{deadline}前保存本工作簿（.xlsx、.xls 或 .ods 均可），作为邮件附件发回局活动办公室。"
UNIT_HOME_NO_DEADLINE = ("发回：局活动办公室尚未定回收截止日期，请留意办公室的通知。填好后即可保存本工作簿（.xlsx、.xls 或 .ods "
                         "均可），作为邮件附件发回局活动办公室。")
UNIT_HOME_OTHERS = ("本单位进度：数字由公式按本工作簿的记录算出；本单位人员在其他单位台账中的包案、问题等（如局领导分包的问题）"
                    "按下发时总台账的数字一并计入，见该表下方的说明。")
UNIT_HOME_CONTACT = "联系人：{contact}"  # a line of its own: a name never breaks over two lines
NO_DEADLINE_NOTICE = ("提醒：{book}的{cell}未填“回收截止日期”，各单位首页只请单位留意办公室的通知，回收情况也不会判为逾期。"
                      "如需截止日期，请在活动设置中填写后重新下发")  # {book}: the master's file name; {cell}: 活动设置!B10
REFERENCE_NOTE = "仅供查阅，由局活动办公室维护。"

HOME_TEXT = (
    "本工作簿是“大走访”活动的台账。请在各录入表中逐行登记，不要改动第一行表头；"
    "可以调整列的顺序、增加自己的列，程序按表头文字识别各列。",
    "带下拉框的列请从下拉框中选择；日期请填写为日期，例如 2011-09-05。",
    "由程序生成的表请勿在其中录入：点击本工作簿的“校验数据”“统计完成情况”按钮时，校验结果、个人完成情况、"
    "单位完成情况、集体指标、督办清单会整体刷新；在命令行或网页上校验、统计不改动本工作簿，而是另存标注副本"
    "（zoufang check --annotate）和报告工作簿（zoufang report --out）。导入记录、已删除记录在汇总各单位发回的"
    "工作簿时逐次追加，不会清空。",
)
