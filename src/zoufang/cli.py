"""The command line: the same functions the workbook's buttons call.

Exit codes: 0 done and no errors; 1 done and the workbook has errors (级别 错误);
2 the input could not be used, with a Chinese message on stderr.
"""
from __future__ import annotations

import atexit
import datetime as dt
import functools
import gc
import json
import os
import sys
import threading
from pathlib import Path

import typer

from zoufang import __version__
from zoufang.cli_frame import ChineseCommand, ChineseGroup, WholeNumber
from zoufang.contract.errors import InputError, WriteRefused, os_error_text
from zoufang.contract.schema import PEOPLE, UNITS

app = typer.Typer(cls=ChineseGroup, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="大走访活动台账：校验、统计、台账、汇总。")
command = functools.partial(app.command, cls=ChineseCommand)


class _Console:
    """A rich Console made on first use: ``--json`` runs and scripts never import rich (0.015 s a process)."""

    def __init__(self, **options):
        self._options, self._console = options, None

    def real(self):
        """The rich Console itself, for rich's own classes (Progress, Live)."""
        if self._console is None:
            from rich.console import Console
            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name):
        return getattr(self.real(), name)


out = _Console(soft_wrap=True)
err = _Console(stderr=True, soft_wrap=True)



FAILURES = (WriteRefused, InputError, OSError)


def _failure_text(exc: Exception) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, (WriteRefused, InputError)):
        where = f"{exc.filename}：" if exc.filename else ""
        return f"读写文件失败：{where}{os_error_text(exc)}（原有文件未被改动）"
    return str(exc)


def _fail(message: str) -> None:
    from rich.text import Text
    err.print(Text("无法处理：", style="bold red") + Text(message))
    sys.unraisablehook = lambda *_: None  # half-written files' objects closing at exit: the clerk has been told
    raise typer.Exit(2)


def _parse_day(text: str | None) -> dt.date | None:
    if not text:
        return None
    import pandas as pd

    from zoufang.reading.normalize import date_series
    day = date_series(pd.Series([text], dtype=object)).iloc[0]
    if pd.isna(day):
        _fail(f"不是日期：{text}（例如 2012-01-15）")
    return day.date()


AS_OF = typer.Option(None, "--as-of", metavar="DATE", help="统计截止日期，如 2012-01-15（默认：活动设置中的统计截止日期，否则今天）")
AS_JSON = typer.Option(False, "--json", help="只输出一个 JSON 文档")


_SHORT_LIVED = {"process": False}  # set by the console entry alone: this process ends when the command does


def _read_ahead(book: Path, *, collect_garbage: bool = True) -> None:
    """Start reading the workbook on a thread of its own while this process imports what works on it.

    ``collect_garbage=False`` for a command that reads one workbook, prints and ends (check, report): in the
    console entry's own process the cyclic collector is then switched off for good (it would walk the workbook's
    millions of cells again at every full collection, and what it could reclaim is bounded by that one workbook).
    Called in any other process (tests, the page's server, the Excel button's Python) the collector stays on."""
    from zoufang.reading.grids import start_reading
    if not collect_garbage and _SHORT_LIVED["process"]:
        gc.disable()
    start_reading(book)


class MasterErrors:
    """Told by the job how many 错误-level findings the master holds (read once): says so in one line before the
    work, and makes the exit code 1 once the work is done (README: 1 = done, the workbook has errors)."""

    def __init__(self, book: Path):
        self.book, self.count = Path(book), 0

    def __call__(self, count: int) -> None:
        self.count = count
        if count:
            err.print(f"提醒：总台账有 {count} 条错误，数字可能不准：zoufang check {self.book.name}", markup=False)

    def done(self) -> None:
        raise typer.Exit(1 if self.count else 0)


def _emit_json(doc: dict) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")


def _show_version(value: bool) -> None:
    if value:
        print(f"zoufang {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(version: bool = typer.Option(False, "--version", help="显示版本号并退出", is_eager=True,
                                      callback=_show_version)) -> None:
    """大走访活动台账：校验、统计、台账、汇总。"""


