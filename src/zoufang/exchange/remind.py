"""催报 (zoufang remind): the units that have not sent their workbook back since their latest issue, those past
回收截止日期 first — a printable list (催报清单, A4) and, on request, a draft to each (CLI.md, #44)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

from zoufang.contract.mail_addresses import split_addresses
from zoufang.contract.periods import cn_date, cn_moment
from zoufang.contract.schema import UNITS
from zoufang.exchange.mail_drafts import DRAFT_DIR, Draft, Drafts, write_drafts
from zoufang.exchange.mail_letters import remind_letter
from zoufang.exchange.mail_returns import unit_addresses
from zoufang.files.safe_io import atomic_write
from zoufang.progress.returns import LATE, RETURNED, UNIT_NAME, return_status
from zoufang.reading.dataset import Campaign
from zoufang.xlsx.print_fit import PAGES_TALL, row_height

REMIND_DIR = "催报"
LIST_TITLE = "催报清单"
LIST_HEADS = ("序号", UNITS.name, "情况", "下发时间", *(UNITS.col(k).label for k in ("contact", "phone", "email")))
LIST_WIDTHS = (6, 24, 12, 22, 10, 15, 30)  # A4 landscape at 10 pt


@dataclass
class Owing:
    """A unit still owing its workbook."""

    unit: str
    status: str  # 逾期未发回 / 未发回
    issued: dt.datetime
    contact: str = ""
    phone: str = ""
    email: str = ""

    def to_json(self) -> dict:
        return {"unit": self.unit, "status": self.status, "issued": self.issued.isoformat(timespec="seconds"),
                "contact": self.contact, "phone": self.phone, "email": self.email}


@dataclass
class Reminder:
    owing: list[Owing]
    returned: int  # units that have sent back since their latest issue
    deadline: dt.date | None
    list_path: Path | None = None
    drafts: Drafts = field(default_factory=Drafts)

    def to_json(self) -> dict:
        return {"deadline": self.deadline.isoformat() if self.deadline else None, "returned": self.returned,
                "units": [o.to_json() for o in self.owing], "list": str(self.list_path) if self.list_path else None,
                **self.drafts.to_json()}


def owing_units(campaign: Campaign, today: dt.date,
                received: dict[str, dt.datetime] | None = None) -> tuple[list[Owing], int]:
    """The units owing their workbook (past the deadline first, then the longest waiting), and how many returned
    (``received``: return_status's)."""
    rows = return_status(campaign, today, received)
    units = campaign.units.drop_duplicates("name").set_index("name")
    out = []
    for r in rows:
        if r["status"] == RETURNED:
            continue
        name = r[UNIT_NAME]
        info = units.loc[name] if name in units.index else None
        pick = (lambda key: "" if info is None or key not in info.index or info[key] != info[key] else str(info[key]))
        out.append(Owing(name, r["status"], dt.datetime.fromisoformat(r["issued"]), pick("contact"), pick("phone"),
                         pick("email")))
    out.sort(key=lambda o: (o.status != LATE, o.issued, o.unit))
    return out, len(rows) - len(out)


def remind_campaign(campaign: Campaign, out_dir: Path, mail: bool = False, now: dt.datetime | None = None,
                    received: dict[str, dt.datetime] | None = None) -> Reminder:
    """The 催报 of ``campaign`` into ``out_dir``: the list (when a unit owes) and, with ``mail``, the drafts
    (``received``: return_status's)."""
    now = now or dt.datetime.now().astimezone()
    today = now.date()
    owing, returned = owing_units(campaign, today, received)
    result = Reminder(owing, returned, campaign.settings.return_deadline)
    if not owing:
        return result
    result.list_path = write_list(out_dir / f"{LIST_TITLE}-{now:%Y%m%d}.xlsx", campaign, owing, today)
    if mail:
        result.drafts = write_drafts(reminder_drafts(campaign, owing, today), out_dir / DRAFT_DIR, now)
    return result


def reminder_drafts(campaign: Campaign, owing: list[Owing], today: dt.date) -> list[Draft]:
    """A 催报 draft for each unit owing, To its 联系邮箱 (none: mail_drafts.prepare lists it)."""
    addresses = unit_addresses(campaign)
    letters = []
    for o in owing:
        letter = remind_letter(campaign, o.unit, o.issued, o.status == LATE, today)
        letter.to = addresses.get(o.unit, [])
        letters.append(letter)
    return letters


def write_list(path: Path, campaign: Campaign, owing: list[Owing], today: dt.date) -> Path:
    """The 催报清单: one row per unit owing, on A4 landscape, the heads repeated on every page."""
    s = campaign.settings
    deadline = f"回收截止日期：{cn_date(s.return_deadline)}" if s.return_deadline else "回收截止日期：未定"
    rows = [(str(i), o.unit, o.status, cn_moment(o.issued), o.contact, o.phone, "\n".join(split_addresses(o.email)))
            for i, o in enumerate(owing, 1)]

    def build(tmp: Path) -> None:
        book = xlsxwriter.Workbook(str(tmp))
        ws = book.add_worksheet(LIST_TITLE)
        base = {"font_name": "宋体", "font_size": 10, "text_wrap": True, "valign": "vcenter"}
        title = book.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        plain = book.add_format(base)
        head = book.add_format({**base, "bold": True, "border": 1, "align": "center", "bg_color": "#DDEBF7"})
        cell = book.add_format({**base, "border": 1})
        late = book.add_format({**base, "border": 1, "font_color": "#C00000", "bold": True})
        number = book.add_format({**base, "border": 1, "align": "center"})
        last = len(LIST_HEADS) - 1
        for j, w in enumerate(LIST_WIDTHS):
            ws.set_column(j, j, w)
        ws.merge_range(0, 0, 0, last, f"{s.name}　{LIST_TITLE}", title)
        ws.set_row(0, 30)
        ws.merge_range(1, 0, 1, last, f"{campaign.settings.office}　截至{cn_date(today)}　{deadline}　"
                                      f"未发回 {len(owing)} 个单位", plain)
        ws.set_row(1, 22)
        ws.write_row(2, 0, LIST_HEADS, head)
        for i, row in enumerate(rows, 3):
            for j, text in enumerate(row):
                ws.write_string(i, j, text, number if j == 0 else late if j == 2 and text == LATE else cell)
            ws.set_row(i, max(20, row_height(list(row), list(LIST_WIDTHS))))
        ws.repeat_rows(2)
        ws.set_paper(9)
        ws.set_landscape()
        ws.set_margins(0.5, 0.5, 0.6, 0.6)
        ws.fit_to_pages(1, PAGES_TALL)
        ws.center_horizontally()
        ws.set_footer("&C第 &P 页 共 &N 页")
        book.set_properties({"title": LIST_TITLE, "author": "zoufang"})
        book.close()

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, build, keep_backup=False)
    return path
