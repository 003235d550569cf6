"""What the office's drafts say: the workbook handed out (issue --mail), the 催报 (remind --mail) and the receipt
(collect --mail). Each is a mail_drafts.Draft to one unit, in the words of the unit's 首页 where there are some."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from zoufang.contract.periods import cn_date, cn_moment
from zoufang.contract.schema import UNIT_KIND_BUREAU
from zoufang.exchange.mail_drafts import Draft, Drafts, write_drafts
from zoufang.exchange.mail_returns import unit_addresses
from zoufang.reading.dataset import Campaign

PASSWORD_LINE = "本工作簿已加密，打开密码另行通知（不随邮件发送）；请勿在邮件中回复密码。"
REPLY_LINE = "发回时直接回复本邮件、附上填好的工作簿即可，不必改文件名。"
SIGN_OFF = "谢谢！"
RETURNED_TEXT = "如已发出，请忽略本邮件，并回复告知发送的时间，以便核对。"


def office_contact(campaign: Campaign) -> str:
    """The office's 联系人 and 联系电话 (the 局机关 row of 单位), or blank."""
    units = campaign.units
    office = units[units["kind"] == UNIT_KIND_BUREAU]
    if not len(office):
        return ""
    return "　".join(str(x) for x in (office["contact"].iloc[0], office["phone"].iloc[0]) if x)


def office_sender(campaign: Campaign) -> str:
    """From: the office by name at the 局机关's first 联系邮箱, or blank (the mail client's account then)."""
    units = campaign.units
    office = units.loc[units["kind"] == UNIT_KIND_BUREAU, "name"]
    addresses = unit_addresses(campaign).get(str(office.iloc[0])) if len(office) else None
    return f"{campaign.settings.office} <{addresses[0]}>" if addresses else ""


def _letter(unit: str, paragraphs: list[str], campaign: Campaign, today: dt.date) -> str:
    """A plain-text letter: the unit addressed, indented paragraphs, the office and the date signed."""
    body = [f"{unit}：", ""] + [f"　　{p}" for p in paragraphs if p]
    return "\r\n".join(body + ["", f"{campaign.settings.office}", cn_date(today), ""])


def issue_letter(campaign: Campaign, unit: str, book: Path, home_lines: list[str], encrypted: bool,
                 today: dt.date) -> Draft:
    """The workbook handed out: the 首页's own words (what to fill, what not to touch, when to send back)."""
    s = campaign.settings
    when = f"请于{cn_date(s.return_deadline)}前发回" if s.return_deadline else "回收截止日期另行通知"
    paragraphs = [f"附件“{book.name}”是贵单位的“大走访”单位工作簿，说明如下（与工作簿首页相同）："] + list(home_lines)
    paragraphs += [REPLY_LINE, PASSWORD_LINE if encrypted else "", SIGN_OFF]
    return Draft(unit, [], f"{s.name}：{unit}单位工作簿（{when}）", _letter(unit, paragraphs, campaign, today),
                 [book], office_sender(campaign))


def remind_letter(campaign: Campaign, unit: str, issued: dt.datetime, late: bool, today: dt.date) -> Draft:
    """The 催报: what was issued when, the deadline (past or not), that it has not come back, whom to call."""
    s = campaign.settings
    deadline = s.return_deadline
    if deadline and late:
        ask, tag = f"回收截止日期{cn_date(deadline)}已过，请尽快", "（已过回收截止日期）"
    elif deadline:
        ask, tag = f"请于{cn_date(deadline)}前", f"（{cn_date(deadline)}前）"
    else:
        ask, tag = "请尽快", ""
    contact = office_contact(campaign)
    paragraphs = [
        f"{campaign.settings.office}于{cn_moment(issued)}向贵单位下发了“大走访”单位工作簿。截至{cn_date(today)}，"
        f"办公室尚未收到贵单位发回的工作簿。",
        f"{ask}将该工作簿录入完毕后保存，作为邮件附件发回。请直接发回下发给贵单位的那份工作簿，不要改动表头和隐藏的工作表。",
        RETURNED_TEXT,
        f"如有疑问，请联系{contact}。" if contact else "",
        SIGN_OFF,
    ]
    return Draft(unit, [], f"催报：请发回{unit}的“{s.name}”单位工作簿{tag}", _letter(unit, paragraphs, campaign, today),
                 [], office_sender(campaign))


def receipt_letter(campaign: Campaign, unit: str, lines: list[str], receipts: list[Path], today: dt.date,
                   answered_subject: str = "", in_reply_to: str = "") -> Draft:
    """The answer to a unit's return: what became of each file (``lines``), the receipts attached."""
    s = campaign.settings
    said = "回执附后，" if receipts else ""
    contact = office_contact(campaign)
    paragraphs = ([f"办公室已处理贵单位发回的“大走访”工作簿，结果如下（{said}请核对）："] + lines
                  + ["如对结果有疑问，请联系办公室" + (f"（{contact}）" if contact else "")
                     + "；需要补报的，改好后再次发回即可。", SIGN_OFF])
    subject = (f"回复：{answered_subject}" if answered_subject and not answered_subject.startswith(("回复", "Re:", "RE:"))
               else answered_subject) or f"回执：{unit}发回的“{s.name}”工作簿"
    return Draft(unit, [], subject, _letter(unit, paragraphs, campaign, today), receipts, office_sender(campaign),
                 in_reply_to)


def receipt_drafts(campaign: Campaign, results: list, folder: Path, now: dt.datetime) -> Drafts:
    """collect --mail: one reply per unit (or per sender of a file no unit could be told for) carrying the receipt
    of each of its files; To the message's sender when the file came by mail (answering it), else the unit's
    联系邮箱. A file with neither is listed."""
    addresses = unit_addresses(campaign)
    groups: dict[str, list] = {}
    for r in results:
        key = r.unit or (r.mail.address if r.mail and r.mail.address else "")
        groups.setdefault(key or Path(r.file).name, []).append(r)
    letters = []
    for key, files in groups.items():
        unit = files[0].unit
        mailed = next((f.mail for f in files if f.mail and f.mail.address), None)
        lines = [f"{i}. {f.summary()}" for i, f in enumerate(files, 1)]
        receipts = [Path(f.receipt) for f in files if f.receipt and Path(f.receipt).is_file()]
        letter = receipt_letter(campaign, unit or key, lines, receipts, now.date(),
                                mailed.subject if mailed else "", mailed.message_id if mailed else "")
        letter.to = [mailed.address] if mailed else addresses.get(unit, [])
        letters.append(letter)
    return write_drafts(letters, folder, now)