@command()
def init(
    book: Path = typer.Argument(..., help="要新建的工作簿 (.xlsx)"),
    demo: bool = typer.Option(False, "--demo", help="填入示例活动数据"),
    seed: int = typer.Option(2011, "--seed", click_type=WholeNumber(), help="示例数据的随机种子"),
    clean: bool = typer.Option(False, "--clean", help="示例数据不含录入错误"),
    force: bool = typer.Option(False, "--force", help="文件已存在时先备份再覆盖"),
) -> None:
    """新建活动总台账工作簿（--demo 填入示例活动）。"""
    from .jobs import create_master
    try:
        backup = create_master(book, demo=demo, seed=seed, clean=clean, overwrite=force)
    except FAILURES as exc:
        _fail(_failure_text(exc))
    out.print(f"已生成工作簿：{book}" + (f"（原文件已备份到 {backup}）" if backup else ""))


@command()
def demo(directory: Path = typer.Argument(Path("demo-out"), help="输出文件夹")) -> None:
    """在示例活动上运行全部主要步骤，并给出摘要。"""
    from .jobs import run_demo
    try:
        summary = run_demo(directory, console=out.real())
    except FAILURES as exc:
        _fail(_failure_text(exc))
    out.print(summary)


@command()
def check(
    book: Path = typer.Argument(..., help="要校验的工作簿"),
    as_of: str = AS_OF,
    as_json: bool = AS_JSON,
    annotate: Path = typer.Option(None, "--annotate", metavar="OUT", help="另存一份标注了问题单元格的副本"),
    limit: int = typer.Option(50, "--limit", click_type=WholeNumber(0), help="屏幕上最多列出多少条"),
) -> None:
    """校验每一条记录；原文件不会被修改。"""
    day = _parse_day(as_of)
    _read_ahead(book, collect_garbage=annotate is not None)
    from .jobs import check_book
    try:
        result = check_book(book, day, annotate)
    except FAILURES as exc:
        _fail(_failure_text(exc))
    if as_json:
        _emit_json(result.to_json())
    else:
        _print_findings(result, limit)
    raise typer.Exit(1 if result.errors else 0)


def _print_findings(result, limit: int) -> None:
    """Each finding whole on its own line, whatever the terminal's width or a redirect: the errors first, then the
    warnings, each in row order; a closing count by rule; what ``--limit`` left out and how to see it."""
    from collections import Counter

    from rich.text import Text

    from zoufang.contract.rule_names import rule_name
    head = Text(f"{result.file}：错误 ")
    head.append(str(result.errors), style="red")
    head.append(" 条，警告 ")
    head.append(str(result.warnings), style="yellow")
    out.print(head.append(" 条"))
    ordered = [f for f in result.findings if f.is_error] + [f for f in result.findings if not f.is_error]
    for f in ordered[:limit]:
        line = Text(f"{f.where or result.file}  ")
        line.append(f.level, style="red" if f.is_error else "yellow")
        line.append(f"  {f.message}" + (f"  建议：{f.hint}" if f.hint else ""))
        out.print(line)
    if len(ordered) > limit:
        hidden = ordered[limit:]
        errors = sum(f.is_error for f in hidden)
        what = f"错误 {errors} 条、警告 {len(hidden) - errors} 条" if errors else f"警告 {len(hidden)} 条"
        out.print(f"……另有{what}未列出（用 --limit {len(ordered)} 全部列出，或用 --json、--annotate 查看全部）",
                  markup=False)
    if ordered:
        counts = Counter((not f.is_error, rule_name(f.code)) for f in ordered)
        out.print("按规则：" + "，".join(f"{name} {n} 条" for (_, name), n in
                                       sorted(counts.items(), key=lambda item: (item[0][0], -item[1]))), markup=False)
    if result.annotated:
        out.print(f"已另存标注副本：{result.annotated}（标出 {result.marked} 个单元格）", markup=False)


