"""Baselines as whole processes: what the commands do at the least, with the libraries they use, in a fresh
interpreter (so that its start and imports count, as they count for a command).

    python bench/baselines.py write CELLS.pickle MASTER OUT   # read the master, write the same styled cells
    python bench/baselines.py collect MASTER RETURN...          # read the returns and the master, save the master

``write`` is the floor of ``issue`` and ``ledgers``: python-calamine reads the master, XlsxWriter writes every stored
cell of the files the command made, with its format (the cells pickled beforehand by ``styled_cells``).
``collect`` is the floor of ``collect``: every return and the master read, the master loaded and saved by openpyxl.
"""
from __future__ import annotations

import pickle
import sys
import tempfile
from pathlib import Path


def read_all(path: Path) -> None:
    import python_calamine as calamine
    book = calamine.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


def write(cells: Path, master: Path, out: Path) -> None:
    read_all(master)
    out.mkdir(parents=True, exist_ok=True)
    write_books(pickle.loads(cells.read_bytes()), out)


def write_books(books: list[tuple[dict[str, list], list[dict]]], out: Path) -> None:
    """Each book's cells (``styled_cells``) written again by XlsxWriter as out/raw<i>.xlsx."""
    import xlsxwriter
    for i, (sheets, formats) in enumerate(books):
        wb = xlsxwriter.Workbook(str(out / f"raw{i}.xlsx"), {"in_memory": True})
        fmts = [wb.add_format(f) for f in formats]
        for name, items in sheets.items():
            ws = wb.add_worksheet(name)
            ws._prepare_formula = _as_stored  # formulas read back from a file are stored text already
            for r, c, value, f, cached in items:
                if isinstance(value, str) and value.startswith("="):
                    ws.write_formula(r, c, value, fmts[f], "" if cached is None else cached)
                else:
                    ws.write(r, c, value, fmts[f])
        wb.close()


def _as_stored(formula: str, expand_future_functions: bool = False) -> str:
    """XlsxWriter's formula preparation (pinned version) for a formula already as the file stores it: "=" off."""
    return formula[1:] if formula.startswith("=") else formula


def collect(master: Path, returns: list[Path]) -> None:
    import openpyxl
    files = [f for p in returns for f in (sorted(p.glob("*.xlsx")) if p.is_dir() else [p])]
    for f in files:
        read_all(f)
    read_all(master)
    with tempfile.TemporaryDirectory() as tmp:
        openpyxl.load_workbook(master).save(Path(tmp) / "master-copy.xlsx")


def styled_cells(files: list[Path]) -> list[tuple[dict[str, list], list[dict]]]:
    """Every stored cell of each file (styled blanks included) with its format: what ``write`` writes again."""
    import openpyxl

    from zoufang.ledgers.template_xlsx import _format_dict, _style_of
    out = []
    for f in files:
        book, cached = openpyxl.load_workbook(f), openpyxl.load_workbook(f, data_only=True)
        index: dict[tuple, int] = {}
        sheets = {ws.title: [(cell.row - 1, cell.column - 1, cell.value, index.setdefault(_style_of(cell), len(index)),
                              cached[ws.title].cell(cell.row, cell.column).value)
                             for row in ws.iter_rows() for cell in row if cell.value is not None or cell.has_style]
                  for ws in book.worksheets}
        out.append((sheets, [_format_dict(style) for style in index]))
    return out


if __name__ == "__main__":
    task, *args = sys.argv[1:]
    if task == "write":
        write(Path(args[0]), Path(args[1]), Path(args[2]))
    elif task == "collect":
        collect(Path(args[0]), [Path(a) for a in args[1:]])
    else:
        raise SystemExit(f"unknown task {task}")
