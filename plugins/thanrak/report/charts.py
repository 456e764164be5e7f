"""The report's charts as Vega-Lite specifications, drawn in the page by the Vega, Vega-Lite and
Vega-Embed copies vendored for the offline Data Docs (thanrak/validate/data_docs_assets), which
the page carries inline so that it opens from an e-mail or a chat with no network.

The specifications are written as dictionaries rather than through Altair (which is installed):
Altair 6 writes Vega-Lite 6, and the vendored, offline copy is Vega-Lite 5."""

from __future__ import annotations

import datetime as dt
import json
from importlib.resources import files

from markupsafe import Markup

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_FONT = "Noto Sans Thai, Sarabun, Loma, Garuda, Tahoma, sans-serif"
_CONFIG = {
    "font": _FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": 12, "orient": "bottom", "title": None, "labelLimit": 0},
}
_SCRIPTS = ("vega-5.min.js", "vega-lite-5.min.js", "vega-embed-6.min.js")


def thai_date(day: dt.date) -> str:
    """22/11/2569: day, month and the Buddhist-Era year, as Thai forms write a date."""
    return f"{day.day}/{day.month}/{day.year + 543}"


def night_trend(trend: list[tuple]) -> dict:
    """Rows of the recent nights that processed files, stacked: loaded, quarantined, and in
    rejected files (trend rows: night, loaded, quarantined, in rejected files, files rejected)."""
    kinds = (
        ("แถวที่รับ / loaded", "#15803d"),
        ("แถวที่กักไว้ / quarantined", "#d97706"),
        ("แถวในไฟล์ที่ไม่รับ / in rejected files", "#b91c1c"),
    )
    values = [
        {
            "night": thai_date(night),
            "order": i,
            "kind": kind,
            "rows": int(rows),
            "files_rejected": int(files_rejected),
        }
        for night, *counts, files_rejected in trend
        for i, ((kind, _), rows) in enumerate(zip(kinds, counts, strict=True))
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": "container",
        "height": 220,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "night",
                "type": "ordinal",
                "sort": None,
                "title": "คืนที่ประมวลผล / night processed",
                "axis": {"labelAngle": -45},
            },
            "y": {"field": "rows", "type": "quantitative", "title": "แถว / rows", "stack": "zero"},
            "color": {
                "field": "kind",
                "type": "nominal",
                "sort": [k for k, _ in kinds],
                "scale": {"domain": [k for k, _ in kinds], "range": [c for _, c in kinds]},
            },
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [
                {"field": "night", "title": "คืน / night"},
                {"field": "kind", "title": "แถว / rows"},
                {"field": "rows", "title": "จำนวน / count", "format": ","},
                {"field": "files_rejected", "title": "ไฟล์ที่ไม่รับ / files rejected"},
            ],
        },
        "config": _CONFIG,
    }


def gear_trend(trends: list[dict]) -> dict:
    """Each gear's mean attainment of its national indicators, quarter by quarter, against the
    target line (100 %). trends: gear_code, gear_th, quarter_th, quarter_start, attainment."""
    values = [
        {
            "gear": f"{t['gear_code']} {t['gear_th']}",
            "quarter": t["quarter_th"],
            "start": t["quarter_start"].isoformat(),
            "attainment": None if t["attainment"] is None else float(t["attainment"]),
        }
        for t in trends
    ]
    quarters = list(dict.fromkeys(v["quarter"] for v in sorted(values, key=lambda v: v["start"])))
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": "container",
        "height": 240,
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "line", "point": {"size": 60}, "tooltip": True},
                "encoding": {
                    "x": {
                        "field": "quarter",
                        "type": "ordinal",
                        "sort": quarters,
                        "title": "ไตรมาส (ปีงบประมาณ) / fiscal quarter",
                        "axis": {"labelAngle": 0},
                    },
                    "y": {
                        "field": "attainment",
                        "type": "quantitative",
                        "title": "ผลสัมฤทธิ์เฉลี่ยเทียบเป้าหมาย / mean attainment",
                        "axis": {"format": ".0%"},
                    },
                    "color": {"field": "gear", "type": "nominal", "scale": {"scheme": "tableau10"}},
                    "tooltip": [
                        {"field": "gear", "title": "ฟันเฟือง / gear"},
                        {"field": "quarter", "title": "ไตรมาส / quarter"},
                        {"field": "attainment", "title": "ผลสัมฤทธิ์ / attainment", "format": ".0%"},
                    ],
                },
            },
            {
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#6b7280"},
                "encoding": {"y": {"datum": 1}},
            },
        ],
        "config": _CONFIG,
    }


def chart(element_id: str, spec: dict) -> Markup:
    """The chart's place in the page and its specification, drawn by draw_charts()."""
    data = json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")
    return Markup(
        f"<div class='chart' id='{element_id}'></div>"
        f"<script type='application/json' class='chart-spec' data-for='{element_id}'>{data}</script>"
    )


def chart_scripts() -> Markup:
    """Vega, Vega-Lite and Vega-Embed, inline; then the page's charts are drawn, and the body's
    data-charts says how many were (a browser test reads it)."""
    assets = files("thanrak.validate").joinpath("data_docs_assets")
    libraries = "".join(
        f"<script>{assets.joinpath(name).read_text(encoding='utf-8')}</script>" for name in _SCRIPTS
    )
    return Markup(libraries + f"<script>{_DRAW}</script>")


_DRAW = """
(function () {
  var specs = document.querySelectorAll('script.chart-spec');
  var drawn = Array.prototype.map.call(specs, function (spec) {
    return vegaEmbed('#' + spec.dataset.for, JSON.parse(spec.textContent),
                     {actions: false, renderer: 'svg'});
  });
  Promise.all(drawn).then(function () { document.body.dataset.charts = String(drawn.length); });
})();
"""
