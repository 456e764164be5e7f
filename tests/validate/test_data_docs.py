"""GX Data Docs a planner or a provincial officer can read: real Great Expectations on the
extracted frames of generated files, rendered to HTML and read back as text."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from thanrak.contract.declarations import load_contract
from thanrak.demo.generator import generate_night
from thanrak.extract.frame import AS_TYPED, PROBLEMS, SOURCE_ROW, extract
from thanrak.validate.data_docs import asset_name, build_data_docs, remote_resources, run_name
from thanrak.validate.suites import gx_context
from thanrak.validate.validation import prepare, province_areas_from_geothai, validate

NIGHT = dt.date(2026, 11, 22)
PROVINCE = "50"
RUN_ID = "manual__2026-11-22T10:00:00+00:00"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--enable-logging=stderr", "--v=0",
    "--virtual-time-budget=20000",
]  # fmt: skip
# More than 6 decimals: float noise (0.30000000000000004, 12.000000001), not a value anyone typed.
FLOAT_NOISE = re.compile(r"\d\.\d{7,}")
TYPED_IN_THE_HASH_COLUMN = "ABC-123-not-a-hash"


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """One night of one province, every dataset, with a few values no officer types by hand:
    float noise from a spreadsheet's arithmetic, and a word where the household hash belongs."""
    landing = tmp_path_factory.mktemp("landing")
    generated = generate_night(
        landing, NIGHT, provinces=[PROVINCE], scale=0.05, defect_rate=0.05, file_defects=0, xlsx_share=0.3
    )
    areas = province_areas_from_geothai(PROVINCE)
    validations, frames = [], {}
    for relative in generated.files:
        contract = load_contract(relative.split("/")[1])
        frame = extract((landing / relative).read_bytes(), relative, contract).frame
        if contract.dataset == "activities":
            frame.loc[frame.index[0], "budget_baht"] = -(0.1 + 0.2)  # out of range, and noisy
        if contract.dataset == "knn_plot_progress":
            household_plot = frame.index[frame["plot_model"] == "HLM"][0]
            frame.loc[household_plot, "area_rai"] = 3.000000001  # an HLM plot is 1-3 rai
            frame.loc[frame.index[-1], "progress_pct"] = 112.000000001
        if contract.dataset == "bmn_households":
            frame.loc[frame.index[0], "household_hash"] = TYPED_IN_THE_HASH_COLUMN
        name = f"{PROVINCE} {relative.rsplit('/', 1)[-1]}"
        validations.append((name, contract, frame, f"{NIGHT:%Y-%m}", areas))
        frames[contract.dataset] = (name, contract, frame)
    site = tmp_path_factory.mktemp("data-docs")
    index = build_data_docs(site, validations, night=NIGHT, run_id=RUN_ID)
    pages = {
        dataset: next(site.glob(f"validations/{dataset}/**/*.html")) for dataset in frames
    }  # one validation page per dataset
    return {"site": site, "index": index, "pages": pages, "frames": frames, "areas": areas}


