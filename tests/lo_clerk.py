"""A unit's clerk played by LibreOffice: open a workbook, edit it, save it as .xlsx, .ods or .xls.

Run with the system Python that has LibreOffice's UNO bridge (Debian: python3-uno):
    /usr/bin/python3 tests/lo_clerk.py JOB.json
JOB.json: [{"src": path, "dst": path, "edits": [edit, ...], "password": open with it (optional),
            "save_password": save the .xlsx encrypted with it (optional)}, ...] where an edit is one of
    {"op": "set", "sheet": s, "header": h, "row": r, "value": v}       (row: Excel row; v typed as a clerk types)
    {"op": "delete_row", "sheet": s, "row": r}
    {"op": "append", "sheet": s, "values": {header: value}}
    {"op": "append_rows", "sheet": s, "values": {header: value}, "count": n}   (n equal rows at once)
    {"op": "insert_row", "sheet": s, "row": r, "values": {header: value}}     (a new row pushed in at row r)
    {"op": "sort", "sheet": s, "header": h, "descending": bool}
    {"op": "rename_header", "sheet": s, "header": h, "to": text}
    {"op": "delete_column", "sheet": s, "header": h}
Values are entered with setFormula, as typed into a cell (so "2012-1-10" becomes a date, "=1+1" a formula);
{"text": v} enters v as literal text.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue

FILTERS = {".xlsx": "Calc MS Excel 2007 XML", ".ods": "calc8", ".xls": "MS Excel 97"}


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def named(name, value):
    from com.sun.star.beans import NamedValue
    v = NamedValue()
    v.Name, v.Value = name, value
    return v


def start_office(work):
    pipe = f"zoufang{os.getpid()}"
    soffice = os.environ.get("SOFFICE") or "soffice"
    proc = subprocess.Popen([soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--invisible",
                             "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                             f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, HOME=work))
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(200):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return proc, ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:
            time.sleep(0.25)
    proc.kill()
    raise SystemExit("LibreOffice did not start")


def header_col(sheet, header):
    for c in range(0, 200):
        if sheet.getCellByPosition(c, 0).getString() == header:
            return c
    raise KeyError(header)


def last_row(sheet):
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    return cursor.getRangeAddress().EndRow  # 0-based


def enter(cell, value):
    if isinstance(value, dict) and "text" in value:
        cell.setString(str(value["text"]))
    elif isinstance(value, (int, float)):
        cell.setValue(value)
    else:
        cell.setFormula(str(value))


def apply(doc, edit):
    sheet = doc.Sheets.getByName(edit["sheet"])
    op = edit["op"]
    if op == "set":
        enter(sheet.getCellByPosition(header_col(sheet, edit["header"]), edit["row"] - 1), edit["value"])
    elif op == "delete_row":
        sheet.getRows().removeByIndex(edit["row"] - 1, 1)
    elif op == "append":
        row = last_row(sheet) + 1
        for header, value in edit["values"].items():
            enter(sheet.getCellByPosition(header_col(sheet, header), row), value)
    elif op == "append_rows":
        row = last_row(sheet) + 1
        for header, value in edit["values"].items():
            col = header_col(sheet, header)
            block = sheet.getCellRangeByPosition(col, row, col, row + edit["count"] - 1)
            block.setFormulaArray(tuple((str(value),) for _ in range(edit["count"])))
    elif op == "insert_row":
        sheet.getRows().insertByIndex(edit["row"] - 1, 1)
        for header, value in edit["values"].items():
            enter(sheet.getCellByPosition(header_col(sheet, header), edit["row"] - 1), value)
    elif op == "sort":
        end = last_row(sheet)
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        last_col = cursor.getRangeAddress().EndColumn
        rng = sheet.getCellRangeByPosition(0, 1, last_col, end)
        field = uno.createUnoStruct("com.sun.star.table.TableSortField")
        field.Field = header_col(sheet, edit["header"])
        field.IsAscending = not edit.get("descending", False)
        rng.sort((prop("SortFields", uno.Any("[]com.sun.star.table.TableSortField", (field,))),
                  prop("ContainsHeader", False)))
    elif op == "rename_header":
        sheet.getCellByPosition(header_col(sheet, edit["header"]), 0).setString(edit["to"])
    elif op == "delete_column":
        sheet.getColumns().removeByIndex(header_col(sheet, edit["header"]), 1)
    else:
        raise SystemExit(f"unknown edit {op}")


def main(job_path):
    jobs = json.load(open(job_path, encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="lo-clerk-") as work:
        proc, desktop = start_office(work)
        try:
            for job in jobs:
                opening = [prop("Hidden", True)] + ([prop("Password", job["password"])] if job.get("password") else [])
                doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(job["src"])), "_blank", 0,
                                                   tuple(opening))
                if doc is None:
                    raise SystemExit(f"LibreOffice could not open {job['src']}")
                for edit in job["edits"]:
                    apply(doc, edit)
                dst = os.path.abspath(job["dst"])
                saving = [prop("FilterName", FILTERS[os.path.splitext(dst)[1].lower()])]
                if job.get("save_password"):  # an .xlsx saved encrypted (Standard scheme): only EncryptionData works
                    saving.append(prop("EncryptionData", uno.Any("[]com.sun.star.beans.NamedValue", (
                        named("CryptoType", "StrongEncryptionDataSpace"), named("OOXPassword", job["save_password"])))))
                if job.get("ods_password"):  # LibreOffice's own ODF encryption
                    saving.append(prop("Password", job["ods_password"]))
                uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(dst),
                                               uno.Any("[]com.sun.star.beans.PropertyValue", tuple(saving))))
                doc.close(True)
        finally:
            try:
                desktop.terminate()
            except Exception:
                pass
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main(sys.argv[1])
