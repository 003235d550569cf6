"""Macro workbooks already in offices call ``RunPython "import zoufang.binding as b; ..."``: this name is
the bound layer itself (``zoufang.excel.binding``), so their buttons keep working after an upgrade."""
import sys

from zoufang.excel import binding as _binding

sys.modules[__name__] = _binding
