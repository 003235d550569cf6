"""The printable 密码通知单: one page per unit, handed over by another channel than the e-mail."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from zoufang.contract.periods import cn_date
from zoufang.files.safe_io import atomic_write, owner_only

SLIP_DIR = "密码通知单"  # beside the master, never in the folder of the workbooks that are e-mailed


def write_password_slips(folder: Path, issued: list, office: str, issued_at: dt.datetime) -> Path:
    """One A4 page per encrypted unit workbook: the unit, the file, the password, what to do; returns the .docx."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "宋体", Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    for k, item in enumerate(issued):
        if k:
            doc.add_section(WD_SECTION.NEW_PAGE)
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = title.add_run("单位工作簿密码通知单")
        run.bold, run.font.size = True, Pt(22)
        for label, value in (("接收单位", item.unit), ("工作簿", Path(item.path).name), ("下发日期", cn_date(issued_at)),
                             ("下发单位", office)):
            doc.add_paragraph(f"{label}：{value}")
        line = doc.add_paragraph()
        line.add_run("打开密码：")
        code = line.add_run(item.password)
        code.bold, code.font.size, code.font.name = True, Pt(26), "Consolas"
        for text in ("密码由大写字母和数字组成（不含容易混淆的 0、O、1、I、L），连字符“-”也要输入。",
                     "在 Excel、WPS 或 LibreOffice 中打开工作簿时输入此密码。填写后直接保存，保持加密发回；"
                     "不要去掉密码，也不要把密码写进邮件或工作簿。",
                     "本通知单请当面或以其他方式交给单位联系人，不要随邮件发送；用后妥善保管或销毁。"):
            doc.add_paragraph(text)
        doc.add_paragraph()
        doc.add_paragraph("交付人（签字）：______________　　接收人（签字）：______________")
        doc.add_paragraph("交付日期：______年____月____日")
    folder.mkdir(parents=True, exist_ok=True)
    owner_only(folder)
    target = folder / f"密码通知单-{issued_at:%Y%m%d-%H%M%S}.docx"

    def save(tmp: Path) -> None:
        owner_only(tmp)  # before a byte of a password is in it
        doc.save(str(tmp))
    atomic_write(target, save, keep_backup=False)
    owner_only(target)
    return target
