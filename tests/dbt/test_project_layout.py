"""The dbt project keeps the layering of dbt Labs' project structure (the checks of
dbt-project-evaluator that matter here, read from the manifest of `dbt parse`, so CI needs no
package download and no database):

- a staging model reads exactly one source and nothing else (it renames and casts);
- no other model reads a source; bi views read only marts, other bi views and seeds;
- every model and every column is described, every model has a primary-key test;
- every table and view of marts and bi (seeds too) and each of its columns has a Thai and an
  English label and an English description (and a Thai one where the label does not say it all:
  `config.meta`, macros/labels.sql), labels unique within a table;
- every bi view is `access: public`;
- each model's YAML sits beside its SQL, with the same name.

Each rule is a function returning what breaks it; the last tests feed them a doctored manifest
to show that they do find a break."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
LAYERS = ("staging", "intermediate", "marts", "bi")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    """The manifest of `dbt parse` on the project, written to a folder of this test's own."""
    from dbt.cli.main import dbtRunner  # heavy import, only here

    target = tmp_path_factory.mktemp("dbt-target")
    with pytest.MonkeyPatch.context() as env:
        # profiles.yml reads the warehouse from the environment; parse never connects.
        for name in ("THANRAK_DBT_HOST", "THANRAK_DBT_USER", "THANRAK_DBT_DBNAME"):
            env.setenv(name, "parse-only")
        env.setenv("DO_NOT_TRACK", "1")
        result = dbtRunner().invoke(
            [
                "parse",
                "--project-dir",
                str(PROJECT),
                "--profiles-dir",
                str(PROJECT),
                "--target-path",
                str(target),
                "--log-path",
                str(target / "logs"),
                "--quiet",
            ]
        )
    assert result.success, result.exception
    return json.loads((target / "manifest.json").read_text())


def models(manifest: dict) -> dict[str, dict]:
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == "thanrak"
    }


def layer(node: dict) -> str:
    """The folder under models/ a model lives in: staging, intermediate, marts or bi."""
    return node["fqn"][1]


def parents(node: dict) -> list[str]:
    return node["depends_on"]["nodes"]


# --- the rules -------------------------------------------------------------------------------


def staging_not_reading_one_source(manifest: dict) -> list[str]:
    """Staging models whose parents are not exactly one source."""
    return [
        f"{node['name']} reads {parents(node)}"
        for node in models(manifest).values()
        if layer(node) == "staging"
        and not (len(parents(node)) == 1 and parents(node)[0].startswith("source."))
    ]


def sources_read_outside_staging(manifest: dict) -> list[str]:
    return [
        f"{node['name']} ({layer(node)}) reads {parent}"
        for node in models(manifest).values()
        if layer(node) != "staging"
        for parent in parents(node)
        if parent.startswith("source.")
    ]


def wrong_layer_references(manifest: dict) -> list[str]:
    """Upstream layers only: staging < intermediate < marts < bi; bi reads marts, bi and seeds."""
    every = models(manifest)
    allowed = {
        "staging": set(),
        "intermediate": {"staging", "intermediate", "marts"},  # measures are computed from facts
        "marts": {"staging", "intermediate", "marts"},
        "bi": {"marts", "bi"},
    }
    return [
        f"{node['name']} ({layer(node)}) reads {every[parent]['name']} ({layer(every[parent])})"
        for node in every.values()
        for parent in parents(node)
        if parent in every and layer(every[parent]) not in allowed[layer(node)]
    ]


def undocumented(manifest: dict) -> list[str]:
    """Models without a description, models without documented columns, undescribed columns."""
    found = []
    for node in models(manifest).values():
        if not node["description"].strip():
            found.append(node["name"])
        if not node["columns"]:
            found.append(f"{node['name']} (no columns documented)")
        found += [
            f"{node['name']}.{name}"
            for name, column in node["columns"].items()
            if not (column.get("description") or "").strip()
        ]
    return found


THAI = re.compile("[\u0e00-\u0e7f]")
LATIN = re.compile("[A-Za-z]")


def labelled_nodes(manifest: dict) -> list[dict]:
    """The models and seeds built into marts and bi: the relations BI tools see."""
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
        and node["package_name"] == "thanrak"
        and node["schema"] in ("marts", "bi")
    ]


