"""The review site in a real browser: headless Debian Chromium driven by Playwright.

Opens the pages from disk (file://, no server), clicks an indicator and a
finding, checks what the page shows, and keeps screenshots in
tests/artifacts/ (git-ignored). Set GOVREPORT_UPDATE_DOCS_SCREENSHOT=1 to also
copy the review page's screenshot to docs/review-page.png for the README.

Never downloads a browser: it runs /usr/bin/chromium (Debian's `chromium`,
with `fonts-noto-cjk` for the Chinese text; CI installs both from
.ci/apt-packages.txt) and skips, saying why, where it is missing.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline.view import write_site

from conftest import program, requires

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
DOCS_SHOT = REPO / "docs" / "review-page.png"
CHROMIUM = Path(program("chromium") or "/usr/bin/chromium")  # GOVREPORT_CHROMIUM chooses another
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = requires("chromium", program("chromium") is not None)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright (Python package) is not installed: pip install playwright")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, seed_report) -> dict:
    """A site of the seed report, with one finding (ours, appended) pointing at two indicators and a sentence."""
    base = tmp_path_factory.mktemp("view")
    out = base / "out"
    out.mkdir()
    doc = copy.deepcopy(seed_report.to_dict())
    findings = list(doc.get("findings") or [])
    target = next(i for i, ind in enumerate(doc["indicators"]) if ind["unit_class"] == "percent")
    s, e = doc["indicators"][target]["sentence_span"]
    findings.append({"check": "review_example", "severity": "warning",
                     "message": "考试合格率100%：请核对参考人数（示例）",
                     "indicators": [0, target], "evidence": [{"span": [s, e]}]})
    doc["findings"] = findings
    (out / "nankai.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    other = copy.deepcopy(seed_report.to_dict())
    other["meta"] = dict(other["meta"], year=2024, agency="某县司法局", region={"name": "某县"})
    other["doc_id"] = "0" * 16
    (out / "other.json").write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    write_site(out, base / "site")
    return {"dir": base / "site", "doc": doc, "finding": len(findings) - 1, "target": target}


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    problems: list[str] = []
    requests: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    pg.on("request", lambda req: requests.append(req.url))
    pg.problems, pg.requests = problems, requests
    yield pg
    context.close()
    assert not problems, problems
    # offline: nothing but the page files themselves
    assert all(u.startswith(("file:", "data:", "about:")) for u in requests), requests


def shot(pg, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    pg.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def test_click_indicator_and_finding(page, site: dict) -> None:
    doc = site["doc"]
    page.goto((site["dir"] / "nankai.html").as_uri())
    assert "南开区" in page.title()

    # hover text is on the mark itself
    first = page.locator("#ind-0")
    ind = doc["indicators"][0]
    title = first.get_attribute("title")
    assert ind["indicator"] in title and ind["rule"] in title

    # click an indicator: its fields appear in the details panel
    first.click()
    detail = page.locator("#detail")
    text = detail.inner_text()
    for part in ("Indicator #0", ind["indicator"], f'{ind["value"]} {ind["unit"]}', ind["rule"], ind["modality"],
                 ind["text"]):
        assert part in text, (part, text)
    assert "focus" in first.get_attribute("class")
    assert "review_example" not in text or "Findings on it" in text
    shot(page, "review-page.png")
    if os.environ.get("GOVREPORT_UPDATE_DOCS_SCREENSHOT"):
        DOCS_SHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(ARTIFACTS / "review-page.png", DOCS_SHOT)

    # click a finding: its message in the panel, its indicators and evidence marked in the text
    k, target = site["finding"], site["target"]
    page.locator(f"#finding-{k} .message").click()
    text = detail.inner_text()
    assert "考试合格率100%：请核对参考人数（示例）" in text and "review_example" in text
    assert "focus" in page.locator(f"#ev-{k}-0").get_attribute("class")
    assert "focus" in page.locator(f"#ind-{target}").get_attribute("class")
    assert "focus" in page.locator("#ind-0").get_attribute("class")
    assert page.locator(f"#ev-{k}-0").is_visible()
    shot(page, "review-finding.png")

    # the indicator link inside the finding leads back to the indicator
    page.locator(f'#finding-{k} a[data-i="{target}"]').click()
    assert f"Indicator #{target}" in detail.inner_text()


def test_muted_numbers_and_outline(page, site: dict) -> None:
    page.goto((site["dir"] / "nankai.html").as_uri())
    muted = page.locator("#text .num-muted")
    assert muted.count() > 5
    assert "not extracted" in muted.first.get_attribute("title")
    grey = muted.first.evaluate("e => getComputedStyle(e).color")
    body = page.locator("#text").evaluate("e => getComputedStyle(e).color")
    assert grey != body
    page.locator("#toggle-muted").uncheck()
    assert muted.first.evaluate("e => getComputedStyle(e).color") == body

    # the outline jumps to a section heading
    sec = site["doc"]["sections"][-1]
    page.locator(f'.outline a[data-section="{sec["id"]}"]').click()
    assert page.evaluate("location.hash") == "#sec-" + sec["id"].replace(".", "-")
    top = page.evaluate("id => document.getElementById(id).getBoundingClientRect().top",
                        "sec-" + sec["id"].replace(".", "-"))
    assert 0 <= top < 900  # scrolled into view


def test_index_filters_and_sorts(page, site: dict) -> None:
    page.goto((site["dir"] / "index.html").as_uri())
    rows = page.locator("#reports tbody tr")
    assert rows.count() == 2
    page.fill("#filter", "某县")
    assert page.locator("#reports tbody tr:not([hidden])").count() == 1
    assert "1 shown" in page.locator("#shown").inner_text()
    page.fill("#filter", "")
    page.locator("#reports thead th", has_text="year").click()
    years = page.locator("#reports tbody tr td:nth-child(4)").all_inner_texts()
    assert years == sorted(years)
    page.locator("#reports thead th", has_text="year").click()
    assert page.locator("#reports tbody tr td:nth-child(4)").all_inner_texts() == sorted(years, reverse=True)
    shot(page, "index.png")
    page.locator("#reports tbody a", has_text="南开区").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("nankai.html")
