import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

# Tests never read or write the user's cache (~/.cache/govreport): a fresh
# cache folder per test session, inherited by the processes the tests start.
os.environ["GOVREPORT_CACHE_DIR"] = tempfile.mkdtemp(prefix="govreport-test-cache-")
atexit.register(shutil.rmtree, os.environ["GOVREPORT_CACHE_DIR"], True)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED = CORPUS / "nankai-gov-office-2025.txt"
# The sample archive written for the project: 4 districts x 3 years (corpus/README.md)
SAMPLE_DISTRICTS = ("heping", "hexi", "nankai", "lixia")
SAMPLE_YEARS = (2022, 2023, 2024)


# A short made-up report (not from any real one): title, headings, an
# enumeration of counts, a rate, and a plan.
SAMPLE_REPORT = (
    "某区司法局2025年度法治政府建设情况报告\n"
    "一、2025年推进法治政府建设的主要举措和成效\n"
    "（一）深化政务公开。2025年，区司法局处理信息公开申请60件、行政复议12件，出庭应诉3次。\n"
    "（二）加强学法用法。全年组织集中学法8次，法治培训考试合格率100%。\n"
    "二、存在的不足和原因\n"
    "部分工作人员法治意识有待提高。\n"
)
SAMPLE_PLAN = "三、2026年工作安排\n力争开展法治宣传活动20场。\n"


def assert_no_negatives(report, phrases, fold=lambda phrase: phrase):
    """No extracted number lies inside any occurrence of a negative phrase.

    Every phrase must occur in the text (else the check proves nothing);
    `fold` maps a phrase written as in the source to the normalised text."""
    text = report.text
    for phrase in phrases:
        phrase = fold(phrase) if fold(phrase) in text else phrase
        start = text.find(phrase)
        assert start >= 0, f"negative {phrase!r} not in the text: the test would prove nothing"
        while start >= 0:
            end = start + len(phrase)
            for ind in report.indicators:
                q0, q1 = ind.quantity_span
                assert not (q0 < end and start < q1), f"{phrase!r} gave {ind.indicator} {ind.value}{ind.unit}"
            start = text.find(phrase, end)


def write_reports(folder: Path, reports: dict[str, str | bytes], copies: tuple[Path, ...] = ()) -> Path:
    """A folder of input reports: <name>.txt per text (bytes as they are), plus copies of files."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in copies:
        shutil.copy(path, folder)
    for name, body in reports.items():
        target = folder / (name if "." in name else f"{name}.txt")
        if isinstance(body, bytes):
            target.write_bytes(body)
        else:
            target.write_text(body, encoding="utf-8")
    return folder


@functools.cache
def benchmark_module(name: str):
    """A script of benchmarks/ as a module (its generators of big inputs serve the tests too)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def edit_yaml(folder: Path, name: str, change) -> None:
    """Load folder/name, let `change` edit the data in place, write it back."""
    path = folder / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def rule_of(data: dict, ident: str) -> dict:
    """The rule of indicator `ident` in loaded indicators.yaml data."""
    return next(item for item in data["indicators"] if item["id"] == ident)


@pytest.fixture(scope="session")
def rules():
    from pipeline.rules import load_rules

    return load_rules()


@pytest.fixture(scope="session")
def seed_report(rules):
    from pipeline import extract

    return extract(SEED, rules)


@pytest.fixture(scope="session")
def sample_archive(tmp_path_factory):
    """The output folder of `govreport extract corpus/` (all 13 reports), made once per session.

    Tests must not write into it: copy it first."""
    from pipeline.batch import run_batch

    import os

    out = tmp_path_factory.mktemp("sample-archive") / "outputs"
    cwd = os.getcwd()
    os.chdir(ROOT)  # sources recorded as corpus/<file>, as `govreport extract corpus/` from a clone does
    try:
        result = run_batch(["corpus"], out, jobs=1, formats=("json", "csv", "parquet"))
    finally:
        os.chdir(cwd)
    assert not result.failed, result.failed
    return out


