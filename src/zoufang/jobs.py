"""The jobs behind commands and buttons: read, compute, write — in that order."""
from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from zoufang.contract.findings import Finding, count_levels, findings_frame
from zoufang.contract.schema import PEOPLE, UNITS
from zoufang.contract.errors import WriteRefused
from zoufang.progress.report import Report, build_report
from zoufang.audit.trail import units_received
from zoufang.reading.reader import InputError, read_campaign

# Writers (openpyxl, XlsxWriter, lxml) are imported by the jobs that write, not by check and report; the
# validation rules by the jobs that check.

DEMO_BOOK = "大走访台账-示例.xlsx"


def create_master(book: Path, demo: bool = False, seed: int = 2011, clean: bool = False,
                  overwrite: bool = False) -> Path | None:
    """Write a new master workbook; an existing file is only replaced with ``overwrite`` (after a backup)."""
    from zoufang.files.safe_io import atomic_write, refuse_if_open
    book = Path(book)
    if book.suffix.lower() not in (".xlsx",):
        raise WriteRefused(f"{book.name}：请使用 .xlsx 作为文件扩展名")
    if book.exists():
        if not overwrite:
            raise WriteRefused(f"{book} 已存在，未做任何改动。如确要重新生成，请加 --force（原文件会先备份）")
        refuse_if_open(book)
    from zoufang.demo.campaign import build_demo
    from zoufang.xlsx.book_writer import default_content, write_book
    from zoufang.exchange.book_values import self_checking
    from zoufang.audit.recorder import Recorder
    from zoufang.audit.trail import Entry
    content = self_checking(build_demo(seed=seed, clean=clean).content if demo else default_content(uuid.uuid4().hex))
    from zoufang.exchange.secret_key import load_secret
    recorder = Recorder(book, "init", load_secret(book, create=True))
    content.meta["log_head"] = recorder.head()
    backup = atomic_write(book, lambda tmp: write_book(tmp, content))
    recorder.record(Entry("init", campaign=content.meta.get("campaign_id", ""),
                          note="示例活动" if demo else "新建空白总台账"))
    return backup


def run_demo(directory: Path, console=None) -> str:
    """init --demo into ``directory``, then every step that has landed; a summary for people."""
    if console is None:
        from rich.console import Console
        console = Console()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    book = directory / DEMO_BOOK
    lines = []
    t0 = time.perf_counter()
    create_master(book, demo=True, overwrite=True)
    lines.append(f"示例工作簿：{book}（{time.perf_counter() - t0:.1f} 秒）")
    t0 = time.perf_counter()
    checked = check_book(book, annotate=directory / "大走访台账-示例-校验.xlsx")
    lines.append(f"校验：错误 {checked.errors} 条，警告 {checked.warnings} 条，标注副本 {checked.annotated}"
                 f"（{time.perf_counter() - t0:.1f} 秒）")
    t0 = time.perf_counter()
    report, path = report_job(book, out_dir=directory)
    people = report.people.drop_duplicates("person_id")["overall"].value_counts()
    lines.append(f"统计截止 {report.as_of}：" + "，".join(f"{k} {v} 人" for k, v in people.items())
                 + f"；挂牌督办 {len(report.overdue)} 项；报告 {path}（{time.perf_counter() - t0:.1f} 秒）")
    t0 = time.perf_counter()
    t1 = time.perf_counter()
    files, _ = ledgers_job(book, directory / "台账")
    lines.append(f"台账：个人 {len(files.people)} 份、单位 {len(files.units)} 册，在 {directory / '台账'}"
                 f"（{time.perf_counter() - t1:.1f} 秒）")
    t0 = time.perf_counter()
    written, brief_report = brief_job(book, out_dir=directory)
    lines.append(f"半月简报 第{brief_report.brief['issue_no']}期：{written.docx}（{time.perf_counter() - t0:.1f} 秒）")
    t0 = time.perf_counter()
    from zoufang.exchange.issue import issue
    issued = issue(book, directory / "下发")
    lines.append(f"下发：{len(issued)} 个单位工作簿，在 {directory / '下发'}（{time.perf_counter() - t0:.1f} 秒）")
    return "\n".join(lines)


