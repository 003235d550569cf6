"""Building the macro workbook without Excel: VBA sources → vbaProject.bin → 大走访台账.xlsm.

This module is the one place that works around ms-ovba 0.0.1 (pinned, with
ms-ovba-compression 1.0.1 and ms-cfb 0.0.6):

1. Its compressor corrupts any module over about 1 KB: ``copytoken_help`` computes
   ``maxLength`` as ``0xFFFF << bitCount + 3`` where MS-OVBA 2.4.1.3.19.2 says
   ``(0xFFFF >> bitCount) + 3``. Patched below before anything is compressed.
2. It has no class-module type: a class module is written with MODULETYPE 0x0022
   (as document modules are) and ``Class=Name`` in the PROJECT stream, from
   source without the exported ``VERSION … END`` header.
3. It writes scratch files (module.bin, dir.bin, …) into the working directory:
   every build runs in its own temporary directory.
4. The PROJECT stream's CMG/DPB/GC values are encrypted with seeds from Python's
   ``random`` (ms-ovba-crypto): the build seeds it from the project id and restores
   the caller's random state, so the same sources give the same bytes.

The result is read back with oletools' olevba in the tests: every module's source
must come back exactly.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import tempfile
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path

import xlwings
from ms_ovba.Models.Entities.doc_module import DocModule
from ms_ovba.Models.Entities.reference import Reference
from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
from ms_ovba.Models.Entities.std_module import StdModule
from ms_ovba.Models.Fields.libid_reference import LibidReference
from ms_ovba.vbaProject import VbaProject
from ms_ovba.Views.project_ole_file import ProjectOleFile
from ms_ovba_compression.ms_ovba import MsOvba

PROJECT_ID = "{6F1C2A4E-5B7D-4C3A-9E21-2A11C0FFEE11}"  # fixed: the build is reproducible
WORKBOOK_GUID = uuid.UUID("0002081900000000C000000000000046")
SHEET_GUID = uuid.UUID("0002082000000000C000000000000046")


def _copytoken_help(difference: int) -> dict:
    bit_count = MsOvba.ceil_log2(difference)
    length_mask = 0xFFFF >> bit_count
    return {"lengthMask": length_mask, "offsetMask": ~length_mask & 0xFFFF, "bitCount": bit_count,
            "maxLength": (0xFFFF >> bit_count) + 3}


MsOvba.copytoken_help = staticmethod(_copytoken_help)  # workaround 1


class ClassModule(StdModule):
    """A VBA class module (workaround 2)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.type = "Class"

    def pack(self, endien: str, cp_name: str) -> bytes:
        self.type = "Document"  # MODULETYPE 0x0022 is shared by document and class modules
        try:
            return super().pack(endien, cp_name)
        finally:
            self.type = "Class"


@contextmanager
def _scratch_dir():
    """Run inside a fresh temporary directory (workaround 3)."""
    here = os.getcwd()
    tmp = tempfile.mkdtemp(prefix="zoufang-vba-")
    os.chdir(tmp)
    try:
        yield Path(tmp)
    finally:
        os.chdir(here)
        shutil.rmtree(tmp, ignore_errors=True)


def xlwings_sources() -> dict[str, str]:
    """The installed xlwings' standalone VBA: its module and the Dictionary class it uses."""
    from oletools.olevba import VBA_Parser
    folder = Path(xlwings.__file__).parent
    sources = {"xlwings": (folder / "xlwings.bas").read_text(encoding="utf-8")}
    parser = VBA_Parser(str(folder / "quickstart_standalone.xlsm"))
    try:
        for _, _, name, code in parser.extract_macros():
            if name == "Dictionary.cls":
                sources["Dictionary"] = code
    finally:
        parser.close()
    return sources


def strip_class_header(source: str) -> str:
    """An exported .cls without its VERSION … END block (the module stream starts at the attributes)."""
    return re.sub(r"\AVERSION [^\n]*\n(BEGIN\n.*?\nEND\n)?", "", source.replace("\r\n", "\n"), flags=re.S)


def compile_vba(std_modules: dict[str, str], class_modules: dict[str, str], sheet_names: list[str],
                target: Path) -> Path:
    """Write vbaProject.bin with ThisWorkbook, one document module per sheet, and the given modules."""
    with _scratch_dir() as tmp:
        project = VbaProject()
        project.project_id = PROJECT_ID
        doc = Path(tmp) / "doc"
        doc.mkdir()
        for name, guid in (("ThisWorkbook", WORKBOOK_GUID), *((n, SHEET_GUID) for n in sheet_names)):
            path = doc / f"{name}.cls"
            path.write_text("VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  'True\nEND\n"
                            f'Attribute VB_Name = "{name}"\nAttribute VB_GlobalNameSpace = False\n'
                            "Attribute VB_Creatable = False\nAttribute VB_PredeclaredId = True\n"
                            "Attribute VB_Exposed = True\n", encoding="ascii")
            module = DocModule(name)
            module.add_file(str(path))
            module.add_guid(guid)
            module.normalize_file()
            project.add_module(module)
        for kind, modules in ((StdModule, std_modules), (ClassModule, class_modules)):
            for name, source in modules.items():
                path = Path(tmp) / f"{name}.src"
                path.write_text(strip_class_header(source) if kind is ClassModule else source.replace("\r\n", "\n"),
                                encoding="utf-8")
                module = kind(name)
                module.add_file(str(path))
                module.normalize_file()
                project.add_module(module)
        for guid, version, path, description, name in (
            ("0002043000000000C000000000000046", "2.0", "C:\\Windows\\System32\\stdole2.tlb", "OLE Automation",
             "stdole"),
            ("2DF8D04C5BFA101BBDE500AA0044DE52", "2.0",
             r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL",
             "Microsoft Office 16.0 Object Library", "Office"),
        ):
            ref = ReferenceRegistered(LibidReference(uuid.UUID(guid), version, "0", path, description))
            project.add_reference(Reference(ref, name))
        state = random.getstate()
        random.seed(PROJECT_ID)  # workaround 4
        try:
            ProjectOleFile.write_file(project)
        finally:
            random.setstate(state)
        target = Path(target)
        shutil.copyfile(Path(tmp) / "vbaProject.bin", target)
    return target


RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"


def add_ribbon(xlsm: Path, ribbon_xml: str) -> None:
    """Add (or replace) customUI/customUI14.xml and its relationship in _rels/.rels of a workbook, in place."""
    xlsm = Path(xlsm)
    tmp = xlsm.with_suffix(".ribbon.tmp")
    with zipfile.ZipFile(xlsm) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "customUI/customUI14.xml":
                continue
            if item.filename == "_rels/.rels" and RIBBON_REL.encode() not in data:
                rel = (f'<Relationship Id="rIdZoufangRibbon" Type="{RIBBON_REL}" '
                       f'Target="customUI/customUI14.xml"/>').encode()
                data = data.replace(b"</Relationships>", rel + b"</Relationships>")
            dst.writestr(item, data)
        info = zipfile.ZipInfo("customUI/customUI14.xml", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        dst.writestr(info, ribbon_xml.encode("utf-8"))
    tmp.replace(xlsm)
