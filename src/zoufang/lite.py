"""xlwings Lite main.py files already written say ``from zoufang.lite import *``: this name is
``zoufang.excel.lite`` itself, so they keep working after an upgrade."""
import sys

from zoufang.excel import lite as _lite

sys.modules[__name__] = _lite