def unlabelled(manifest: dict) -> list[str]:
    """Relations of marts and bi, and their columns, whose labels (macros/labels.sql) are
    missing or in the wrong language: label_th and description_th (optional) in Thai, label_en
    without Thai, the description (dbt's, English) with Latin letters and no Thai half after a
    " / " (the older one-string form); and labels repeated within a relation, which a BI tool
    renaming its columns by them would refuse."""
    found = []
    for node in labelled_nodes(manifest):
        documented = [(node["name"], node)] + [
            (f"{node['name']}.{name}", column) for name, column in node["columns"].items()
        ]
        for where, doc in documented:
            meta = {**(doc.get("meta") or {}), **((doc.get("config") or {}).get("meta") or {})}
            label_th, label_en = meta.get("label_th") or "", meta.get("label_en") or ""
            description = doc.get("description") or ""
            if not THAI.search(label_th) or not THAI.search(meta.get("description_th", label_th) or ""):
                found.append(f"{where}: Thai label or description")
            if not LATIN.search(label_en) or THAI.search(label_en):
                found.append(f"{where}: English label")
            if not LATIN.search(description) or re.search(" / [\u0e00-\u0e7f]", description):
                found.append(f"{where}: English description")
        for language in ("label_th", "label_en"):
            labels = [
                ((column.get("config") or {}).get("meta") or {}).get(language)
                for column in node["columns"].values()
            ]
            found += sorted(
                {
                    f"{node['name']}: {language} {label!r} twice"
                    for label in labels
                    if label and labels.count(label) > 1
                }
            )
    return found


