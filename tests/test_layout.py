"""The package reads like the product: one folder per capability, imports flow one way only.

A module may import its own folder and the folders below it, never one beside or above it; only
``excel/`` (and the composition root above it) may import xlwings. Every import is counted, the
lazy ones inside functions too.
"""
import ast
from pathlib import Path

import pytest

import zoufang

SRC = Path(zoufang.__file__).parent
LAYERS = {  # folder: rank; a folder imports only folders of lower rank (and itself)
    "contract": 0,
    "files": 1,
    "xlsx": 2, "reading": 2,
    "checks": 3, "progress": 3, "demo": 3, "audit": 3,
    "ledgers": 4, "documents": 4, "exchange": 4,
    "excel": 5, "web": 5,
    "": 6,  # the composition root: cli.py (its Chinese frame cli_frame.py), jobs.py, serve.py (the page's routes),
            # __main__.py, and the old names of the bound layer
}
OLD_NAMES = {"zoufang.binding": "zoufang.excel.binding", "zoufang.lite": "zoufang.excel.lite"}


def folder_of(module: str) -> str:
    """``zoufang.reading.reader`` and ``zoufang.reading`` → ``reading``; ``zoufang.cli``, ``zoufang`` → the root ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else ""


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        name = ".".join(("zoufang", *rel.parts))
        found[name.removesuffix(".__init__")] = path
    return found


def imports_of(path: Path, module: str) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function, resolved to absolute names."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES}
    return out


MODULES = modules()


def test_every_module_lives_in_a_capability_folder_or_is_the_composition_root():
    root = {m for m in MODULES if folder_of(m) == "" and m != "zoufang"}
    assert root == {"zoufang.cli", "zoufang.cli_frame", "zoufang.jobs", "zoufang.serve", "zoufang.__main__", *OLD_NAMES}
    assert {folder_of(m) for m in MODULES} == set(LAYERS)


@pytest.mark.parametrize("folder", [f for f in LAYERS if f])
def test_each_folder_says_what_it_holds_and_what_it_may_import_and_imports_nothing_itself(folder):
    init = SRC / folder / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc and len(doc.splitlines()) == 2 and "import" in doc.lower(), folder
    assert len(tree.body) == 1  # no re-exports: importing one module must not import its neighbours


def test_imports_flow_from_the_contract_up_to_the_command_line_never_back():
    wrong = []
    for module, path in MODULES.items():
        mine = folder_of(module)
        for target in imports_of(path, module):
            if not target.startswith("zoufang.") or target == "zoufang":
                continue
            theirs = folder_of(target)
            if theirs != mine and LAYERS[theirs] >= LAYERS[mine]:
                wrong.append(f"{module} → {target}")
    assert wrong == []


def test_only_the_bound_layer_imports_xlwings():
    importers = {m for m, p in MODULES.items() if any(t.split(".")[0] == "xlwings" for t in imports_of(p, m))}
    assert importers and all(folder_of(m) in ("excel", "") for m in importers), importers
    assert not {m for m in importers if folder_of(m) == ""}  # the command line reaches xlwings only through excel/


def test_the_checker_sees_a_wrong_import(tmp_path):
    """The rule is not vacuous: a reader importing the ledgers, or a quota module importing xlwings, is caught."""
    bad = tmp_path / "reader.py"
    bad.write_text("def f():\n    from zoufang.ledgers.books import write_ledgers\n    import xlwings\n", encoding="utf-8")
    found = imports_of(bad, "zoufang.reading.reader")
    assert "zoufang.ledgers.books" in found and "xlwings" in found
    assert LAYERS[folder_of("zoufang.ledgers.books")] > LAYERS[folder_of("zoufang.reading.reader")]


def test_macro_workbooks_already_in_offices_still_find_their_buttons():
    """An office's master saved before the move runs ``import zoufang.binding as b; b.button_validate()``."""
    import importlib

    for old, new in OLD_NAMES.items():
        assert importlib.import_module(old) is importlib.import_module(new)
    namespace: dict = {}
    exec("import zoufang.binding as b", namespace)
    assert callable(namespace["b"].button_validate) and callable(namespace["b"].button_collect)


SCREEN = 60  # lines: a function is read whole, without scrolling


def test_every_function_fits_on_a_screen():
    import ast
    long = []
    for path in sorted(Path(__file__).parents[1].joinpath("src", "zoufang").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > SCREEN:
                long.append(f"{path.name}:{node.name} {node.end_lineno - node.lineno + 1} lines")
    assert long == []
