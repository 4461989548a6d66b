#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
"""Times a `candor review` page in headless Chromium: milliseconds from navigation start
until the page is interactive (its script sets body[data-ready]), and the slowest of a
component filter and a file filter in the biggest component's drill-down (measured in
the page around the synchronous filter and render).

usage: review_browser.py PAGE.html   prints: ready_ms component_filter_ms file_filter_ms files
"""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

FILTER = """
const [id, value] = arguments;
const input = document.getElementById(id);
const started = performance.now();
input.value = value;
input.dispatchEvent(new Event('input'));
return performance.now() - started;
"""


def main(page):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1100"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get("file://" + os.path.abspath(page))
        WebDriverWait(driver, 120).until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))
        ready = float(driver.execute_script("return document.body.dataset.readyMs"))
        component_filter = driver.execute_script(FILTER, "filter-text", "linux")
        driver.execute_script(FILTER, "filter-text", "")
        # The biggest component's files.
        driver.execute_script("""
            const rows = [...document.querySelectorAll('#components-table .vt-row')];
            document.querySelector('#components-table .vt-head [data-column="files"]').click();
            document.querySelector('#components-table .vt-head [data-column="files"]').click();
            document.querySelector('#components-table .vt-row').click();""")
        files = int(driver.execute_script("return document.getElementById('files-table').dataset.count"))
        file_filter = max(driver.execute_script(FILTER, "file-filter", "drivers/net"),
                          driver.execute_script(FILTER, "file-filter", "gpl-2.0"))
        print(f"{ready:.0f} {component_filter:.1f} {file_filter:.1f} {files}")
    finally:
        driver.quit()


if __name__ == "__main__":
    main(sys.argv[1])