class _Text(HTMLParser):
    """A page's text as a reader sees it (no scripts or styles)."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style")
        self.parts.append(" ")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def text(page: Path) -> str:
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", "".join(parser.parts))


def html_pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if "static" not in p.relative_to(site).parts]


def test_each_file_is_a_named_data_asset_of_a_named_run(docs):
    run = run_name(NIGHT, RUN_ID)
    assert run == "thanrak 2026-11-22 manual__2026-11-22T10-00-00+00-00"  # a folder Windows takes too
    index = docs["index"].read_text(encoding="utf-8")
    assert run in index and "__none__" not in index
    for dataset, page in docs["pages"].items():
        name, contract, _ = docs["frames"][dataset]
        asset = asset_name(name, contract, docs["areas"])
        assert asset == f"เชียงใหม่ · {contract.title_th} · {name}"
        shown = text(page)
        assert f"Data asset: {asset}" in shown and "Data asset: None" not in shown
        assert f"Run Name {run}" in shown and "__none__" not in shown
        assert asset in index  # the index's table of validations names it as well


def test_no_column_the_officer_never_sent_appears(docs):
    internal = {SOURCE_ROW, PROBLEMS, AS_TYPED}
    for _, contract, frame in docs["frames"].values():
        data, _ = prepare(frame, contract, period=f"{NIGHT:%Y-%m}", areas=docs["areas"])
        internal |= set(data.columns) - set(contract.column_names)
    assert {
        "_hlm_area_broken",
        "_citizen_id_in_plot_id",
        "_income_per_person_matches_members_gap",
    } <= internal
    for page in html_pages(docs["site"]):
        html = page.read_text(encoding="utf-8")
        assert [name for name in internal if name in html] == [], page.name
        assert "$PARAMETER" not in html, page.name  # the suites' pages name parameters in words


def test_rules_on_helper_columns_are_said_in_words_under_the_officers_column(docs):
    plots = text(docs["pages"]["knn_plot_progress"])
    assert "where plot_model is HLM, values must be between 1 and 3 (rule hlm_area)" in plots
    assert "area_rai 3 · plot_model HLM" in plots  # the officer's values of the failing row
    assert "values must be tambon codes of เชียงใหม่ (50)" in plots  # not 200 codes, twice
    suite = text(next(docs["site"].glob("expectations/knn_plot_progress/*.html")))
    assert "values must be tambon codes of the province of the file's folder" in suite
    assert "values must be between 0 and 100 percent" in suite  # not 0.0 and 100.0


def test_no_float_noise_in_the_pages(docs):
    for page in html_pages(docs["site"]):
        assert FLOAT_NOISE.findall(text(page)) == [], page.name
    assert FLOAT_NOISE.findall(docs["index"].read_text(encoding="utf-8")) == []  # its table's data
    activities = text(docs["pages"]["activities"])
    assert "-0.3" in activities  # the noisy value is shown, rounded
    assert "112" in text(docs["pages"]["knn_plot_progress"])
    assert re.search(r"\d\.\d{3,}%", activities) is None  # percentages to 2 decimals


def test_what_was_typed_in_the_household_hash_column_is_never_echoed(docs):
    survey = text(docs["pages"]["bmn_households"])
    assert TYPED_IN_THE_HASH_COLUMN not in survey
    assert "***" in survey


def test_the_pages_need_nothing_from_the_network(docs):
    assert remote_resources(docs["site"]) == []


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_pages_render_offline_in_chromium_without_console_errors(docs, tmp_path):
    for page in (docs["index"], docs["pages"]["bmn_households"]):
        run = subprocess.run(
            [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        assert [line for line in run.stderr.splitlines() if "CONSOLE" in line] == []
        name, contract, _ = docs["frames"]["bmn_households"]
        assert asset_name(name, contract, docs["areas"]) in run.stdout  # drawn by the index's script too


def test_a_second_build_in_the_process_shows_only_its_own_run(docs, tmp_path):
    name, contract, frame = docs["frames"]["otop_sales"]
    index = build_data_docs(
        tmp_path, [(name, contract, frame, f"{NIGHT:%Y-%m}", docs["areas"])], night=NIGHT, run_id="again"
    )
    assert len(list(tmp_path.glob("validations/**/*.html"))) == 1
    assert "thanrak 2026-11-22 again" in index.read_text(encoding="utf-8")
    context = gx_context()  # left as found: nothing of either build stays in the shared context
    assert context.validation_results_store.list_keys() == []
    assert [s.name for s in context.data_sources.all().values()] in ([], ["submissions"])


def test_validation_through_gx_still_runs_the_published_suite_after_the_docs(docs):
    """The pages' shown suites (helper rules moved to the officer's column) never stay in the
    context that validate(engine="gx") shares."""
    name, contract, frame = docs["frames"]["knn_plot_progress"]
    verdicts = {
        engine: [
            (r.rule, r.column, r.failed_rows)
            for r in validate(
                frame, contract, period=f"{NIGHT:%Y-%m}", areas=docs["areas"], engine=engine
            ).rule_results
        ]
        for engine in ("gx", "bulk")
    }
    assert verdicts["gx"] == verdicts["bulk"]
    assert ("hlm_area", "area_rai", 1) in verdicts["gx"]