@command()
def report(
    book: Path = typer.Argument(..., help="活动工作簿"),
    as_of: str = AS_OF,
    out_dir: Path = typer.Option(None, "--out", metavar="DIR", help="报告工作簿输出文件夹"),
    pdf: bool = typer.Option(False, "--pdf", help="同时用 LibreOffice 把报告工作簿转为 PDF（需要 --out）"),
    as_json: bool = AS_JSON,
) -> None:
    """个人和单位完成情况、集体指标、督办清单、半月简报。"""
    from zoufang.files.libreoffice import INSTALL_HINT, LibreOfficeFailed, LibreOfficeMissing, find_soffice, to_pdf
    if pdf and out_dir is None:
        _fail("--pdf 需要同时给出 --out 输出文件夹")
    if pdf and not find_soffice():
        _fail(INSTALL_HINT)
    day = _parse_day(as_of)
    _read_ahead(book, collect_garbage=out_dir is not None)
    from .jobs import report_job
    errors = MasterErrors(book)
    try:
        result, path = report_job(book, day, out_dir, on_errors=errors)
        pdf_path = to_pdf(path, path.parent) if pdf else None
    except (*FAILURES, LibreOfficeMissing, LibreOfficeFailed) as exc:
        _fail(_failure_text(exc))
    if as_json:
        _emit_json(result.to_json())
        errors.done()
    people = result.people.drop_duplicates("person_id")["overall"].value_counts()
    out.print(f"统计截止 {result.as_of}（已过活动期的 {result.share:.0%}）")
    out.print("个人：" + "，".join(f"{k} {v} 人" for k, v in people.items()))
    c = result.collective
    out.print(f"集体：{c.headline()}")
    out.print(f"督办：超期 {len(result.overdue)} 项，信访积案 {len(result.backlog)} 件")
    if path:
        out.print(f"报告工作簿：{path}")
    if pdf_path:
        out.print(f"PDF：{pdf_path}")
    errors.done()


@command("issue")
def issue_cmd(
    book: Path = typer.Argument(..., help="总台账工作簿"),
    out_dir: Path = typer.Option(..., "--out", metavar="DIR", help="单位工作簿输出文件夹"),
    encrypt: bool = typer.Option(None, "--encrypt/--no-encrypt",
                                 help="每个单位工作簿加上各自的打开密码（默认：活动设置的“下发加密”）"),
    new_passwords: bool = typer.Option(False, "--new-passwords", help="加密时为各单位换新密码（默认沿用原密码）"),
    mail: bool = typer.Option(False, "--mail", help="同时为每个单位生成一封未发送的邮件草稿（DIR/邮件/，附工作簿，不含密码）"),
    as_json: bool = AS_JSON,
) -> None:
    """为每个单位生成一份可通过邮件发送的工作簿。"""
    from zoufang.exchange.issue import issue

    from .jobs import check_book
    notices: list[str] = []
    try:
        errors = check_book(book).errors
        issued = issue(book, out_dir, notices=notices, encrypt=encrypt, new_passwords=new_passwords, mail=mail)
    except FAILURES as exc:
        _fail(_failure_text(exc))
    if as_json:
        _emit_json({**issued.to_json(), "notices": notices})
        raise typer.Exit(1 if issued.not_issued else 0)
    if errors:
        err.print(f"提醒：总台账有 {errors} 条错误（zoufang check {book.name} 查看），单位收到的行中可能有错误", markup=False)
    for notice in notices:
        out.print(notice, markup=False)
    for item in issued:
        out.print(f"{item.unit}：{item.rows} 行 → {item.path}", markup=False)
    for row in issued.not_issued:
        out.print(f"未下发 {row['sheet']}!{row['cell']}：{row['reason']}", markup=False)
    if issued.slips:
        out.print(f"各单位工作簿已加密。密码通知单：{issued.slips}（请打印后当面或另行交给各单位，不要随邮件发送；"
                  f"密码不在屏幕上显示）", markup=False)
    for line in issued.drafts.lines() if issued.drafts else []:
        out.print(line, markup=False)
    out.print(f"共下发 {len(issued)} 个单位工作簿到 {out_dir}" +
              (f"；{len(issued.not_issued)} 行无法确定单位，未下发（见上）" if issued.not_issued else ""), markup=False)
    raise typer.Exit(1 if issued.not_issued else 0)


