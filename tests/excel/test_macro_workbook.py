"""The shipped macro workbook: current, its VBA intact, every button bound to a macro that exists."""
import re
import zipfile
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser

from zoufang.excel.macro_workbook import BUTTONS, MACRO_MODULE, WORKBOOK_NAME, build_workbook
from zoufang.excel.vba_build import xlwings_sources

ROOT = Path(__file__).parents[2]
SHIPPED = ROOT / "workbook" / WORKBOOK_NAME
MACROS = ROOT / "macros"


def modules(path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code.replace("\r\n", "\n") for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def subs(source: str) -> set[str]:
    return set(re.findall(r"^Sub (\w+)\(", source, flags=re.M))


def test_the_shipped_workbook_is_what_build_workbook_makes(tmp_path):
    built = build_workbook(tmp_path / WORKBOOK_NAME, MACROS)
    assert built.read_bytes() == SHIPPED.read_bytes(), "run `zoufang build-workbook` and commit workbook/"


def test_vba_round_trips_through_olevba_exactly():
    found = modules(SHIPPED)
    assert found[MACRO_MODULE] == (MACROS / "zoufang.bas").read_text(encoding="utf-8")
    xlw = xlwings_sources()
    assert found["xlwings"] == xlw["xlwings"].replace("\r\n", "\n")
    assert found["Dictionary"] == xlw["Dictionary"].replace("\r\n", "\n")
    assert {"ThisWorkbook", "Sheet1"} <= set(found)
    assert len(xlw["xlwings"]) > 40_000  # far over the 1 KB at which the unpatched compressor breaks


def test_every_button_and_ribbon_action_names_a_macro_that_exists():
    defined = subs((MACROS / "zoufang.bas").read_text(encoding="utf-8"))
    with zipfile.ZipFile(SHIPPED) as z:
        vml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".vml"))
        ribbon = z.read("customUI/customUI14.xml").decode("utf-8")
        rels = z.read("_rels/.rels").decode("utf-8")
    macros = re.findall(r"<x:FmlaMacro>\[?0?\]?!?([\w.]+)</x:FmlaMacro>", vml)
    assert sorted(macros) == sorted(f"{MACRO_MODULE}.{sub}" for _, sub in BUTTONS)
    assert all(m.split(".")[1] in defined for m in macros)
    actions = re.findall(r'onAction="(\w+)"', ribbon)
    assert len(actions) == len(BUTTONS) and set(actions) <= defined
    assert 'label="走访台账"' in ribbon and "ui/extensibility" in rels
    for caption, _ in BUTTONS:
        assert caption in vml and caption in ribbon


def test_libreoffice_opens_it_and_lists_the_modules_and_the_buttons(tmp_path, needs_libreoffice):
    from zoufang.files.libreoffice import convert
    ods = convert(SHIPPED, "ods", tmp_path)
    with zipfile.ZipFile(ods) as z:
        basic = {n.split("/")[-1][:-4] for n in z.namelist() if n.startswith("Basic/VBAProject/")}
        content = z.read("content.xml").decode("utf-8")
    assert {MACRO_MODULE, "xlwings", "Dictionary", "ThisWorkbook"} <= basic
    labels = re.findall(r'<form:button [^>]*form:label="([^"]+)"', content)
    assert labels == [caption for caption, _ in BUTTONS]
    bound = re.findall(r"vnd\.sun\.star\.script:VBAProject\.(\w+)\.(\w+)\?", content)
    defined = subs((MACROS / "zoufang.bas").read_text(encoding="utf-8"))
    assert len(bound) == len(BUTTONS) and all(m == MACRO_MODULE and s in defined for m, s in bound)


@pytest.mark.parametrize("size", [100, 1500, 4096, 70_000])
def test_the_patched_compressor_round_trips_through_an_independent_decompressor(size):
    from ms_ovba_compression.ms_ovba import MsOvba
    from oletools.olevba import decompress_stream

    import zoufang.excel.vba_build  # noqa: F401 - applies the patch
    text = ("Sub A()\r\n    x = \"" + "abcdefghij" * 7 + "\"\r\nEnd Sub\r\n") * (size // 90 + 1)
    data = text.encode("ascii")[:size]
    assert decompress_stream(bytearray(MsOvba().compress(data))) == data


def test_buttons_reuse_a_warm_python_through_xlwings_com_server():
    """The shipped workbook asks xlwings' VBA for its COM server (USE UDF SERVER), which the bundled
    standalone module reads from the hidden xlwings.conf sheet: one interpreter for every click."""
    import openpyxl

    from zoufang.excel.vba_build import xlwings_sources
    wb = openpyxl.load_workbook(SHIPPED, keep_vba=True)
    conf = wb["xlwings.conf"]
    assert conf.sheet_state == "hidden"
    assert (conf["A1"].value, conf["B1"].value) == ("USE UDF SERVER", True)
    vba = xlwings_sources()["xlwings"]
    assert 'GetConfig("USE UDF SERVER"' in vba and 'PROJECT_NAME & ".conf"' in vba
