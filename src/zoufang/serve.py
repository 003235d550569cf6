"""``zoufang serve``: the office's page in any browser, on this computer only (CLI.md).

The pages and the API call the same jobs as the command line and the buttons (``zoufang.jobs``,
``exchange.collect``, ``exchange.issue``); ``/api/check``, ``/api/report`` and ``/api/collect``
answer with the commands' own JSON. ``web.guard`` admits only this computer's browser holding the
printed token; every write to the master takes its lock; files are written beside the master only.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import shutil
import socket
import sys
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from zoufang import __version__, jobs
from zoufang.contract.errors import InputError, os_error_text
from zoufang.contract.schema import IMPORT_LOG_HEADERS, IMPORT_LOG_SHEET, PEOPLE
from zoufang.files.safe_io import WriteRefused
from zoufang.web import views
from zoufang.web.guard import Guard, allowed_hosts
from zoufang.web.tasks import Tasks, zip_bytes
from zoufang.web.uploads import UploadRefused, check_declared_size, save_uploads, upload_folder

WEB = Path(__file__).parent / "web"
NAV = [("/", "总览"), ("/people", PEOPLE.name), ("/check", "校验"), ("/collect", "回收"), ("/generate", "生成")]
FAILURES = (InputError, WriteRefused, OSError)
DEFAULT_PORT = 8421
LOG_SHOWN = 50


def failure_text(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, (WriteRefused, InputError)):
        return f"读写文件失败：{exc.filename or ''} {os_error_text(exc)}（原有文件未被改动）".strip()
    return str(exc)


def failure_status(exc: BaseException) -> int:
    """409 when the master is busy or open elsewhere (try again later), 400 when the input cannot be used."""
    return 409 if isinstance(exc, WriteRefused) else 400


def parse_day(text: str | None) -> dt.date | None:
    """A date typed as check accepts it; None for none; InputError for text that is no date."""
    if not text:
        return None
    import pandas as pd

    from zoufang.reading.normalize import date_series
    day = date_series(pd.Series([text], dtype=object)).iloc[0]
    if pd.isna(day):
        raise InputError(f"不是日期：{text}（例如 2012-01-15）")
    return day.date()


class Office:
    """The page's state: the master, the token, the running tasks, and the last campaign read."""

    def __init__(self, book: Path, token: str):
        self.book, self.token = Path(book).resolve(), token
        self.tasks = Tasks()
        self.env = Environment(loader=FileSystemLoader(WEB / "templates"), autoescape=select_autoescape(["html"]))
        self.env.filters["figure"] = views.figure
        self._cache: dict[tuple, object] = {}
        self._lock = threading.Lock()

    def _stamp(self) -> tuple:
        st = self.book.stat()
        return st.st_mtime_ns, st.st_size

    def cached(self, kind: str, as_of: dt.date | None, make):
        """``make()`` once per state of the master file (its time and size) and as-of date."""
        key = (kind, as_of, self._stamp())
        with self._lock:
            if key not in self._cache:
                if len(self._cache) > 16:
                    self._cache.clear()
                self._cache[key] = make()
            return self._cache[key]

    def report(self, as_of: dt.date | None) -> dict:
        return self.cached("report", as_of, lambda: jobs.report_job(self.book, as_of)[0].to_json())

    def checked(self, as_of: dt.date | None):
        return self.cached("check", as_of, lambda: jobs.check_book(self.book, as_of))

    def campaign_name(self) -> str:
        """活动名称 of the master (empty when it cannot be read: the page then says why)."""
        from zoufang.reading.reader import read_campaign
        try:
            return self.cached("campaign", None, lambda: read_campaign(self.book)).settings.name or ""
        except FAILURES:
            return ""

    def render(self, request: Request, template: str, title: str, **context) -> HTMLResponse:
        as_of = request.query_params.get("as_of", "")
        base = {"token": self.token, "book_name": self.book.name, "book_path": str(self.book), "nav": NAV,
                "here": request.url.path, "as_of_param": as_of, "version": __version__, "title": title,
                "campaign_name": self.campaign_name()}
        html = self.env.get_template(template).render(**base, **context)
        return HTMLResponse(html, headers={"cache-control": "no-store"})

    def problem_page(self, request: Request, exc: BaseException) -> HTMLResponse:
        response = self.render(request, "base.html", "无法处理", problem=failure_text(exc))
        response.status_code = failure_status(exc)
        return response


