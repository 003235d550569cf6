"""Shared fixtures: real workbook files written to disk and read back."""
from __future__ import annotations

import os

import pytest

from zoufang.book_writer import write_book
from zoufang.demo import build_demo
from zoufang.libreoffice import find_soffice

REQUIRE_LO = os.environ.get("ZOUFANG_REQUIRE_LIBREOFFICE") == "1"


@pytest.fixture
def needs_libreoffice():
    """Skip where LibreOffice is absent (a user's machine); CI sets ZOUFANG_REQUIRE_LIBREOFFICE=1 to fail instead."""
    if find_soffice():
        return
    if REQUIRE_LO:
        pytest.fail("ZOUFANG_REQUIRE_LIBREOFFICE=1 but soffice is not installed")
    pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui fonts-noto-cjk")


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo campaign with its planted mistakes, written to a real .xlsx."""
    d = build_demo(seed=2011)
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    write_book(path, d.content)
    return d, path


@pytest.fixture(scope="session")
def clean_demo(tmp_path_factory):
    d = build_demo(seed=2011, clean=True)
    path = tmp_path_factory.mktemp("clean") / "clean.xlsx"
    write_book(path, d.content)
    return d, path