@command()
def collect(
    book: Path = typer.Argument(..., help="总台账工作簿"),
    paths: list[Path] = typer.Argument(..., help="回收的单位工作簿、保存的邮件（.eml）或所在文件夹"),
    mail: bool = typer.Option(False, "--mail", help="同时为每个单位生成一封附回执的回复邮件草稿（回执/邮件/）"),
    as_json: bool = AS_JSON,
) -> None:
    """把各单位发回的工作簿合并进总台账（先备份，原子替换）。"""
    from rich.progress import Progress

    from zoufang.exchange.collect import collect as collect_files
    from zoufang.exchange.collect import expand_paths
    try:
        with Progress(console=err.real(), transient=True, disable=as_json or not err.is_terminal) as bar:
            task = bar.add_task("读取回收表", total=len(expand_paths(paths)))
            result = collect_files(book, paths, progress=lambda p: bar.advance(task), mail=mail)
    except FAILURES as exc:
        _fail(_failure_text(exc))
    for notice in result.notices:
        err.print(notice)
    if as_json:
        _emit_json(result.to_json())
        raise typer.Exit(result.exit_code)
    for f in result.files:
        out.print(f.summary())
        for c in f.conflicts:
            out.print(f"  冲突 {c['sheet']}!{c['cell']}（{c['record']}，{c['column']}）：总台账保留“{c['office']}”，"
                      f"单位改为“{c['unit']}”。{c['reason']}")
        for r in f.rejected:
            out.print(f"  拒收 {r['sheet']}{'!' + r['cell'] if r['cell'] else ''}：{r['reason']}")
        for n in f.notes:
            where = f"{n['sheet']}{'!' + n['cell'] if n['cell'] else ''}：" if n["sheet"] else ""
            out.print(f"  说明 {where}{n['note']}")
        if f.receipt:
            out.print(f"  回执 {f.receipt}", markup=False)
    if not result.files:
        out.print(f"没有找到要合并的工作簿（{'、'.join(str(p) for p in paths)}）：请把各单位发回的 "
                  f".xlsx、.xlsm、.ods 或 .xls 文件放进去再试", markup=False)
    elif result.backup:
        out.print(f"原总台账已备份到 {result.backup}", markup=False)
    elif not result.written:
        out.print("没有需要合并的内容，总台账未改动")
    for line in result.drafts.lines() if result.drafts else []:
        out.print(line, markup=False)
    raise typer.Exit(result.exit_code)


@command()
def remind(
    book: Path = typer.Argument(..., help="总台账工作簿"),
    out_dir: Path = typer.Option(None, "--out", metavar="DIR", help="催报清单输出文件夹（默认：工作簿旁的“催报”文件夹）"),
    mail: bool = typer.Option(False, "--mail", help="同时为每个未发回的单位生成一封催报邮件草稿（DIR/邮件/）"),
    as_json: bool = AS_JSON,
) -> None:
    """催报：列出下发后尚未发回工作簿的单位（已过回收截止日期的在前），生成可打印的催报清单。"""
    from .jobs import remind_job
    errors = MasterErrors(book)
    try:
        reminder = remind_job(book, out_dir, mail, on_errors=errors)
    except FAILURES as exc:
        _fail(_failure_text(exc))
    if as_json:
        _emit_json(reminder.to_json())
        errors.done()
    if not reminder.owing:
        out.print(f"已下发的单位都已发回（{reminder.returned} 个），无需催报" if reminder.returned
                  else "还没有下发过单位工作簿，无需催报", markup=False)
    for o in reminder.owing:
        who = "　".join(x for x in (o.contact, o.phone, o.email) if x)
        out.print(f"{o.status}：{o.unit}（{o.issued:%Y-%m-%d %H:%M} 下发）{'　' + who if who else ''}", markup=False)
    if reminder.list_path:
        out.print(f"催报清单：{reminder.list_path}", markup=False)
    for line in reminder.drafts.lines():
        out.print(line, markup=False)
    errors.done()


