"""The `thanrak` command. Each sub-command is declared once in COMMANDS: its help, its arguments
and the function that runs it (`thanrak --help` lists them, `thanrak COMMAND --help` explains
one)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from thanrak.contract.declarations import DATASETS
from thanrak.nights import BANGKOK_TZ
from thanrak.settings import Settings


def _yesterday() -> dt.date:
    return dt.datetime.now(BANGKOK_TZ).date() - dt.timedelta(days=1)


def _night(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-11-22") from error


def _night_argument(parser: argparse.ArgumentParser, what: str = "night to run") -> None:
    parser.add_argument("--night", type=_night, default=_yesterday(), help=f"{what} (default: yesterday)")


def _full_build_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--full-build",
        action="store_true",
        help="dbt builds every node, not only what the night's files touch (THANRAK_DBT_FULL=1)",
    )


def _ask_full_build(args: argparse.Namespace) -> None:
    """The DAG's dbt tasks run in Airflow's processes: the flag travels as THANRAK_DBT_FULL."""
    if args.full_build:
        os.environ["THANRAK_DBT_FULL"] = "1"


# ---------------------------------------------------------------------------- the commands


def _months(text: str) -> int:
    if not (text.isascii() and text.isdigit() and int(text) >= 1):
        raise argparse.ArgumentTypeError(
            f"'{text}' ไม่ใช่จำนวนเดือน (1 ขึ้นไป) / is not a number of months (1 or more)"
        )
    return int(text)


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    _night_argument(parser)
    _full_build_argument(parser)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiplies the rows of every file (default 1)"
    )
    parser.add_argument(
        "--months",
        type=_months,
        default=1,
        help="run this many consecutive months' nights: the same day of the months before --night "
        "first, oldest first, each a full night (default 1: the night alone)",
    )


def _demo(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> int:
    from thanrak.demo.run import run_demo

    _ask_full_build(args)
    return run_demo(settings, args.night, scale=args.scale, months=args.months)


def _run_night(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> int:
    from thanrak.orchestration.runner import run_night

    _ask_full_build(args)
    return run_night(settings, args.night)


def _run_night_arguments(parser: argparse.ArgumentParser) -> None:
    _night_argument(parser)
    _full_build_argument(parser)


def _generate_arguments(parser: argparse.ArgumentParser) -> None:
    _night_argument(parser, "night of delivery")
    parser.add_argument(
        "--out", type=Path, help="landing folder (default: THANRAK_LANDING_DIR or var/landing)"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiplies the rows of every file; 168 gives a national household survey (~12.8 M rows)",
    )
    parser.add_argument("--provinces", nargs="*", help="province codes (default: all 76)")
    parser.add_argument("--datasets", nargs="*", choices=DATASETS, help="datasets (default: all ten)")
    parser.add_argument("--defect-rate", type=float, default=0.01, help="share of rows with a defect")
    parser.add_argument("--file-defects", type=int, default=3, help="files spoilt as a whole")
    parser.add_argument(
        "--anomalies", type=int, default=0, help="files made unusual for their province (default 0)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=2569,
        help="random seed: the same seed and night write the same files byte for byte (default 2569)",
    )


def _generate(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> int:
    from thanrak.demo.run import write_generated

    out = args.out or settings.landing_dir
    result, manifest = write_generated(
        settings,
        out,
        args.night,
        seed=args.seed,
        provinces=args.provinces,
        datasets=tuple(args.datasets or DATASETS),
        scale=args.scale,
        defect_rate=args.defect_rate,
        file_defects=args.file_defects,
        anomalies=args.anomalies,
    )
    print(
        f"wrote {len(result.files)} files, {result.total_rows:,} rows, {len(result.defects)} injected "
        f"defects, {len(result.anomalies)} unusual files to {out}; listed in {manifest}"
    )
    return 0


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the .csv or .xlsx file to check")
    parser.add_argument(
        "--dataset", choices=DATASETS, help="default: from the folder <province>/<dataset>/<YYYY-MM>/"
    )
    parser.add_argument("--province", help="2-digit province code (default: from the folder)")
    parser.add_argument("--period", help="reporting month YYYY-MM (default: from the folder)")
    parser.add_argument(
        "--usual-volumes",
        type=Path,
        help="usual-volumes.json from a night's report folder: warns when the file's rows are far "
        "from what the province usually sends (default: the newest one under the reports folder)",
    )


_VERDICTS = {
    "accepted": "ผ่าน ส่งได้ / ACCEPTED",
    "rows_quarantined": "บางแถวไม่ผ่าน / SOME ROWS WOULD BE QUARANTINED",
    "rejected": "ไม่รับไฟล์ / REJECTED",
}


def _check(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> int:
    from thanrak.validate.check import check_file, slot_from_path

    if not args.file.is_file():
        parser.error(f"ไม่พบไฟล์ / no such file: {args.file}")
    province, dataset, period = slot_from_path(args.file) or (None, None, None)
    province, dataset, period = args.province or province, args.dataset or dataset, args.period or period
    slot = {"--dataset": dataset, "--province": province, "--period": period}
    missing = [flag for flag, value in slot.items() if not value]
    if missing:
        parser.error(
            f"ไฟล์ไม่ได้อยู่ในโฟลเดอร์ <รหัสจังหวัด>/<ชุดข้อมูล>/<ปปปป-ดด>/ กรุณาระบุ {' '.join(missing)} "
            f"หรือวางไฟล์ในโฟลเดอร์ดังกล่าว / the file is not in a <province>/<dataset>/<YYYY-MM>/ folder: "
            f"give {' '.join(missing)}, or put it in such a folder"
        )
    usual = args.usual_volumes or _newest_usual_volumes(settings)
    if usual is not None and not usual.is_file():
        parser.error(f"ไม่พบไฟล์ / no such file: {usual}")
    result = check_file(
        args.file,
        dataset=dataset,
        province=province,
        period=period,
        usual_volumes=json.loads(usual.read_text(encoding="utf-8")) if usual else None,
    )
    print("\n".join(result.lines))
    print(_VERDICTS[result.verdict])
    return result.exit_code


def _newest_usual_volumes(settings: Settings) -> Path | None:
    from thanrak.observe.night import USUAL_VOLUMES_FILE

    found = sorted(settings.reports_dir.glob(f"*/{USUAL_VOLUMES_FILE}"))
    return found[-1] if found else None


def _migrate(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> int:
    from thanrak.warehouse.connection import connect, warehouse_url
    from thanrak.warehouse.migrate import migrate
    from thanrak.warehouse.reference import load_reference

    started = time.monotonic()
    with warehouse_url(settings) as url, connect(url, autocommit=True) as conn:
        applied = migrate(conn)
        reference = load_reference(conn)
    print(
        f"applied {len(applied)} migrations, reference {reference or 'up to date'} "
        f"in {time.monotonic() - started:.1f} s"
    )
    return 0


def _province_login_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("province_code", help="2-digit DOPA province code, e.g. 40")
    parser.add_argument("login_name", help="the PostgreSQL login to create or update, e.g. korat_planner")


def _grant_province_login(
    args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser
) -> int:
    import getpass
    import os

    from thanrak.warehouse.access import PROVINCE_LOGIN_PASSWORD_ENV, grant_province_login
    from thanrak.warehouse.connection import connect, warehouse_url

    password = os.environ.get(PROVINCE_LOGIN_PASSWORD_ENV)
    if not password:
        password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline()
    password = password.rstrip("\r\n")
    with warehouse_url(settings) as url, connect(url, autocommit=True) as conn:
        try:
            role = grant_province_login(conn, args.province_code, args.login_name, password)
        except ValueError as error:
            parser.error(str(error))
    print(f"{args.login_name} can log in and reads the marts rows of {role}")
    return 0


def _rekey_pseudonyms(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> int:
    from thanrak.load.pseudonyms import Pseudonymiser, rekey
    from thanrak.warehouse.connection import connect, warehouse_url

    with warehouse_url(settings) as url, connect(url) as conn:
        done = rekey(conn, Pseudonymiser.from_settings(settings))
    print(
        f"household pseudonyms: {done['values_rekeyed']:,} stored values now carry {done['keys_now']} key(s) "
        f"(before: {done['keys_applied_before']}); rebuild the marts: dbt build --full-refresh"
    )
    return 0


def _dbt_manifest(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> int:
    from thanrak.orchestration.cosmos import write_manifest

    print(f"dbt manifest: {write_manifest(settings, force=True)}")
    return 0


def _dbt_docs_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FOLDER",
        help="folder of the page, index.html (default: THANRAK_VAR_DIR/dbt-docs, var/dbt-docs)",
    )


def _dbt_docs(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> int:
    import json
    import shutil

    from thanrak.transform.dbt_build import run_dbt
    from thanrak.warehouse.connection import warehouse_url

    with warehouse_url(settings) as url:
        outcome = run_dbt(url, ["docs", "generate", "--static"], settings)
    if not outcome.success:
        raise RuntimeError("dbt docs generate failed (dbt's log above says why)")
    target = settings.dbt_target_dir
    out = args.out or settings.var_dir / "dbt-docs"
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    partial = out / "index.html.partial"  # a web server publishing the folder never serves half a page
    shutil.copyfile(target / "static_index.html", partial)
    partial.replace(page)
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    models = sum(1 for node in manifest["nodes"].values() if node["resource_type"] == "model")
    built = sum(1 for key in catalog["nodes"] if key.startswith("model."))
    print(
        f"dbt docs: {models} models documented, {built} of them with their columns as built in the warehouse"
    )
    if not built:
        print(
            "no model is built in this warehouse yet: the page has the project's descriptions without "
            "the database's columns; `thanrak run-night` (or `make demo`) builds the marts"
        )
    print(page)
    return 0


def _publish_contract(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> int:
    from thanrak.publish import publish

    for path in publish():
        print(f"wrote {path}")
    return 0


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Callable[[argparse.Namespace, Settings, argparse.ArgumentParser], int]
    arguments: Callable[[argparse.ArgumentParser], None] | None = None
    description: str | None = None


COMMANDS = (
    Command(
        "demo",
        "generate one night (or --months consecutive months' nights) for all 76 provinces and run "
        "the nightly DAG through Airflow",
        _demo,
        _demo_arguments,
        "Generates a night of deliveries into the landing folder, then does what `thanrak run-night` "
        "does: runs thanrak_nightly through Airflow on the warehouse (THANRAK_WAREHOUSE_URL, or an "
        "embedded PostgreSQL) and prints the night's summary and scorecard. With --months N, does so "
        "for the same day of the N-1 months before the night first, oldest first, so that the marts "
        "follow the same plots, producers and projects from month to month.",
    ),
    Command(
        "run-night",
        "run the nightly DAG through Airflow on what is in the landing zone now",
        _run_night,
        _run_night_arguments,
        "Runs thanrak_nightly for one night through Airflow itself (`airflow dags test`, no Airflow "
        "server needed) on the configured landing zone (THANRAK_LANDING_URL s3://bucket/prefix, else "
        "the folder THANRAK_LANDING_DIR or var/landing) and warehouse (THANRAK_WAREHOUSE_URL, else an "
        "embedded PostgreSQL), generating nothing, and prints the night's summary and scorecard.",
    ),
    Command(
        "generate",
        "write a night of realistic provincial files",
        _generate,
        _generate_arguments,
        "Writes one night of deliveries into the landing folder as the 76 provincial offices would send "
        "them (<province>/<dataset>/<YYYY-MM>/<file>): CSV in UTF-8, UTF-8 with BOM or cp874 and XLSX "
        "workbooks, Thai or English headers, with a share of bad rows of every kind and a few files "
        "spoilt as a whole. Every injected defect is listed in var/generated/<night>.json. Runs nothing "
        "and needs no warehouse; `thanrak run-night` then processes the files.",
    ),
    Command(
        "check",
        "check one file against the contract before sending it (no warehouse needed)",
        _check,
        _check_arguments,
        "Runs the submission contract and the validation rules on one file and prints every problem "
        "in Thai and English with its row number. Exit 0: accepted; 1: some rows would be "
        "quarantined; 2: the file would be rejected; 3: the command was not given as it needs (no such "
        "file, no dataset, province or period); 4: internal error.",
    ),
    Command(
        "migrate",
        "create or upgrade the warehouse schemas and reference data",
        _migrate,
        description="Applies the pending versioned migrations (under an advisory lock, so concurrent "
        "runs are safe), sets the roles' passwords from THANRAK_*_PASSWORD, and reloads reference data "
        "(areas, calendar) when its version changed. THANRAK_WAREHOUSE_URL, else an embedded PostgreSQL.",
    ),
    Command(
        "grant-province-login",
        "create or update a login that reads one province's rows of the marts",
        _grant_province_login,
        _province_login_arguments,
        "Creates LOGIN_NAME (or updates its password) as a member of "
        "thanrak_province_reader_<PROVINCE_CODE>: through row-level security it reads only that "
        "province's rows of the marts (grant several provinces to one login by running it again). "
        "The password is read from THANRAK_PROVINCE_LOGIN_PASSWORD, else from standard input.",
    ),
    Command(
        "rekey-pseudonyms",
        "after appending a key to THANRAK_PSEUDONYM_KEYS: re-key the stored household pseudonyms",
        _rekey_pseudonyms,
        description="Applies the keys of THANRAK_PSEUDONYM_KEYS that the stored household pseudonyms "
        "(raw.bmn_households, quarantine.row) do not carry yet, in one transaction; idempotent. Loading "
        "refuses to mix pseudonyms until this has run. Then rebuild the marts with dbt build --full-refresh "
        "(docs/runbook.md, Pseudonym keys).",
    ),
    Command(
        "dbt-manifest",
        "write the dbt manifest the nightly DAG renders its dbt tasks from (dbt parse; "
        "after changing dbt_project/, or when building a deployment)",
        _dbt_manifest,
        description="Runs `dbt parse` into dbt_project/target/manifest.json with a fingerprint of the "
        "project beside it. The nightly DAG renders one Airflow task per dbt node from it, without "
        "running dbt while the DAG is parsed; a missing or stale manifest makes dbt one task.",
    ),
    Command(
        "dbt-docs",
        "write the dbt docs site (every model and column in English and Thai) as one offline page",
        _dbt_docs,
        _dbt_docs_arguments,
        "Runs `dbt docs generate --static` for dbt_project/ on the warehouse (THANRAK_WAREHOUSE_URL, "
        "else the embedded PostgreSQL), with the THANRAK_DBT_* variables profiles.yml reads set from "
        "its URL, and writes the page to var/dbt-docs/index.html (--out to choose the folder): one "
        "file that opens offline. Prints its path. Models not built in the warehouse yet are "
        "documented without their database columns.",
    ),
    Command(
        "publish-contract",
        "rewrite docs/submission-contract.md, expectations/*.json and the contract seeds "
        "from the contract declarations",
        _publish_contract,
        description="After editing contracts/*.yaml or the rule kinds: rewrites every artefact derived "
        "from them. Tests fail while any of them is out of date.",
    ),
)


# Exit codes of every command: 0 done (for `check`: accepted), 1 and 2 `check`'s verdicts (rows
# would be quarantined, the file would be rejected), 3 the command was not given as it needs,
# 4 it broke (the error is in the words below, never a traceback).
USAGE_ERROR, INTERNAL_ERROR = 3, 4


class _Parser(argparse.ArgumentParser):
    """argparse's parser, its errors in Thai and English with their own exit code."""

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog}: ใช้คำสั่งไม่ถูกต้อง / usage error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="thanrak",
        description="Thanrak (ฐานราก): nightly provincial data for the Community Development Department.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        sub = commands.add_parser(
            command.name, help=command.help, description=command.description or command.help
        )
        if command.arguments:
            command.arguments(sub)
        sub.set_defaults(command_spec=command, command_parser=sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # A terminated command unwinds like Ctrl-C: the embedded server and Airflow are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        return args.command_spec.run(args, Settings.from_env(), args.command_parser)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as error:  # an officer or an engineer reads words, not a traceback
        logging.getLogger("thanrak").debug("command failed", exc_info=True)
        print(
            f"thanrak {args.command}: เกิดข้อผิดพลาดภายใน กรุณาแจ้งทีมข้อมูล / internal error, please tell the "
            f"data team: {type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
