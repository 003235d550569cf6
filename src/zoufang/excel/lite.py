"""xlwings Lite / xlwings Server scripts: for a unit without a local Python.

Paste into xlwings Lite's main.py (or import it there): ``from zoufang.excel.lite import *``.
Under Pyodide the core runs from values sent by Excel, so 校验数据 and 统计完成情况 work;
the file-writing buttons (台账, 下发, 回收) need the office's local Python.
A shape on 首页 named btnValidate / btnRefresh with a hyperlink to its own cell becomes the button.
"""
from __future__ import annotations

import xlwings as xw
from xlwings import script

from zoufang.excel.binding import refresh_completion, validate_book


@script(button="[btnValidate]首页!D2")
def validate(book: xw.Book):
    """校验数据"""
    validate_book(book)


@script(button="[btnRefresh]首页!D5")
def refresh(book: xw.Book):
    """统计完成情况"""
    refresh_completion(book)
