"""Bound ledgers (台账) written: one workbook per person, one book per unit, rendered from templates.

Templates are looked up in this order: the folder given, a 台账模板/ folder beside
the master workbook (the clerk's restyled copies), the bundled defaults.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import openpyxl
import pandas as pd
import xlsxwriter

from zoufang.files.names import safe_file_name, safe_sheet_name
from zoufang.files.safe_io import atomic_write
from zoufang.ledgers.figures import LedgerData
from zoufang.ledgers.template_xlsx import Renderer, Template, paginate
from zoufang.ledgers.templates import (
    CONTENTS, COVER, PERSON_SHEET, PERSON_TEMPLATE, SUMMARY, UNIT_PROBLEMS, UNIT_TEMPLATE, WEEKLY,
)
from zoufang.progress.vocabulary import printed_terms

UNIT_SHEETS = (COVER, CONTENTS, SUMMARY, UNIT_PROBLEMS, WEEKLY)

CLERK_TEMPLATES = "台账模板"


def template_folder(master: Path, explicit: Path | None = None) -> Path:
    if explicit:
        return Path(explicit)
    beside = Path(master).parent / CLERK_TEMPLATES
    if (beside / PERSON_TEMPLATE).exists() and (beside / UNIT_TEMPLATE).exists():
        return beside
    return Path(str(resources.files("zoufang") / "templates"))


# ------------------------------------------------------------------ writing
@dataclass
class LedgerFiles:
    people: list[Path]
    units: list[Path]


def _load(folder: Path, name: str):
    path = folder / name
    if not path.exists():
        raise FileNotFoundError(f"找不到台账模板 {path}")
    return openpyxl.load_workbook(path)


def write_ledgers(data: LedgerData, out_dir: Path, templates: Path, unit: str | None = None,
                  person: str | None = None, progress: Callable[[str], None] | None = None) -> LedgerFiles:
    """Personal ledgers under out_dir/<unit>/ and one bound book per unit."""
    terms = printed_terms(data.campaign)
    person_tpl = Template.of(_load(templates, PERSON_TEMPLATE)[PERSON_SHEET], terms)
    unit_book = _load(templates, UNIT_TEMPLATE)
    unit_tpls = {name: Template.of(unit_book[name], terms) for name in UNIT_SHEETS if name in unit_book.sheetnames}
    people = data.people()
    if unit:
        people = people[people["unit"] == unit]
    if person:
        people = people[(people["name"] == person) | (people["person_id"] == person)]
    files = LedgerFiles([], [])
    used_dirs: set[str] = set()
    for unit_name in dict.fromkeys(people["unit"]):
        folder = Path(out_dir) / safe_file_name(unit_name or "未填单位", used_dirs, Path(out_dir), suffix="")
        folder.mkdir(parents=True, exist_ok=True)
        members = people[people["unit"] == unit_name]
        used_files: set[str] = set()
        for _, p in members.iterrows():
            target = folder / (safe_file_name(f"{p['person_id']}-{p['name']}", used_files, folder) + ".xlsx")
            atomic_write(target, lambda tmp, p=p: _person_book(data, person_tpl, p, tmp), keep_backup=False)
            files.people.append(target)
            if progress:
                progress(p["name"])
        if person:
            continue
        target = folder / (safe_file_name(f"{unit_name}-单位台账", None, folder) + ".xlsx")
        atomic_write(target, lambda tmp, u=unit_name, m=members: _unit_book(data, unit_tpls, person_tpl, u, m, tmp),
                     keep_backup=False)
        files.units.append(target)
    return files


def _new_book(path: Path) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False, "in_memory": True})


def _person_book(data: LedgerData, tpl: Template, p: pd.Series, path: Path) -> None:
    book = _new_book(path)
    Renderer(book).render(tpl, safe_sheet_name(f"{p['name']}-{p['person_id']}"), {}, data.person_plan(tpl, p))
    book.close()


def _unit_book(data: LedgerData, unit_tpls: dict, person_tpl: Template, unit: str, members: pd.DataFrame,
               path: Path) -> None:
    used: set[str] = set()
    names = {t: safe_sheet_name(t, used) for t in UNIT_SHEETS}
    member_sheets = [(f"个人台账：{p.name}", safe_sheet_name(f"{p.name}-{p.person_id}", used))
                     for p in members.itertuples()]
    toc = [("单位完成情况汇总", names[SUMMARY]), (UNIT_PROBLEMS, names[UNIT_PROBLEMS]), (WEEKLY, names[WEEKLY]),
           *member_sheets]
    scope = data.unit_scope(unit, members, toc)
    pages = {names[title]: paginate(tpl, tpl.plan(scope)) for title, tpl in unit_tpls.items()}
    for (_, sheet), (_, p) in zip(member_sheets, members.iterrows()):
        pages[sheet] = paginate(person_tpl, data.person_plan(person_tpl, p))
    first_page, page = {}, 1  # pages are numbered through the whole book, as it is printed
    for sheet, laid_out in pages.items():
        first_page[sheet], page = page, page + laid_out.count
    for entry in scope["toc"]:
        entry["page"] = first_page.get(entry["sheet"])
    if CONTENTS in unit_tpls:  # the same rows with their page numbers: the same pages
        pages[names[CONTENTS]] = paginate(unit_tpls[CONTENTS], unit_tpls[CONTENTS].plan(scope))
    book = _new_book(path)
    renderer = Renderer(book)
    for title, tpl in unit_tpls.items():
        renderer.render(tpl, names[title], scope, pages=pages[names[title]])
    for (_, sheet), (_, p) in zip(member_sheets, members.iterrows()):
        renderer.render(person_tpl, sheet, {}, pages=pages[sheet])
    book.close()
