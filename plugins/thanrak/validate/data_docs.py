"""Great Expectations Data Docs for a night, made to work offline.

GX renders the pages (suites and validation results) but loads Bootstrap, jQuery, Vega and
Font Awesome from CDNs; on a provincial office's machine, or any with no internet, the pages
come out unstyled and without charts. The vendored copies in `data_docs_assets/` are copied
beside the pages and every CDN link is rewritten to them.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from importlib.resources import as_file, files
from pathlib import Path

import pandas as pd

from thanrak.contract.declarations import Contract
from thanrak.extract.frame import SOURCE_ROW
from thanrak.validate.suites import gx_context, gx_suite
from thanrak.validate.validation import ProvinceAreas, prepare

# CDN address (as GX's templates write it) -> vendored file
VENDORED = {
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": "bootstrap-prefers-dark-1.1.0.css",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed-6.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite-5.min.js",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega-5.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": "bootstrap-datepicker-1.9.0.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": "bootstrap-datepicker-1.9.0.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper-1.12.9.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap-4.3.1.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap-4.3.1.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": "bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": "bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table-1.19.1.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table-1.19.1.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": "bootstrap-table-filter-control.min.js",
}  # fmt: skip
_LOGO = re.compile(r"<img[^>]*great-expectations-web-assets[^>]*>")
# Subresource-integrity and CORS attributes make a browser refuse the same files from file://.
_CDN_ATTRIBUTES = re.compile(r"""\s(?:integrity|crossorigin)=(?:"[^"]*"|'[^']*'|[^\s>]+)""")
# Anything still loaded from the network (not mere links to read elsewhere).
_REMOTE_RESOURCE = re.compile(r"""<(?:script|link|img)\b[^>]*(?:src|href)=["']https?://""")


def build_data_docs(
    site_dir: Path, validations: list[tuple[str, Contract, pd.DataFrame, str, ProvinceAreas]]
) -> Path:
    """Validates each (name, contract, extracted frame, period, areas) with GX itself, renders
    the Data Docs site into `site_dir`, makes it offline, and returns its index page."""
    import great_expectations as gx

    context = gx_context()
    site = f"thanrak-{uuid.uuid4().hex[:8]}"
    context.add_data_docs_site(
        site_name=site,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    try:
        source = context.data_sources.add_pandas(site)
        for name, contract, frame, period, areas in validations:
            suite = _suite_in_context(context, contract.dataset)
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(
                    name=f"{site} {name}",
                    data=source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole"),
                    suite=suite,
                )
            )
            data, parameters = prepare(frame, contract, period=period, areas=areas)
            definition.run(
                batch_parameters={"dataframe": data},
                expectation_parameters=parameters,
                result_format={"result_format": "SUMMARY", "unexpected_index_column_names": [SOURCE_ROW]},
            )
        context.build_data_docs(site_names=[site])
    finally:
        context.delete_data_docs_site(site)
    make_offline(site_dir)
    return site_dir / "index.html"


def _suite_in_context(context, dataset: str):
    try:
        return context.suites.get(gx_suite(dataset).name)
    except Exception:  # not added yet in this process's context
        return context.suites.add(gx_suite(dataset))


def make_offline(site_dir: Path) -> None:
    """Copies the vendored assets into the site and points every page at them."""
    vendor = site_dir / "static" / "vendor"
    with as_file(files("thanrak.validate").joinpath("data_docs_assets")) as assets:
        shutil.copytree(assets, vendor, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        relative = Path(os.path.relpath(vendor, page.parent)).as_posix()
        for url, local in VENDORED.items():
            text = text.replace(f'"{url}"', f'"{relative}/{local}"')
        text = _CDN_ATTRIBUTES.sub("", _LOGO.sub("<b>Thanrak Data Docs</b>", text))
        page.write_text(text, encoding="utf-8")


def remote_resources(site_dir: Path) -> list[str]:
    """Pages that would still load something from the network (empty when all is offline)."""
    return [
        str(page)
        for page in site_dir.rglob("*.html")
        if _REMOTE_RESOURCE.search(page.read_text(encoding="utf-8"))
    ]
