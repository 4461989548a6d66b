#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: 2026 The Candor Authors
"""Opens a `candor review` page from file:// in headless Chromium (Debian's chromium and
chromium-driver, driven by selenium) and checks what a reviewer would do: read the counts,
filter by a license and see the table shrink, open a drill-down, read the changes section.
It fails on any console error or on script injected through the SBOM.

usage: browser_test.py PAGE.html SCREENSHOT_DIR EXPECTED.json
EXPECTED holds the numbers the page must show (see ReviewBrowserTests.swift).
Prints one closing line: `browser test: PASS ...` (exit 0) or `browser test: FAIL: ...` (exit 1).
"""
import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def browser():
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1100", "--allow-file-access-from-files"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)


def count(driver, table):
    return int(driver.find_element(By.ID, table).get_attribute("data-count"))


def run(page, screens, expected):
    driver = browser()
    checks = 0
    try:
        driver.get("file://" + os.path.abspath(page))
        WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))
        driver.save_screenshot(os.path.join(screens, "1-summary.png"))

        for element, value in expected["counts"].items():
            text = driver.find_element(By.ID, element).text
            check(text == str(value), f"#{element} shows {text!r}, expected {value}")
            checks += 1

        total = count(driver, "components-table")
        check(total == expected["counts"]["count-components"], f"component table has {total} rows")
        Select(driver.find_element(By.ID, "filter-license")).select_by_value(expected["license"])
        shrunk = count(driver, "components-table")
        rows = driver.find_elements(By.CSS_SELECTOR, "#components-table .vt-row")
        check(shrunk == expected["licenseRows"] and shrunk < total,
              f"filter {expected['license']}: {shrunk} rows of {total}, expected {expected['licenseRows']}")
        check(len(rows) == shrunk, f"{len(rows)} rows rendered, {shrunk} expected")
        shown = driver.find_element(By.ID, "components-shown").text
        check(shown == f"{shrunk} of {total} components", f"#components-shown says {shown!r}")
        checks += 3
        driver.save_screenshot(os.path.join(screens, "2-filtered.png"))

        # Sorting by name reverses on a second click.
        header = driver.find_element(By.CSS_SELECTOR, "#components-table .vt-head [data-column='name']")
        header.click()
        first = driver.find_element(By.CSS_SELECTOR, "#components-table .vt-row .vt-cell").text
        header.click()
        last = driver.find_element(By.CSS_SELECTOR, "#components-table .vt-row .vt-cell").text
        check(first <= last and (shrunk < 2 or first != last), f"sorting by name: {first!r} then {last!r}")
        checks += 1

        # Drill-down into the component named in EXPECTED.
        Select(driver.find_element(By.ID, "filter-license")).select_by_value("")
        search = driver.find_element(By.ID, "filter-text")
        search.send_keys(expected["drill"])
        target = [r for r in driver.find_elements(By.CSS_SELECTOR, "#components-table .vt-row")
                  if r.find_element(By.CSS_SELECTOR, ".vt-cell").text == expected["drill"]]
        check(len(target) == 1, f"component {expected['drill']!r} not found in the table")
        target[0].click()
        check(driver.find_element(By.ID, "drilldown").is_displayed(), "drill-down did not open")
        files = count(driver, "files-table")
        check(files == expected["drillFiles"], f"drill-down lists {files} files, expected {expected['drillFiles']}")
        driver.find_element(By.CSS_SELECTOR, "#files-table .vt-row").click()
        detail = driver.find_element(By.ID, "file-detail").text
        check(expected["drillFile"] in detail and expected["drillCopyright"] in detail,
              f"file detail shows {detail!r}")
        checks += 3
        driver.save_screenshot(os.path.join(screens, "3-drilldown.png"))

        # Licenses and findings.
        licenses = driver.find_elements(By.CSS_SELECTOR, "#licenses-body tr")
        check(len(licenses) == expected["licenses"], f"{len(licenses)} licenses listed, expected {expected['licenses']}")
        findings = driver.find_elements(By.CSS_SELECTOR, "#findings-list > li details")
        check(len(findings) == expected["findings"], f"{len(findings)} findings listed")
        findings[0].click()
        steps = findings[0].find_elements(By.CSS_SELECTOR, "ol li")
        check(len(steps) == expected["firstFindingSteps"], f"first finding shows {len(steps)} evidence steps")
        checks += 3

        # Changes against the previous release.
        changes = driver.find_element(By.ID, "changes")
        check(changes.is_displayed(), "changes section hidden")
        for kind, value in expected["changes"].items():
            text = driver.find_element(By.CSS_SELECTOR, f"#changes-counts li[data-kind='{kind}'] strong").text
            check(text == str(value), f"changes: {kind} shows {text}, expected {value}")
            checks += 1
        check(len(driver.find_elements(By.CSS_SELECTOR, "#history-chart svg rect")) > 0, "no chart across releases")
        driver.execute_script("document.getElementById('changes').scrollIntoView()")
        driver.save_screenshot(os.path.join(screens, "4-changes.png"))

        # Hostile SBOM text is shown as text and never runs.
        check(driver.execute_script("return window.__pwned === undefined"), "script injected through the SBOM ran")
        search.clear()
        search.send_keys(expected["hostile"][:12])
        cells = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#components-table .vt-row .vt-cell")]
        check(expected["hostile"] in cells, f"hostile name not shown verbatim: {cells[:3]}")
        checks += 2

        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        check(not errors, f"console errors: {errors}")
        checks += 1
        return checks
    finally:
        driver.quit()


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    page, screens, expected_path = sys.argv[1:]
    os.makedirs(screens, exist_ok=True)
    with open(expected_path, encoding="utf-8") as handle:
        expected = json.load(handle)
    try:
        checks = run(page, screens, expected)
    except Exception as error:  # any failure, selenium's included, fails the run with one line
        print(f"browser test: FAIL: {type(error).__name__}: {error}".splitlines()[0])
        return 1
    print(f"browser test: PASS ({checks} checks; screenshots in {screens})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
