"""The contract lives in one module: no sheet name or header label is spelled anywhere else."""
import re
from pathlib import Path

import zoufang
from zoufang.contract import schema

SRC = Path(zoufang.__file__).parent  # the whole package, every subpackage


def test_every_sheet_has_unique_keys_and_labels():
    for sheet in schema.ALL_SHEETS:
        assert len(set(sheet.keys)) == len(sheet.keys), sheet.name
        assert len(set(sheet.labels)) == len(sheet.labels), sheet.name
    assert len({s.name for s in schema.ALL_SHEETS}) == len(schema.ALL_SHEETS)


def test_enumerated_columns_have_choices_and_others_do_not():
    for sheet in schema.ALL_SHEETS:
        for col in sheet.columns:
            assert bool(col.choices) == (col.kind is schema.Kind.ENUM), (sheet.name, col.label)


def test_contract_matches_workbook_md_headers():
    assert schema.VISITS.labels == ["记录编号", "走访日期", "走访人", "人员编号", "走访对象", "对象类别", "地址",
                                    "走访形式", "反映问题", "问题编号", "备注"]
    assert schema.PROBLEMS.labels[-2:] == ["发现人", "督办意见"]
    assert schema.PROBLEMS.col("supervision").owner is schema.Owner.OFFICE
    assert [c.label for c in schema.PEOPLE.columns] == ["人员编号", "姓名", "单位名称", "职务", "人员类别",
                                                        "是否局负责人", "是否普法讲师团成员"]
    assert len(schema.DEFAULT_QUOTAS) == 20  # the seed's 19, and 问政题目 for each 二级单位 beside the bureau's
    topics = [(q.subject, q.target) for q in schema.DEFAULT_QUOTAS if q.metric == schema.METRIC_TOPICS]
    assert topics == [(schema.SCOPE_BUREAU, 2), (schema.SCOPE_UNIT, 2)]


def test_no_sheet_name_or_header_is_spelled_outside_the_schema():
    labels = {s.name for s in schema.ALL_SHEETS} | {c.label for s in schema.ALL_SHEETS for c in s.columns}
    labels |= {schema.FINDINGS_SHEET, schema.PERSON_REPORT_SHEET, schema.UNIT_REPORT_SHEET,
               schema.COLLECTIVE_SHEET, schema.SUPERVISION_SHEET, schema.IMPORT_LOG_SHEET, schema.MEASURES_SHEET,
               schema.UNPAIRED_SHEET}
    offenders = []
    for path in SRC.rglob("*.py"):
        if path == Path(schema.__file__):
            continue
        text = path.read_text(encoding="utf-8")
        for label in labels:
            if re.search(r"[\"']" + re.escape(label) + r"[\"']", text):
                offenders.append((path.relative_to(SRC).as_posix(), label))
    assert offenders == []
