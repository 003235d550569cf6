"""What clerks type becomes typed values: every accepted form, and nothing else."""
import datetime as dt

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from zoufang.reading import normalize as nz

cells = st.one_of(
    st.none(), st.booleans(), st.sampled_from([0, 1, 0.0, 1.0, 40791.0, -3.5]),
    st.integers(-5, 50000), st.floats(allow_nan=True), st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)),
    st.sampled_from(["是", "否", "Y", "n", "√", "×", "TRUE", "0", "1", "2011-9-5", "  张 三 ", "Ｐ０１", ""]),
    st.text(max_size=6),
)


@given(st.lists(cells, max_size=40))
def test_mapping_by_distinct_value_equals_mapping_every_cell(values):
    raw = pd.Series(values, dtype=object)
    for fn in (nz.clean_text, nz.parse_yesno, nz.parse_number, nz.parse_date):
        fast = nz.by_unique(raw, fn).tolist()
        slow = [fn(v) for v in values]
        assert [repr(x) for x in fast] == [repr(x) for x in slow], fn.__name__


def test_dates_in_every_form_and_impossible_dates():
    raw = pd.Series([dt.date(2011, 9, 5), dt.datetime(2011, 9, 5, 13, 30), 40791, 40791.75, "40791",
                     "2011-9-5", "2011/09/05", "2011.9.5", "2011年9月5日", "20110905", "2011-09-05 00:00:00",
                     "２０１１年９月５日", "2011-2-30", "10月8号", "", None, True], dtype=object)
    parsed = nz.date_series(raw)
    assert (parsed.iloc[:12] == pd.Timestamp("2011-09-05")).all()
    assert parsed.iloc[12:].isna().all()


def test_targets_as_numbers_or_percentages():
    assert nz.target_series(pd.Series(["30%", 0.3, "４０", "1,000", "三十"], dtype=object)).tolist()[:4] == [
        0.3, 0.3, 40.0, 1000.0]


def test_household_key_folds_spaces_and_punctuation():
    heads = pd.Series(["张三", "张 三", "张三"], dtype=object)
    addresses = pd.Series(["庞庄村1组12号", "庞庄村 1组 12号", "庞庄村2组12号"], dtype=object)
    keys = nz.household_key(heads, addresses)
    assert keys[0] == keys[1] != keys[2]


def test_serial_numbers_past_what_pandas_can_hold_are_not_dates():
    assert nz.parse_date(106752.0) == pd.Timestamp("2192-04-09")  # past pd.Timedelta's range, still a date
    assert pd.isna(nz.parse_date(nz.SERIAL_MAX + 1)) and pd.isna(nz.parse_date(2958465))
    assert nz.parse_date(40791) == pd.Timestamp("2011-09-05")


def test_addresses_fold_the_same_one_by_one_or_all_at_once():
    from zoufang.reading.normalize import clean_text, fold_clean_address, fold_clean_addresses
    addresses = ["清河路1-23号", "清河路 12 — 3 号", "--x--", "", "庞庄村1组3号", "Ａ路（东）#2", "a_b~c～d", "x\u3000y"]
    cleaned = [clean_text(a) for a in addresses]
    assert fold_clean_addresses(cleaned) == [fold_clean_address(a) for a in cleaned]
    assert fold_clean_addresses(cleaned)[:2] == ["清河路1-23", "清河路12-3"]  # two homes, not one


def test_text_cleans_the_same_one_by_one_or_all_at_once():
    """clean_texts normalizes the column's strings in one NFKC pass; every value comes out as clean_text gives it."""
    import datetime as dt

    from zoufang.reading.normalize import clean_text, clean_texts
    values = ["  ＡＢＣ１２３ ", "清河路１－２３号（5）", "", "x\u3000", 3.0, None, float("nan"), True,
              dt.date(2011, 9, 5), "e\u0301", "ﬁ", "① ", "a\uffffb", "\u3000全角空格\u3000"]
    assert clean_texts(values) == [clean_text(v) for v in values]
    assert clean_texts([v for v in values if isinstance(v, str) and "\uffff" not in v]) == [
        clean_text(v) for v in values if isinstance(v, str) and "\uffff" not in v]


@given(st.lists(st.sampled_from(
    list("（）１２３ＡＢｃ　 －—～·。，、ｶﾞ㈱①½ﬁé清河路号ｱｲｳ～！\uffff\u0301\u030a") + ["e\u0301", "A\u030a"]),
    max_size=16).map("".join))
def test_full_width_text_is_normalized_exactly_as_nfkc(text):
    """The fast path (full-width ASCII replaced first) gives what unicodedata's NFKC gives, composition included."""
    import unicodedata
    assert nz.nfkc(text) == unicodedata.normalize("NFKC", text)


def test_the_blanks_taken_out_of_addresses_are_every_character_python_calls_blank():
    import re
    import sys
    blanks = {chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace()}
    assert set(nz.BLANKS) == blanks == {chr(i) for i in range(sys.maxunicode + 1) if re.match(r"\s", chr(i))}


@given(st.lists(st.sampled_from(list("清河路1号23-－—–‐‑_~～ \t\u3000\xa0\u2003,，。.、·()（）#aBÇİ")), max_size=24)
       .map("".join))
def test_an_address_folds_as_blanks_and_punctuation_dropped_then_each_run_of_dashes_one_dash(text):
    """The fold is written as a replace per character kind (fast on 100,000 addresses joined); the rule it keeps:
    blanks and punctuation out, then each run of dashes (even one that had blanks inside) a single "-", lower case,
    no dash at either end — what the self-checking workbook's formula (formula_text.folded_address) computes."""
    import re
    expected = re.sub(r"[-－—–‐‑_~～]+", "-", re.sub(r"[\s,，。.、·()（）#号]", "", text)).lower().strip("-")
    assert nz.fold_clean_address(text) == expected
    assert nz.fold_clean_addresses([text, text + "1"]) == [expected, nz.fold_clean_address(text + "1")]