@pytest.fixture(scope="session", autouse=True)
def every_agency_is_a_name():
    """The agency of every report any test builds (in this process) obeys the agency
    grammar of rules/metadata.yaml: never a fragment (issue 14). Fails at the session's end."""
    import importlib

    from pipeline.metadata import agency_problem

    # the module, not the function pipeline.extract that shadows its name
    extract_module = importlib.import_module("pipeline.extract")

    built: list[tuple[str, object]] = []
    real = extract_module.build_report

    def recording(raw, rules):
        report = real(raw, rules)
        if report.meta.agency is not None:
            built.append((report.meta.agency, rules))
        return report

    extract_module.build_report = recording
    yield built
    extract_module.build_report = real
    bad = sorted({f"{agency}: {why}" for agency, rules in built
                  if (why := agency_problem(agency, rules.metadata))})
    assert not bad, bad


# --- optional system packages (.ci/apt-packages.txt) ---------------------------------------------
# The one place tests find fonts and programs. GOVREPORT_HIDE_SYSTEM=1 runs the suite as on a
# fresh machine with none of them: the lookups below find nothing, the library's own lookups
# (shutil.which, fontconfig, matplotlib's fonts) are made to find nothing too, and every test
# that needs one is skipped with the reason. .ci/run runs the suite once that way.

HIDE_SYSTEM = os.environ.get("GOVREPORT_HIDE_SYSTEM", "") not in ("", "0")

# what each optional thing is, for skip reasons: the Debian package that brings it
PACKAGES = {
    "tesseract": "tesseract-ocr tesseract-ocr-chi-sim",
    "soffice": "libreoffice-writer",
    "chromium": "chromium fonts-noto-cjk",
    "pdf-font": "fonts-wqy-microhei",
    "cjk-font": "fonts-noto-cjk or fonts-wqy-microhei",
}
_PROGRAMS = ("tesseract", "soffice", "libreoffice", "chromium", "chromium-browser", "fc-list", "fc-match")
# CJK fonts reportlab can embed in the PDF fixtures (TrueType outlines: Noto CJK's are PostScript)
_PDF_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


def program(name: str) -> str | None:
    """The path of an optional program (tesseract, soffice, chromium), or None."""
    if HIDE_SYSTEM:
        return None
    if name == "chromium":
        chosen = os.environ.get("GOVREPORT_CHROMIUM")
        if chosen:
            return chosen if Path(chosen).exists() else None
        return shutil.which("chromium") or shutil.which("chromium-browser")
    return shutil.which(name)


@functools.cache
def pdf_font() -> Path | None:
    """A CJK TrueType font for the generated PDF fixtures, or None."""
    if HIDE_SYSTEM:
        return None
    return next((Path(p) for p in _PDF_FONTS if Path(p).is_file()), None)


def missing(what: str) -> str:
    """The skip reason for a test that needs `what` (a key of PACKAGES)."""
    hidden = " (hidden: GOVREPORT_HIDE_SYSTEM=1)" if HIDE_SYSTEM else ""
    return f"needs {what}: Debian {PACKAGES[what]}, listed in .ci/apt-packages.txt{hidden}"


def requires(what: str, available: bool) -> pytest.MarkDecorator:
    """Skip unless `available`, saying which package brings `what`."""
    return pytest.mark.skipif(not available, reason=missing(what))


@pytest.fixture(autouse=True)
def _hide_system_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    """With GOVREPORT_HIDE_SYSTEM=1, the library finds no optional program and no CJK font."""
    if not HIDE_SYSTEM:
        return
    which = shutil.which

    def hidden_which(cmd, *args, **kwargs):
        return None if Path(str(cmd)).name in _PROGRAMS else which(cmd, *args, **kwargs)

    monkeypatch.setattr(shutil, "which", hidden_which)
    from pipeline import fonts

    monkeypatch.setattr(fonts, "chart_font", lambda: None)
    monkeypatch.setattr(fonts, "has_cjk_font", lambda: False)