@dataclass
class CheckResult:
    file: str
    findings: list[Finding]
    annotated: Path | None = None
    marked: int = 0
    campaign: object = field(default=None, repr=False)  # the campaign checked (for the page's unit filter)

    @property
    def errors(self) -> int:
        return count_levels(self.findings)[0]

    @property
    def warnings(self) -> int:
        return count_levels(self.findings)[1]

    def to_json(self) -> dict:
        rows = findings_frame(self.findings).astype(object).where(lambda f: f.notna(), None)
        return {"file": self.file, "errors": self.errors, "warnings": self.warnings,
                "findings": [{k: (int(v) if k == "row" and v is not None else v) for k, v in r.items()}
                             for r in rows.to_dict("records")]}


def check_book(book: Path, as_of: dt.date | None = None, annotate: Path | None = None) -> CheckResult:
    """Validate a workbook file; with ``annotate``, also write the marked copy there."""
    book = Path(book)
    campaign = read_campaign(book)
    from zoufang.checks.validate import validate  # here: report does not load the rules
    findings = validate(campaign, as_of)
    result = CheckResult(str(book), findings, campaign=campaign)
    if annotate:
        if Path(annotate).resolve() == book.resolve():
            raise WriteRefused("--annotate 的输出文件不能是原工作簿本身，请另取一个文件名")
        wanted = ".xlsm" if book.suffix.lower() == ".xlsm" else ".xlsx"
        if Path(annotate).suffix.lower() != wanted:
            raise WriteRefused(f"--annotate 的输出文件应以 {wanted} 结尾（标注副本是 Excel 工作簿），"
                               f"例如 {Path(annotate).with_suffix(wanted).name}")
        from zoufang.checks.annotate import annotate_copy
        from zoufang.exchange.book_values import checked_values
        from zoufang.exchange.master_self_check import refresh_self_check, self_check_gap
        values = checked_values(campaign, findings=None if as_of else findings)  # what 自查's formulas give: at
        #                                                  the book's own 统计截止日期, as check's findings when no --as-of
        result.marked = annotate_copy(book, Path(annotate), findings, self_check_gap(findings, values))
        refresh_self_check(Path(annotate), campaign=campaign, values=values)  # openpyxl keeps no formula's value
        result.annotated = Path(annotate)
        from zoufang.audit.trail import log_path
        if log_path(book).exists():  # a master's marked copy (any workbook can be checked: only a logged one logs)
            _handed_out(book, "check", [annotate], campaign)
    return result


def row_units(campaign) -> dict[tuple[str, int], str]:
    """The unit owning each entry row, by (sheet name, Excel row): what the page filters findings by. A row whose
    person is not on the roster still has one: the unit its person column names in brackets (王朋伟（市图书馆）), else
    the unit the workbook was issued to."""
    from zoufang.contract.schema import ENTRY_SHEETS
    from zoufang.reading.roster import Roster, owning_units
    roster = Roster.of(campaign)
    units = set(roster.unit_names)
    owner = campaign.meta.get("unit", "")  # a unit's own workbook: every row is that unit's
    out = {}
    for spec in ENTRY_SHEETS:
        data = campaign[spec.key]
        people = [data.frame[k] for k in spec.unit_from if data.has(k) and spec.col(k).kind.value == "person"]
        for i, (row, unit) in enumerate(zip(data.frame["_row"], owning_units(data, roster))):
            if not unit:
                unit = next((u for texts in people if (u := _bracketed(str(texts.iat[i]))) in units), owner)
            if unit:
                out[(spec.name, int(row))] = unit
    return out


def _bracketed(text: str) -> str:
    """The text in the last brackets of ``text`` (王朋伟（市图书馆） → 市图书馆), "" without any."""
    text = text.replace("(", "（").replace(")", "）").strip()
    if not text.endswith("）") or "（" not in text:
        return ""
    return text[text.rindex("（") + 1:-1].strip()


