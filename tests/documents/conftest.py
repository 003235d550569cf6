"""The clerk's material starts from the clean demo master, copied where a test may change it."""
import shutil

import pytest


@pytest.fixture
def demo_book(clean_demo, tmp_path):
    _, path = clean_demo
    book = tmp_path / path.name
    shutil.copy(path, book)
    return book
