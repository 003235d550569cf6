"""The command line: the same functions the workbook's buttons call.

Exit codes: 0 done and no errors; 1 done and the workbook has errors (级别 错误);
2 the input could not be used, with a Chinese message on stderr.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import typer

from zoufang import __version__
from zoufang.contract.errors import InputError
from zoufang.contract.schema import FINDINGS_HEADERS
from zoufang.files.safe_io import WriteRefused

app = typer.Typer(add_completion=False, no_args_is_help=True, help="大走访活动台账：校验、统计、台账、汇总。")


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
        return f"读写文件失败：{where}{exc.strerror or exc}（磁盘已满、没有写权限或文件被占用？原有文件未被改动）"
    return str(exc)


def _fail(message: str) -> None:
    err.print(f"[bold red]无法处理：[/]{message}")
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


AS_OF = typer.Option(None, "--as-of", help="统计截止日期，如 2012-01-15（默认：活动设置中的统计截止日期，否则今天）")
AS_JSON = typer.Option(False, "--json", help="只输出一个 JSON 文档")


def _emit_json(doc: dict) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")


@app.callback()
def main(version: bool = typer.Option(False, "--version", help="显示版本")) -> None:
    if version:
        out.print(f"zoufang {__version__}")
        raise typer.Exit(0)


@app.command()
def init(
    book: Path = typer.Argument(..., help="要新建的工作簿 (.xlsx)"),
    demo: bool = typer.Option(False, "--demo", help="填入示例活动数据"),
    seed: int = typer.Option(2011, "--seed", help="示例数据的随机种子"),
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


@app.command()
def demo(directory: Path = typer.Argument(Path("demo-out"), help="输出文件夹")) -> None:
    """在示例活动上运行全部主要步骤，并给出摘要。"""
    from .jobs import run_demo
    try:
        summary = run_demo(directory, console=out.real())
    except FAILURES as exc:
        _fail(_failure_text(exc))
    out.print(summary)


@app.command()
def check(
    book: Path = typer.Argument(..., help="要校验的工作簿"),
    as_of: str = AS_OF,
    as_json: bool = AS_JSON,
    annotate: Path = typer.Option(None, "--annotate", help="另存一份标注了问题单元格的副本"),
    limit: int = typer.Option(50, "--limit", help="屏幕上最多列出多少条"),
) -> None:
    """校验每一条记录；原文件不会被修改。"""
    from .jobs import check_book
    try:
        result = check_book(book, _parse_day(as_of), annotate)
    except FAILURES as exc:
        _fail(_failure_text(exc))
    if as_json:
        _emit_json(result.to_json())
    else:
        _print_findings(result, limit)
    raise typer.Exit(1 if result.errors else 0)


def _print_findings(result, limit: int) -> None:
    from rich.table import Table
    out.print(f"[bold]{result.file}[/]：错误 [red]{result.errors}[/] 条，警告 [yellow]{result.warnings}[/] 条")
    if result.findings:
        _, level, _, _, _, message, hint = FINDINGS_HEADERS
        table = Table("位置", level, message, hint, show_lines=False)
        for f in result.findings[:limit]:
            colour = "red" if f.is_error else "yellow"
            table.add_row(f.where or result.file, f"[{colour}]{f.level}[/]", f.message, f.hint)
        out.print(table)
        if len(result.findings) > limit:
            out.print(f"……另有 {len(result.findings) - limit} 条未列出（用 --json 或 --annotate 查看全部）")
    if result.annotated:
        out.print(f"已另存标注副本：{result.annotated}（标出 {result.marked} 个单元格）")


@app.command()
def report(
    book: Path = typer.Argument(..., help="活动工作簿"),
    as_of: str = AS_OF,
    out_dir: Path = typer.Option(None, "--out", help="报告工作簿输出文件夹"),
    pdf: bool = typer.Option(False, "--pdf", help="同时用 LibreOffice 把报告工作簿转为 PDF（需要 --out）"),
    as_json: bool = AS_JSON,
) -> None:
    """个人和单位完成情况、集体指标、督办清单、半月简报。"""
    from zoufang.files.libreoffice import INSTALL_HINT, LibreOfficeFailed, LibreOfficeMissing, find_soffice, to_pdf

    from .jobs import report_job
    if pdf and out_dir is None:
        _fail("--pdf 需要同时给出 --out 输出文件夹")
    if pdf and not find_soffice():
        _fail(INSTALL_HINT)
    try:
        result, path = report_job(book, _parse_day(as_of), out_dir)
        pdf_path = to_pdf(path, path.parent) if pdf else None
    except (*FAILURES, LibreOfficeMissing, LibreOfficeFailed) as exc:
        _fail(_failure_text(exc))
    if as_json:
        _emit_json(result.to_json())
        return
    people = result.people.drop_duplicates("person_id")["overall"].value_counts()
    out.print(f"统计截止 {result.as_of}（已过活动期的 {result.share:.0%}）")
    out.print("个人：" + "，".join(f"{k} {v} 人" for k, v in people.items()))
    c = result.collective
    out.print(f"集体：{len(c.uncovered_workdays)} 个工作日无局领导接访；{len(c.unit_weeks_without_reception)} 个单位周无接访；"
              f"{len(c.uncovered_half_months)} 个半月未开例会")
    out.print(f"督办：超期 {len(result.overdue)} 项，信访积案 {len(result.backlog)} 件")
    if path:
        out.print(f"报告工作簿：{path}")
    if pdf_path:
        out.print(f"PDF：{pdf_path}")


@app.command("issue")
def issue_cmd(
    book: Path = typer.Argument(..., help="总台账工作簿"),
    out_dir: Path = typer.Option(..., "--out", help="单位工作簿输出文件夹"),
) -> None:
    """为每个单位生成一份可通过邮件发送的工作簿。"""
    from zoufang.exchange.issue import issue
    notices: list[str] = []
    try:
        issued = issue(book, out_dir, notices=notices)
    except FAILURES as exc:
        _fail(_failure_text(exc))
    for notice in notices:
        out.print(notice)
    for item in issued:
        out.print(f"{item.unit}：{item.rows} 行 → {item.path}")
    out.print(f"共下发 {len(issued)} 个单位工作簿到 {out_dir}")


@app.command()
def collect(
    book: Path = typer.Argument(..., help="总台账工作簿"),
    paths: list[Path] = typer.Argument(..., help="回收的单位工作簿或所在文件夹"),
    as_json: bool = AS_JSON,
) -> None:
    """把各单位发回的工作簿合并进总台账（先备份，原子替换）。"""
    from rich.progress import Progress

    from zoufang.exchange.collect import collect as collect_files
    from zoufang.exchange.collect import expand_paths
    try:
        with Progress(console=err.real(), transient=True, disable=as_json) as bar:
            task = bar.add_task("读取回收表", total=len(expand_paths(paths)))
            result = collect_files(book, paths, progress=lambda p: bar.advance(task))
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
    if result.backup:
        out.print(f"原总台账已备份到 {result.backup}")
    elif not result.written:
        out.print("没有需要合并的内容，总台账未改动")
    raise typer.Exit(result.exit_code)


@app.command()
def ledgers(
    book: Path = typer.Argument(..., help="活动工作簿"),
    out_dir: Path = typer.Option(Path("台账"), "--out", help="台账输出文件夹"),
    unit: str = typer.Option(None, "--unit", help="只生成这个单位"),
    person: str = typer.Option(None, "--person", help="只生成这个人（姓名或人员编号）"),
    pdf: bool = typer.Option(False, "--pdf", help="同时用 LibreOffice 转为 PDF"),
    as_of: str = AS_OF,
    templates: Path = typer.Option(None, "--templates", help="台账模板文件夹（默认：工作簿旁的“台账模板”或自带模板）"),
) -> None:
    """为每个人生成个人台账，为每个单位生成装订成册的单位台账。"""
    from rich.progress import Progress

    from zoufang.files.libreoffice import LibreOfficeFailed, LibreOfficeMissing

    from .jobs import ledgers_job
    try:
        with Progress(console=err.real(), transient=True) as bar:
            task = bar.add_task("生成台账", total=None)
            files, pdfs = ledgers_job(book, out_dir, unit=unit, person=person, pdf=pdf, as_of=_parse_day(as_of),
                                      templates=templates, progress=lambda name: bar.advance(task))
    except (*FAILURES, LibreOfficeMissing, LibreOfficeFailed) as exc:
        _fail(_failure_text(exc))
    if not files.people:
        _fail(f"没有找到要生成台账的人员（单位：{unit or '全部'}，人员：{person or '全部'}）")
    out.print(f"个人台账 {len(files.people)} 份，单位台账 {len(files.units)} 册，在 {out_dir}")
    if pdfs:
        out.print(f"PDF {len(pdfs)} 份")


def _written(kind: str, written) -> None:
    out.print(f"{kind}：{written.docx}")
    if written.pdf:
        out.print(f"PDF：{written.pdf}")


def _document(job, *args):
    """Run a document job; an unusable input or a LibreOffice failure is exit 2 with its message."""
    from zoufang.files.libreoffice import LibreOfficeFailed, LibreOfficeMissing
    try:
        return job(*args)
    except (*FAILURES, LibreOfficeMissing, LibreOfficeFailed) as exc:
        _fail(_failure_text(exc))


DOC_OUT = typer.Option(None, "--out", help="输出文件夹（默认：工作簿所在文件夹）")
DOC_PDF = typer.Option(False, "--pdf", help="同时用 LibreOffice 转为 PDF")


@app.command()
def brief(book: Path = typer.Argument(..., help="活动工作簿"), as_of: str = AS_OF, out_dir: Path = DOC_OUT,
          pdf: bool = DOC_PDF) -> None:
    """半月简报 第N期（Word 文档），统计截止日期所在的半月。"""
    from .jobs import brief_job
    written, report = _document(brief_job, book, _parse_day(as_of), out_dir, pdf)
    _written(f"半月简报 第{report.brief['issue_no']}期", written)


@app.command()
def summary(book: Path = typer.Argument(..., help="活动工作簿"), as_of: str = AS_OF, out_dir: Path = DOC_OUT,
            pdf: bool = DOC_PDF) -> None:
    """全面总结（Word 文档），在活动结束时或结束后生成。"""
    from .jobs import summary_job
    written, _ = _document(summary_job, book, _parse_day(as_of), out_dir, pdf)
    _written("全面总结", written)


@app.command()
def rota(book: Path = typer.Argument(..., help="活动工作簿"),
         start: str = typer.Option(..., "--from", help="从哪一天起，如 2012-01-16"),
         days: int = typer.Option(10, "--days", min=1, max=366, help="安排多少个工作日"),
         out_dir: Path = DOC_OUT, pdf: bool = DOC_PDF) -> None:
    """局领导接访安排（Word 文档）：今后若干个工作日由哪位局领导接访，可张贴公告。"""
    from .jobs import rota_job
    _written("局领导接访安排", _document(rota_job, book, _parse_day(start), days, out_dir, pdf))


@app.command("build-workbook")
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


def run() -> None:  # pragma: no cover - console entry for python -m
    app()