def read_master(book: Path, on_errors=None):
    """The campaign of ``book``; with ``on_errors``, called with the number of its 错误-level findings (what
    ``zoufang check BOOK`` finds, run on what was read: no second read of the file) before any work is done on it.
    A report for an earlier date does not make the later rows errors."""
    campaign = read_campaign(book)
    if on_errors is not None:
        from zoufang.checks.validate import validate  # here: report without the callback loads no rules
        on_errors(count_levels(validate(campaign))[0])  # the master as check sees it, whatever date is reported
    return campaign


def report_book_name(as_of: dt.date) -> str:
    return f"完成情况报告-{as_of.isoformat()}.xlsx"


def report_job(book: Path, as_of: dt.date | None = None, out_dir: Path | None = None,
               on_errors=None) -> tuple[Report, Path | None]:
    """Build the report; with ``out_dir``, also write the report workbook there (``on_errors``: read_master)."""
    campaign = read_master(book, on_errors)
    report = build_report(campaign, as_of, received=units_received(Path(book)))
    target = None
    if out_dir is not None:
        target = Path(out_dir) / report_book_name(report.as_of)
        from zoufang.files.safe_io import atomic_write
        from zoufang.progress.report_book import write_report_book
        atomic_write(target, lambda tmp: write_report_book(report, tmp), keep_backup=False)
        _handed_out(book, "report", [target], campaign)
    return report, target


def _handed_out(book: Path, command: str, outputs: list, campaign=None) -> None:
    """The audit log's entry for files with people's data written from the master (audit.recorder)."""
    from zoufang.audit.recorder import log_handout
    from zoufang.exchange.secret_key import load_secret
    outputs = [Path(p) for p in outputs if p]
    if outputs and Path(book).suffix.lower() in (".xlsx", ".xlsm"):
        log_handout(Path(book), command, outputs, load_secret(Path(book), create=True), campaign)


def ledgers_job(book: Path, out_dir: Path, unit: str | None = None, person: str | None = None, pdf: bool = False,
                as_of: dt.date | None = None, templates: Path | None = None, progress=None, on_errors=None):
    """Write the ledgers (and with ``pdf``, PDFs of the unit books, or of the personal ledgers asked for)."""
    from zoufang.files.libreoffice import INSTALL_HINT, LibreOfficeMissing, find_soffice, to_pdf_many
    from zoufang.ledgers.books import template_folder, write_ledgers
    from zoufang.ledgers.figures import LedgerData
    if pdf and not find_soffice():
        raise LibreOfficeMissing(INSTALL_HINT)
    campaign = read_master(book, on_errors)
    unit, person = chosen_unit(campaign, unit), chosen_person(campaign, person)
    data = LedgerData.of(campaign, as_of)
    out_dir = Path(out_dir) if out_dir is not None else Path(book).parent / "台账"
    files = write_ledgers(data, out_dir, template_folder(Path(book), templates), unit, person, progress)
    pdfs = []
    if pdf:
        for folder in sorted({p.parent for p in files.people + files.units}):
            chosen = [p for p in files.units if p.parent == folder] or [p for p in files.people if p.parent == folder]
            pdfs += to_pdf_many(chosen, folder)
    _handed_out(book, "ledgers", [*files.people, *files.units, *pdfs], campaign)
    return files, pdfs


def chosen_unit(campaign, typed: str | None) -> str | None:
    """The unit ``--unit`` names, spelled as check accepts it (full-width, stray blanks); refused with a suggestion."""
    from zoufang.reading.normalize import as_token
    from zoufang.reading.roster import Roster
    if not typed:
        return None
    roster = Roster.of(campaign)
    found = [u for u in sorted(roster.unit_names) if as_token(u) == as_token(typed)]
    if found:
        return found[0]
    near = roster.suggest_unit(as_token(typed))
    raise InputError(f"“{UNITS.name}”表中没有“{typed}”" + (f"，是否指“{near}”？" if near else "，请核对单位名称"))


def chosen_person(campaign, typed: str | None) -> str | None:
    """The name or 人员编号 ``--person`` gives, spelled as check accepts it; refused with a suggestion."""
    from zoufang.reading.normalize import as_token
    from zoufang.reading.roster import Roster
    if not typed:
        return None
    people = campaign.people
    key = as_token(typed)
    for column in ("person_id", "name"):
        hit = people.loc[people[column].map(as_token) == key, column]
        if len(hit):
            return hit.iloc[0]
    near = Roster.of(campaign).suggest_person(key)
    raise InputError(f"“{PEOPLE.name}”表中没有“{typed}”" + (f"，是否指“{near}”？" if near else "，请核对姓名或人员编号"))