# ------------------------------------------------------------------ pages
def overview_page(request: Request) -> HTMLResponse:
    office: Office = request.app.state.office
    try:
        as_of = parse_day(request.query_params.get("as_of"))
        report = office.report(as_of)
    except FAILURES as exc:
        return office.problem_page(request, exc)
    backlog = list(report["backlog_cases"][0]) if report["backlog_cases"] else []
    return office.render(request, "overview.html", "总览", as_of=report["as_of"], share=report["share_elapsed"],
                         v=views.overview(report), backlog_columns=backlog)


def people_page(request: Request) -> HTMLResponse:
    office: Office = request.app.state.office
    try:
        report = office.report(parse_day(request.query_params.get("as_of")))
    except FAILURES as exc:
        return office.problem_page(request, exc)
    q, unit = request.query_params.get("q", ""), request.query_params.get("unit", "")
    units = [u[views.UNIT] for u in report["units"]]
    return office.render(request, "people.html", PEOPLE.name, as_of=report["as_of"], q=q, unit=unit, units=units,
                         rows=views.people(report, q, unit))


def check_page(request: Request) -> HTMLResponse:
    office: Office = request.app.state.office
    p = request.query_params
    try:
        as_of = parse_day(p.get("as_of"))
        result = office.checked(as_of)
        units_of = office.cached("units", None, lambda: jobs.row_units(result.campaign))
    except FAILURES as exc:
        return office.problem_page(request, exc)
    v = views.findings(result.to_json(), units_of, p.get("unit", ""), p.get("sheet", ""), p.get("level", ""))
    return office.render(request, "check.html", "校验", as_of=as_of.isoformat() if as_of else "", v=v,
                         unit=p.get("unit", ""), sheet=p.get("sheet", ""), level=p.get("level", ""))


def collect_page(request: Request) -> HTMLResponse:
    office: Office = request.app.state.office
    from zoufang.audit.verify import history, shown_time
    from zoufang.progress.returns import reminder_text
    from zoufang.reading.reader import read_campaign
    try:
        campaign = office.cached("campaign", None, lambda: read_campaign(office.book))
        report = office.report(None)
    except FAILURES as exc:
        return office.problem_page(request, exc)
    s = campaign.settings
    grid = campaign.hidden.get(IMPORT_LOG_SHEET) or []
    log = [[views.log_cell(c) for c in list(r)[:len(IMPORT_LOG_HEADERS)]] for r in grid[1:]][-LOG_SHOWN:][::-1]
    key = request.query_params.get("key", "").strip()[:200]
    changes = [{**h, "when": shown_time(h.get("time", ""))} for h in history(office.book, key)] if key else []
    try:
        drafts, no_address = _reminders(office)
    except FAILURES as exc:
        return office.problem_page(request, exc)
    return office.render(request, "collect.html", "回收", returns=report["returns"], deadline=s.return_deadline,
                         reminder=reminder_text(report["returns"], s.organizer, s.return_deadline),
                         drafts=sorted(drafts), no_address=no_address,
                         log=log, log_headers=list(IMPORT_LOG_HEADERS), key=key, changes=changes,
                         receipts=[p.name for p in receipts_of(office.book)][:RECEIPTS_SHOWN])


RECEIPTS_SHOWN = 30


def receipts_of(book: Path) -> list[Path]:
    """The receipts collect wrote beside the master, newest first."""
    from zoufang.audit.receipts import RECEIPTS_DIR
    folder = Path(book).parent / RECEIPTS_DIR
    found = [p for p in folder.glob("*.xlsx") if p.is_file()] if folder.is_dir() else []
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def download_receipt(request: Request) -> Response:
    """One receipt of 回执/ by its name, only a name the folder lists (no path is ever built from the request)."""
    name = request.path_params["name"]
    found = next((p for p in receipts_of(request.app.state.office.book) if p.name == name), None)
    if found is None:
        return Response("没有这份回执", 404, media_type="text/plain; charset=utf-8")
    return FileResponse(found, filename=found.name)