def without_primary_key_test(manifest: dict) -> list[str]:
    """Models with neither unique + not_null on one column nor unique_combination_of_columns, nor
    a unique index (config `indexes`) on columns the contract or a test keeps not null: the
    database then refuses a duplicate on every insert (the facts: a test would read the whole
    table each night). A view may say `meta: {grain_tested_on: ...}` instead, naming what
    guarantees its grain: a model with a key (a view that only unpivots that table: testing the
    view would expand every row again), or `source:<schema>.<table>` declaring its `primary_key`
    (a database constraint, checked in tests/warehouse; a test would read every raw row)."""
    tests: dict[str, set[tuple[str, str | None]]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata") and node.get("attached_node"):
            kind = node["test_metadata"]["name"]
            tests.setdefault(node["attached_node"], set()).add((kind, node.get("column_name")))

    def has_key_test(uid: str) -> bool:
        found = tests.get(uid, set())
        node = manifest["nodes"].get(uid, {})
        not_null = {column for kind, column in found if kind == "not_null"} | {
            name
            for name, column in node.get("columns", {}).items()
            if any(constraint["type"] == "not_null" for constraint in column.get("constraints", []))
        }
        unique_columns = {column for kind, column in found if kind == "unique"} & not_null
        unique_indexes = [
            set(index["columns"])
            for index in node.get("config", {}).get("indexes") or []
            if index.get("unique") and set(index["columns"]) <= not_null
        ]
        return bool(unique_columns or unique_indexes) or any(
            kind == "unique_combination_of_columns" for kind, _ in found
        )

    def guaranteed(node: dict) -> bool:
        named = (node.get("meta") or node["config"].get("meta") or {}).get("grain_tested_on")
        if not named or node["config"]["materialized"] != "view":
            return False
        if named.startswith("source:"):
            source = manifest["sources"].get(f"source.thanrak.{named.removeprefix('source:')}", {})
            return bool({**source.get("source_meta", {}), **source.get("meta", {})}.get("primary_key"))
        return has_key_test(f"model.thanrak.{named}")

    return [
        node["name"] for uid, node in models(manifest).items() if not (has_key_test(uid) or guaranteed(node))
    ]


def bi_not_public(manifest: dict) -> list[str]:
    return [
        f"{node['name']} is {node['access']}"
        for node in models(manifest).values()
        if layer(node) == "bi" and node["access"] != "public"
    ]


def yaml_not_beside_sql(manifest: dict) -> list[str]:
    """Models whose YAML is missing or is not <same folder>/<same name>.yml."""
    found = []
    for node in models(manifest).values():
        sql = Path(node["original_file_path"])
        patch = (node.get("patch_path") or "").split("://", 1)[-1]
        if Path(patch) != sql.with_suffix(".yml"):
            found.append(f"{sql}: {patch or 'no YAML'}")
    return found


RULES = [
    staging_not_reading_one_source,
    sources_read_outside_staging,
    wrong_layer_references,
    undocumented,
    unlabelled,
    without_primary_key_test,
    bi_not_public,
    yaml_not_beside_sql,
]


# --- the project keeps them -----------------------------------------------------------------


def test_every_model_sits_in_a_layer_folder(manifest):
    assert {layer(node) for node in models(manifest).values()} == set(LAYERS)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_the_project_keeps_the_rule(manifest, rule):
    assert rule(manifest) == []


def test_sources_are_declared_in_one_sources_file(manifest):
    files = {source["original_file_path"] for source in manifest["sources"].values()}
    assert files == {"models/staging/__sources.yml"}


# --- and the rules do find a break ----------------------------------------------------------


def _model(manifest: dict, name: str) -> dict:
    return manifest["nodes"][f"model.thanrak.{name}"]


def test_the_rules_find_a_break(manifest):
    broken = copy.deepcopy(manifest)
    # staging reading staging, a mart reading a source, a bi view reading staging
    parents(_model(broken, "stg_raw__activities")).append("model.thanrak.stg_ops__submissions")
    parents(_model(broken, "dim_area")).append("source.thanrak.ref.amphoe")
    parents(_model(broken, "provinces")).append("model.thanrak.stg_ref__provinces")
    # an undescribed column, a model without its key test, a private bi view, YAML elsewhere
    next(iter(_model(broken, "dim_date")["columns"].values()))["description"] = ""
    untested = {"model.thanrak.stg_ref__calendar"}
    # (and a table whose key index also covers the view unpivoting it)
    for index in _model(broken, "fct_bmn_village_item_counts")["config"]["indexes"]:
        index["unique"] = False
    # (and a raw table that does not declare its primary key)
    broken["sources"]["source.thanrak.raw.otop_sales"]["source_meta"] = {}
    broken["sources"]["source.thanrak.raw.otop_sales"]["meta"] = {}
    # (and a fact whose key index is not unique, another whose key may be null)
    _model(broken, "fct_otop_sales")["config"]["indexes"][0]["unique"] = False
    _model(broken, "fct_plot_progress")["columns"]["plot_progress_key"]["constraints"] = []
    for node in broken["nodes"].values():
        if node["resource_type"] == "test" and node.get("attached_node") in untested:
            node["attached_node"] = None
    _model(broken, "scorecard")["access"] = "protected"
    # a column without its Thai label, a table described in the older "English / Thai" form,
    # a seed's English label in Thai, two columns of one view with one label
    revenue = _model(broken, "fct_otop_sales")["columns"]["revenue_baht"]
    del revenue["meta"]["label_th"], revenue["config"]["meta"]["label_th"]  # (dbt fills in both)
    _model(broken, "dim_gear")["description"] += " / มิติฟันเฟือง"
    seed = broken["nodes"]["seed.thanrak.province_regions"]
    seed["columns"]["region_scheme"]["config"]["meta"]["label_en"] = "ระบบการแบ่งภาค"
    provinces = _model(broken, "provinces")["columns"]
    provinces["region4_th"]["config"]["meta"]["label_en"] = "Region, 6 regions (Thai)"
    _model(broken, "fct_activities")["patch_path"] = "thanrak://models/marts/_facts.yml"

    assert staging_not_reading_one_source(broken) == [
        "stg_raw__activities reads ['source.thanrak.raw.activities', 'model.thanrak.stg_ops__submissions']"
    ]
    assert sources_read_outside_staging(broken) == ["dim_area (marts) reads source.thanrak.ref.amphoe"]
    assert "provinces (bi) reads stg_ref__provinces (staging)" in wrong_layer_references(broken)
    assert "stg_raw__activities (staging) reads stg_ops__submissions (staging)" in wrong_layer_references(
        broken
    )
    assert undocumented(broken) == ["dim_date.date_key"]
    assert sorted(without_primary_key_test(broken)) == [
        "fct_bmn_village_item_counts",
        "fct_bmn_village_summary",
        "fct_otop_sales",
        "fct_plot_progress",
        "int_otop_sales_in_force",
        "stg_raw__otop_sales",
        "stg_ref__calendar",
    ]
    assert bi_not_public(broken) == ["scorecard is protected"]
    assert sorted(unlabelled(broken)) == [
        "dim_date.date_key: English description",  # (the undescribed column above)
        "dim_gear: English description",
        "fct_otop_sales.revenue_baht: Thai label or description",
        "province_regions.region_scheme: English label",
        "provinces: label_en 'Region, 6 regions (Thai)' twice",
    ]
    assert yaml_not_beside_sql(broken) == ["models/marts/facts/fct_activities.sql: models/marts/_facts.yml"]