# ------------------------------------------------------------------ the office's written material
def _doc_out(book: Path, out_dir: Path | None) -> Path:
    return Path(out_dir) if out_dir is not None else Path(book).parent


def brief_job(book: Path, as_of: dt.date | None = None, out_dir: Path | None = None, pdf: bool = False,
              on_errors=None):
    """半月简报 第N期 (.docx, with ``pdf`` also .pdf) for the half-month containing the as-of date."""
    from zoufang.documents.material import write_brief
    campaign = read_master(book, on_errors)
    return _documents_out(book, "brief", write_brief(book, campaign, _doc_out(book, out_dir), as_of, pdf), campaign)


def _documents_out(book: Path, command: str, written, campaign):
    """``written`` (a Written, a list of them, or either with the report: a tuple), logged as handed out."""
    first = written[0] if isinstance(written, tuple) else written
    items = first if isinstance(first, list) else [first]
    _handed_out(book, command, [p for w in items for p in (w.docx, w.pdf)], campaign)
    return written


class SummaryTooEarly(InputError):
    """全面总结 asked for before the campaign's end: ``said`` why, ``end`` the first date it can be made for; each front
    end says how to give that date (the command line --as-of, the page its 统计截止 box)."""

    def __init__(self, said: str, end: dt.date):
        super().__init__(f"{said}。如需预览，请加 --as-of {end}")
        self.said, self.end = said, end


def summary_job(book: Path, as_of: dt.date | None = None, out_dir: Path | None = None, pdf: bool = False,
                unit: str | None = None, on_errors=None):
    """全面总结 at or after the campaign end (refused, InputError, before it): the bureau's; with ``unit`` a unit's
    own (a list of Written), every unit's with ``unit="all"``."""
    from zoufang.contract.periods import cn_date
    from zoufang.documents.material import write_summary, write_unit_summaries
    campaign = read_master(book, on_errors)
    s = campaign.settings
    if s.effective_as_of(as_of) < s.end:
        raise SummaryTooEarly(f"{Path(book).name}：活动到{cn_date(s.end)}才结束，全面总结在结束时或结束后生成"
                              f"（统计截止 {s.effective_as_of(as_of)}）", s.end)
    if unit is None:
        return _documents_out(book, "summary", write_summary(book, campaign, _doc_out(book, out_dir), as_of, pdf),
                              campaign)
    names = campaign.units.loc[campaign.units["name"] != "", "name"].drop_duplicates().tolist()
    if unit != "all" and unit not in names:
        raise InputError(f"{Path(book).name}：“单位”表中没有“{unit}”。可选：{'、'.join(names)}，或 all（每个单位各一份）")
    return _documents_out(book, "summary", write_unit_summaries(
        book, campaign, _doc_out(book, out_dir), names if unit == "all" else [unit], as_of, pdf), campaign)


def remind_job(book: Path, out_dir: Path | None = None, mail: bool = False, on_errors=None):
    """催报 of ``book``: the units owing their workbook, the printable list (``out_dir``, else 催报/ beside the
    master) and, with ``mail``, a draft to each."""
    from zoufang.exchange.remind import REMIND_DIR, remind_campaign
    campaign = read_master(book, on_errors)
    return remind_campaign(campaign, Path(out_dir) if out_dir else Path(book).parent / REMIND_DIR, mail,
                           received=units_received(Path(book)))


def rota_job(book: Path, start: dt.date, days: int = 10, out_dir: Path | None = None, pdf: bool = False,
             on_errors=None):
    """局领导接访安排 for the ``days`` workdays from ``start``."""
    from zoufang.documents.material import write_rota
    campaign = read_master(book, on_errors)
    return _documents_out(book, "rota", write_rota(book, campaign, _doc_out(book, out_dir), start, days, pdf),
                          campaign)