def _reminders(office: "Office") -> tuple[dict[str, bytes], list[str]]:
    """Each owing unit's 催报 draft as .eml bytes (made in memory: a GET writes nothing), and the units without a
    联系邮箱."""
    from zoufang.exchange.mail_drafts import message_bytes, prepare
    from zoufang.exchange.remind import owing_units, reminder_drafts
    from zoufang.reading.reader import read_campaign
    from zoufang.audit.trail import units_received
    campaign = office.cached("campaign", None, lambda: read_campaign(office.book))
    now = dt.datetime.now().astimezone()
    owing, _ = owing_units(campaign, now.date(), units_received(office.book))
    ready, account = prepare(reminder_drafts(campaign, owing, now.date()))
    return {d.unit: message_bytes(d, now) for d in ready}, account.no_address


def download_reminder(request: Request) -> Response:
    """One unit's 催报 draft (``unit``), or every owing unit's in one zip; only units the list names."""
    import io
    import zipfile
    office: Office = request.app.state.office
    try:
        drafts, _ = _reminders(office)
    except FAILURES as exc:
        return office.problem_page(request, exc)
    unit = request.query_params.get("unit")
    if unit is not None:
        if unit not in drafts:
            return Response("这个单位不需要催报，或没有联系邮箱", 404, media_type="text/plain; charset=utf-8")
        return Response(drafts[unit], media_type="message/rfc822",
                        headers={"content-disposition": _attachment(f"催报-{unit}.eml", "reminder.eml")})
    if not drafts:
        return Response("没有需要催报的单位", 404, media_type="text/plain; charset=utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in drafts.items():
            z.writestr(f"催报-{name}.eml", data)
    return Response(buffer.getvalue(), media_type="application/zip",
                    headers={"content-disposition": _attachment(f"催报邮件-{dt.datetime.now():%Y%m%d-%H%M}.zip")})


def generate_page(request: Request) -> HTMLResponse:
    office: Office = request.app.state.office
    from zoufang.reading.reader import read_campaign
    try:
        campaign = office.cached("campaign", None, lambda: read_campaign(office.book))
        as_of = campaign.settings.effective_as_of(parse_day(request.query_params.get("as_of")))
    except FAILURES as exc:
        return office.problem_page(request, exc)
    people = campaign.people.drop_duplicates("person_id")
    units = [u for u in campaign.units["name"].drop_duplicates() if u]
    return office.render(request, "generate.html", "生成", as_of=as_of.isoformat(), units=units,
                         people=[(r.person_id, r.name, r.unit) for r in people.itertuples() if r.person_id],
                         today=_rota_start(campaign.settings, as_of).isoformat(), encrypt=campaign.settings.encrypt)


def _rota_start(settings, as_of: dt.date) -> dt.date:
    """Today during the campaign; the statistics' as-of date when looking at another time."""
    today = dt.date.today()
    return today if settings.start <= today <= settings.end else as_of


# ------------------------------------------------------------------ the API
def api_check(request: Request) -> JSONResponse:
    office: Office = request.app.state.office
    try:
        return JSONResponse(office.checked(parse_day(request.query_params.get("as_of"))).to_json())
    except FAILURES as exc:
        return JSONResponse({"error": failure_text(exc)}, failure_status(exc))


def api_report(request: Request) -> JSONResponse:
    office: Office = request.app.state.office
    try:
        return JSONResponse(office.report(parse_day(request.query_params.get("as_of"))))
    except FAILURES as exc:
        return JSONResponse({"error": failure_text(exc)}, failure_status(exc))


async def api_collect(request: Request) -> Response:
    """The dropped files, saved beside the master, then ``collect`` as the command runs it."""
    office: Office = request.app.state.office
    from zoufang.exchange.collect import collect
    from zoufang.web.uploads import MAX_FILES
    folder = None
    try:
        check_declared_size(request.headers.get("content-length"))
        async with form_of(request, max_files=MAX_FILES, max_fields=10) as form:
            files = [f for f in form.getlist("files") if hasattr(f, "read")]
            folder = upload_folder(office.book, dt.datetime.now())
            saved = await save_uploads(files, folder)
    except ClientDisconnect:
        _discard(folder)
        say("上传中断：浏览器在文件传完之前断开了连接，没有合并任何文件（总台账未改动）")
        return Response(status_code=400)  # nobody is listening; said on the terminal
    except UploadRefused as exc:
        _discard(folder)  # nothing of a refused upload is kept
        return JSONResponse({"error": str(exc)}, exc.status)
    except FAILURES as exc:
        _discard(folder)
        return JSONResponse({"error": failure_text(exc)}, failure_status(exc))
    # a plain future of a worker thread, not a task: stopping the server cancels tasks, never this merge
    work = asyncio.get_running_loop().run_in_executor(None, collect, office.book, saved)
    try:
        result = await asyncio.shield(work)
    except asyncio.CancelledError:  # the server is being stopped (a second Ctrl+C): the merge finishes regardless
        result = await _finished(work)
        if result is not None:
            say(f"页面上的回收在服务停止时已完成：{'；'.join(f.summary() for f in result.files)}")
            return JSONResponse(result.to_json())
        raise
    except FAILURES as exc:
        return JSONResponse({"error": failure_text(exc)}, failure_status(exc))
    return JSONResponse(result.to_json())


async def _finished(work: asyncio.Future):
    """The result of ``work`` once it has run to its end, or None if it failed (said on the terminal)."""
    while not work.done():
        try:
            await asyncio.wait({work})
        except asyncio.CancelledError:
            continue
    if work.exception() is not None:
        exc = work.exception()
        say(f"页面上的回收未完成：{failure_text(exc) if isinstance(exc, FAILURES) else repr(exc)}")
        return None
    return work.result()


def say(text: str) -> None:
    """One Chinese line on the terminal that runs the server."""
    print(text, file=sys.stderr, flush=True)


def _discard(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


FORM_REFUSALS = (("Too many files", 413, "一次上传的文件太多"), ("Too many fields", 413, "表单字段太多"),
                 ("exceeded maximum size", 413, "表单中的一项太大"),
                 ("Missing boundary", 400, "上传的内容不是有效的文件上传（缺少分隔标记）"),
                 ("Invalid multipart", 400, "上传的内容不是有效的文件上传"))


@asynccontextmanager
async def form_of(request: Request, **limits):
    """``request.form(**limits)`` whose refusals are UploadRefused in Chinese with the status docs/SERVE.md gives."""
    from starlette.exceptions import HTTPException
    try:
        async with request.form(**limits) as form:
            yield form
    except HTTPException as exc:
        detail = str(exc.detail)
        status, text = next(((st, tx) for key, st, tx in FORM_REFUSALS if key in detail), (400, "上传的内容无法读取"))
        if "Too many files" in detail:
            text += f"（一次最多 {limits.get('max_files')} 个），请分几次上传"
        raise UploadRefused(status, text) from None


# ------------------------------------------------------------------ long work and downloads
def _ledgers(office: Office, form) -> callable:
    scope = form.get("scope", "all")
    unit = form.get("unit") if scope == "unit" else None
    person = form.get("person") if scope == "person" else None

    def work(task):
        files, _ = jobs.ledgers_job(office.book, None, unit=unit, person=person, progress=task.advance)
        if not files.people:
            raise InputError(f"没有找到要生成台账的人员（单位：{unit or '全部'}，人员：{person or '全部'}）")
        task.root = office.book.parent
        said = f"个人台账 {len(files.people)} 份，单位台账 {len(files.units)} 册，在 {office.book.parent / '台账'}"
        return files.people + files.units, said
    return work


def _document(office: Office, form, kind: str) -> callable:
    def work(task):
        as_of = parse_day(form.get("as_of"))
        if kind == "report":
            _, path = jobs.report_job(office.book, as_of, office.book.parent)
            return [path], f"已生成 {path}"
        if kind == "brief":
            written, report = jobs.brief_job(office.book, as_of)
            return [written.docx], f"半月简报 第{report.brief['issue_no']}期：{written.docx}"
        if kind == "summary":
            try:
                written, _ = jobs.summary_job(office.book, as_of)
            except jobs.SummaryTooEarly as early:
                raise InputError(f"{early.said}。如需预览，请在本页上方的“统计截止”框中填 {early.end} 或之后的日期，"
                                 f"按“更新”后再生成") from None
            return [written.docx], f"全面总结：{written.docx}"
        start = parse_day(form.get("start")) or dt.date.today()
        days = whole_days(form.get("days"))
        written = jobs.rota_job(office.book, start, days)
        return [written.docx], f"局领导接访安排：{written.docx}"
    return work


def whole_days(text: str | None) -> int:
    """The rota's number of working days as typed in the page's box: a whole number from 1 to 366."""
    text = (text or "").strip() or "10"
    if not text.isdigit() or not 1 <= int(text) <= 366:
        raise InputError(f"工作日数应是 1 到 366 之间的整数（收到“{text[:20]}”）")
    return int(text)


def _annotated(office: Office, form) -> callable:
    def work(task):
        suffix = ".xlsm" if office.book.suffix.lower() == ".xlsm" else ".xlsx"
        target = office.book.with_name(f"{office.book.stem}-校验标注{suffix}")
        result = jobs.check_book(office.book, parse_day(form.get("as_of")), annotate=target)
        return [result.annotated], f"已另存标注副本：{result.annotated}（标出 {result.marked} 个单元格）"
    return work


def _issue(office: Office) -> callable:
    def work(task):
        from zoufang.exchange.issue import issue
        notices: list[str] = []
        issued = issue(office.book, office.book.parent / "下发", notices=notices)
        task.root = office.book.parent
        said = [*notices, f"共下发 {len(issued)} 个单位工作簿到 {office.book.parent / '下发'}"]
        said += [f"未下发 {r['sheet']}!{r['cell']}：{r['reason']}" for r in issued.not_issued]
        if issued.slips:
            said.append(f"各单位工作簿已加密，密码通知单在 {issued.slips}（请打印后另行交给各单位，不要随邮件发送）")
        return [i.path for i in issued], "；".join(said)
    return work


TASK_TITLES = {"ledgers": "台账", "report": "完成情况报告", "brief": "半月简报", "summary": "全面总结",
               "rota": "局领导接访安排", "issue": "下发单位工作簿", "annotated": "校验标注副本"}


async def api_run(request: Request) -> JSONResponse:
    """Start a long task (``kind`` of TASK_TITLES); its progress at /api/tasks/ID, its files at /download/ID."""
    office: Office = request.app.state.office
    kind = request.path_params["kind"]
    if kind not in TASK_TITLES:
        return JSONResponse({"error": f"没有这项工作：{kind}"}, 404)
    try:
        async with form_of(request, max_files=0, max_fields=20) as form:
            fields = {k: str(v) for k, v in form.items()}
    except UploadRefused as exc:
        return JSONResponse({"error": str(exc)}, exc.status)
    except ClientDisconnect:
        return Response(status_code=400)
    from zoufang.files.libreoffice import LibreOfficeFailed, LibreOfficeMissing
    work = (_ledgers(office, fields) if kind == "ledgers" else _issue(office) if kind == "issue"
            else _annotated(office, fields) if kind == "annotated" else _document(office, fields, kind))
    task = office.tasks.start(TASK_TITLES[kind], work, (*FAILURES, LibreOfficeMissing, LibreOfficeFailed), queue=kind)
    return JSONResponse(task.to_json(), 202)


def api_task(request: Request) -> JSONResponse:
    task = request.app.state.office.tasks.get(request.path_params["task"])
    if task is None:
        return JSONResponse({"error": "没有这项工作（服务重启后，之前的工作不再保留）"}, 404)
    return JSONResponse(task.to_json())


def download_task(request: Request) -> Response:
    task = request.app.state.office.tasks.get(request.path_params["task"])
    if task is None or not task.files:
        return Response("没有可下载的文件", 404, media_type="text/plain; charset=utf-8")
    missing = [f.name for f in task.files if not f.is_file()]
    if missing:
        return Response(f"文件已被移走：{'、'.join(missing)}", 410, media_type="text/plain; charset=utf-8")
    if len(task.files) == 1:
        return FileResponse(task.files[0], filename=task.files[0].name)
    name = f"{task.title}-{dt.datetime.now():%Y%m%d-%H%M}.zip"
    return Response(zip_bytes(task.files, task.root), media_type="application/zip",
                    headers={"content-disposition": _attachment(name)})


def _attachment(name: str, plain: str = "download.zip") -> str:
    from urllib.parse import quote
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"


# ------------------------------------------------------------------ the application
def create_app(book: Path, token: str, port: int) -> Guard:
    """The page for ``book``: the Starlette application behind the guard of this port and token."""
    app = Starlette(routes=[
        Route("/", overview_page), Route("/people", people_page), Route("/check", check_page),
        Route("/collect", collect_page), Route("/generate", generate_page),
        Route("/api/check", api_check), Route("/api/report", api_report),
        Route("/api/collect", api_collect, methods=["POST"]),
        Route("/api/run/{kind}", api_run, methods=["POST"]), Route("/api/tasks/{task}", api_task),
        Route("/download/{task}", download_task), Route("/receipt/{name}", download_receipt),
        Route("/reminders", download_reminder),  # reads what a task wrote: no GET writes anything
        Mount("/static", StaticFiles(directory=WEB / "static"), name="static"),
    ])
    app.state.office = Office(book, token)
    return Guard(app, token, allowed_hosts(port))


def listening_socket(wanted: int | None) -> socket.socket:
    """A socket listening on 127.0.0.1: port ``wanted`` (InputError when taken), else the first free one
    from DEFAULT_PORT. Bound before the address is printed, so the address works as soon as it is seen."""
    for port in ([wanted] if wanted else range(DEFAULT_PORT, DEFAULT_PORT + 20)):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen(128)
            return sock
        except OSError:
            sock.close()
    raise InputError(f"端口 {wanted} 已被占用，请换一个（--port）" if wanted else
                     f"端口 {DEFAULT_PORT}–{DEFAULT_PORT + 19} 都被占用，请用 --port 指定一个")


def serve(book: Path, port: int | None = None, open_browser: bool = True) -> None:
    """Run the page until Ctrl+C; the address (with the token) is the first line of stdout."""
    import uvicorn
    book = Path(book)
    from zoufang.reading.reader import read_campaign
    read_campaign(book)  # an unusable master is refused here, with its reason, before any page
    sock = listening_socket(port)
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(24)
    url = f"http://127.0.0.1:{port}/?token={token}"
    print(url, flush=True)
    print(f"大走访台账页面已启动：{book.resolve()}。请在浏览器中打开上面的地址；按 Ctrl+C 停止。", file=sys.stderr, flush=True)
    opener = None
    if open_browser:
        import webbrowser
        opener = redirect_file(url)  # the browser's command line (seen by every local user) never holds the token
        threading.Timer(0.8, webbrowser.open, args=(opener.as_uri(),)).start()
    app = create_app(book, token, port)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn raises the Ctrl+C again once it has shut down: that is the way out
        pass
    running = app.app.state.office.tasks.running()
    if running:
        print(f"等待正在进行的工作完成：{'、'.join(t.title for t in running)}……", file=sys.stderr, flush=True)
        app.app.state.office.tasks.join()
    if opener is not None:
        shutil.rmtree(opener.parent, ignore_errors=True)
    print("页面服务已停止。", file=sys.stderr, flush=True)


def redirect_file(url: str) -> Path:
    """A page that sends the browser on to ``url``, in a new private folder (readable by this account only), so that
    the token travels in a file and not on a command line (as Jupyter opens its browser)."""
    import html
    import tempfile

    from zoufang.files.safe_io import owner_only
    folder = Path(tempfile.mkdtemp(prefix="zoufang-open-"))  # 0700 on POSIX
    owner_only(folder)
    page = folder / "打开大走访台账页面.html"
    fd = os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                 f'<meta http-equiv="refresh" content="0;url={html.escape(url)}"><title>大走访台账</title></head>'
                 f'<body><p>正在打开大走访台账页面……如果没有自动打开，请点 <a href="{html.escape(url)}">这里</a>。</p>'
                 f'</body></html>')
    owner_only(page)
    return page
