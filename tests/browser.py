"""Debian's chromium, driven by Selenium through Debian's chromedriver: no browser is downloaded."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def have_chromium() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def chromium(downloads: Path, profile: Path, width: int = 1366, height: int = 900, lang: str = "zh-CN"):
    """A headless chromium whose downloads land in ``downloads``, with a fresh profile, set to ``lang``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--window-size={width},{height}", f"--user-data-dir={profile}",
                 f"--lang={lang}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": lang,
                                              "download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "safebrowsing.enabled": False})
    service = Service(CHROMEDRIVER, env={**os.environ, "SE_MANAGER_PATH": ""})
    return webdriver.Chrome(options=options, service=service)