@command()
def ledgers(
    book: Path = typer.Argument(..., help="活动工作簿"),
    out_dir: Path = typer.Option(None, "--out", metavar="DIR", help="台账输出文件夹（默认：工作簿旁的“台账”文件夹）"),
    unit: str = typer.Option(None, "--unit", metavar=UNITS.name, help="只生成这个单位"),
    person: str = typer.Option(None, "--person", metavar=PEOPLE.col("name").label, help="只生成这个人（姓名或人员编号）"),
    pdf: bool = typer.Option(False, "--pdf", help="同时用 LibreOffice 转为 PDF"),
    as_of: str = AS_OF,
    templates: Path = typer.Option(None, "--templates", help="台账模板文件夹（默认：工作簿旁的“台账模板”或自带模板）"),
) -> None:
    """为每个人生成个人台账，为每个单位生成装订成册的单位台账。"""
    day = _parse_day(as_of)
    _read_ahead(book)
    from rich.progress import Progress

    from zoufang.files.libreoffice import LibreOfficeFailed, LibreOfficeMissing

    from .jobs import ledgers_job
    errors = MasterErrors(book)
    try:
        with Progress(console=err.real(), transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("生成台账", total=None)
            files, pdfs = ledgers_job(book, out_dir, unit=unit, person=person, pdf=pdf, as_of=day,
                                      templates=templates, progress=lambda name: bar.advance(task), on_errors=errors)
    except (*FAILURES, LibreOfficeMissing, LibreOfficeFailed) as exc:
        _fail(_failure_text(exc))
    if not files.people:
        _fail(f"没有找到要生成台账的人员（单位：{unit or '全部'}，人员：{person or '全部'}）")
    folder = out_dir if out_dir is not None else book.parent / "台账"
    out.print(f"个人台账 {len(files.people)} 份，单位台账 {len(files.units)} 册，在 {folder}", markup=False)
    if pdfs:
        out.print(f"PDF {len(pdfs)} 份")
    errors.done()


def _written(kind: str, written) -> None:
    out.print(f"{kind}：{written.docx}")
    if written.pdf:
        out.print(f"PDF：{written.pdf}")


def _document(job, errors: MasterErrors, *args):
    """Run a document job; an unusable input or a LibreOffice failure is exit 2 with its message."""
    from zoufang.files.libreoffice import LibreOfficeFailed, LibreOfficeMissing
    try:
        return job(*args, on_errors=errors)
    except (*FAILURES, LibreOfficeMissing, LibreOfficeFailed) as exc:
        _fail(_failure_text(exc))


DOC_OUT = typer.Option(None, "--out", metavar="DIR", help="输出文件夹（默认：工作簿所在文件夹）")
DOC_PDF = typer.Option(False, "--pdf", help="同时用 LibreOffice 转为 PDF")


@command()
def brief(book: Path = typer.Argument(..., help="活动工作簿"), as_of: str = AS_OF, out_dir: Path = DOC_OUT,
          pdf: bool = DOC_PDF) -> None:
    """半月简报 第N期（Word 文档），统计截止日期所在的半月。"""
    from .jobs import brief_job
    errors = MasterErrors(book)
    written, report = _document(brief_job, errors, book, _parse_day(as_of), out_dir, pdf)
    _written(f"半月简报 第{report.brief['issue_no']}期", written)
    errors.done()


@command()
def summary(book: Path = typer.Argument(..., help="活动工作簿"), as_of: str = AS_OF, out_dir: Path = DOC_OUT,
            pdf: bool = DOC_PDF,
            unit: str = typer.Option(None, "--unit", metavar=UNITS.name,
                                     help="生成这个单位自己的全面总结；all：每个单位各一份")) -> None:
    """全面总结（Word 文档），在活动结束时或结束后生成。"""
    from .jobs import summary_job
    errors = MasterErrors(book)
    written, _ = _document(summary_job, errors, book, _parse_day(as_of), out_dir, pdf, unit)
    for item in written if isinstance(written, list) else [written]:
        _written("全面总结", item)
    errors.done()


@command()
def rota(book: Path = typer.Argument(..., help="活动工作簿"),
         start: str = typer.Option(..., "--from", metavar="DATE", help="从哪一天起，如 2012-01-16"),
         days: int = typer.Option(10, "--days", click_type=WholeNumber(1, 366), help="安排多少个工作日"),
         out_dir: Path = DOC_OUT, pdf: bool = DOC_PDF) -> None:
    """局领导接访安排（Word 文档）：今后若干个工作日由哪位局领导接访，可张贴公告。"""
    from .jobs import rota_job
    errors = MasterErrors(book)
    _written("局领导接访安排", _document(rota_job, errors, book, _parse_day(start), days, out_dir, pdf))
    errors.done()


@command()
def serve(book: Path = typer.Argument(..., help="总台账工作簿"),
          port: int = typer.Option(None, "--port", click_type=WholeNumber(1024, 65535),
                                   help="端口（默认 8421，被占用时自动换一个）"),
          no_browser: bool = typer.Option(False, "--no-browser", help="不自动打开浏览器")) -> None:
    """在本机浏览器中打开办公室页面：总览、校验、回收、生成（只允许本机访问）。"""
    from zoufang.serve import serve as run_page
    try:
        run_page(book, port, open_browser=not no_browser)
    except FAILURES as exc:
        _fail(_failure_text(exc))


@command()
def audit(
    book: Path = typer.Argument(..., help="总台账工作簿"),
    export: Path = typer.Option(None, "--export", metavar="OUT.xlsx", help="把日志导出为工作簿（供保密、审计部门查阅）"),
    start: str = typer.Option(None, "--from", metavar="DATE", help="导出这一天起的记录"),
    end: str = typer.Option(None, "--to", metavar="DATE", help="导出到这一天的记录"),
    as_json: bool = AS_JSON,
) -> None:
    """核验总台账的审计日志是否完整（退出码 1 表示不完整，并指出第一条有问题的记录）；可导出为工作簿。"""
    from zoufang.audit.export import export_log
    from zoufang.audit.verify import verify
    from zoufang.exchange.secret_key import load_secret
    if not Path(book).exists():
        _fail(f"找不到总台账 {book}")
    try:
        verdict = verify(book, load_secret(book))
        exported = export_log(book, export, _parse_day(start), _parse_day(end)) if export else None
    except FAILURES as exc:
        _fail(_failure_text(exc))
    if as_json:
        _emit_json({**verdict.to_json(), **({"export": str(export), "exported": exported} if export else {})})
    else:
        out.print(verdict.line(), markup=False)
        if export:
            out.print(f"已导出 {exported} 条记录：{export}", markup=False)
    raise typer.Exit(0 if verdict.intact else 1)


@command()
def history(
    book: Path = typer.Argument(..., help="总台账工作簿"),
    key: str = typer.Argument(..., help="记录编号（如 TSG-ZF00048）或单元格（如 走访记录!G9）"),
    as_json: bool = AS_JSON,
) -> None:
    """列出一条记录或一个单元格的全部改动：时间、谁或哪个单位的文件、原值 → 新值、处理结果。"""
    from zoufang.audit.verify import history as changes_of
    from zoufang.audit.verify import history_line
    if not Path(book).exists():
        _fail(f"找不到总台账 {book}")
    found = changes_of(book, key)
    if as_json:
        _emit_json({"key": key, "changes": found})
        raise typer.Exit(0)
    for h in found:
        out.print(history_line(h), markup=False)
    if not found:
        out.print(f"审计日志中没有 {key} 的改动记录", markup=False)


@command("build-workbook")
def build_workbook_cmd(
    target: Path = typer.Option(Path("workbook") / "大走访台账.xlsm", "--out", help="输出的宏工作簿"),
    macros: Path = typer.Option(Path("macros"), "--macros", help="VBA 源文件夹"),
) -> None:
    """从 macros/ 构建带按钮和功能区的宏工作簿 workbook/大走访台账.xlsm。"""
    from zoufang.excel.macro_workbook import build_workbook
    if not (macros / "zoufang.bas").exists():
        _fail(f"找不到 VBA 源文件 {macros / 'zoufang.bas'}（请在项目根目录运行，或用 --macros 指定）")
    path = build_workbook(target, macros)
    out.print(f"已构建：{path}")


def run() -> None:
    """The console entry (``zoufang``, ``python -m zoufang``): the command, its exit functions, then the process
    ends without the interpreter's teardown (freeing every object of a large workbook one by one: a fifth of a
    second at 100,000 rows, after the output is complete)."""
    _SHORT_LIVED["process"] = True
    try:
        app(prog_name="zoufang")
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        sys.stderr.write(f"{code}\n")  # as the interpreter shows a SystemExit's message
        code = 1
    for thread in threading.enumerate():  # what the teardown does first: wait for the threads that must finish,
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # then the exit functions (temporary files, locks, logging)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code or 0)
