"""The `thanrak` command: `thanrak demo`, `thanrak generate`, `thanrak migrate`, `thanrak check`,
`thanrak grant-province-login`, `thanrak publish-contract`."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import time
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="thanrak",
        description="Thanrak (ฐานราก): nightly provincial data for the Community Development Department.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="generate one night for all 76 provinces and run the nightly DAG through Airflow",
        description="Generates a night of deliveries, runs thanrak_nightly through Airflow on the "
        "warehouse (THANRAK_WAREHOUSE_URL, or an embedded PostgreSQL) and prints a summary.",
    )
    demo.add_argument("--night", type=_night, default=_yesterday(), help="night to run (default: yesterday)")
    demo.add_argument(
        "--scale", type=float, default=1.0, help="multiplies the rows of every file (default 1)"
    )

    generate = commands.add_parser("generate", help="write a night of realistic provincial files")
    generate.add_argument(
        "--night", type=_night, default=_yesterday(), help="night of delivery (default: yesterday)"
    )
    generate.add_argument(
        "--out", type=Path, help="landing folder (default: THANRAK_LANDING_DIR or var/landing)"
    )
    generate.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiplies the rows of every file; 168 gives a national household survey (~12.8 M rows)",
    )
    generate.add_argument("--provinces", nargs="*", help="province codes (default: all 76)")
    generate.add_argument("--datasets", nargs="*", choices=DATASETS, help="datasets (default: all five)")
    generate.add_argument("--defect-rate", type=float, default=0.01, help="share of rows with a defect")
    generate.add_argument("--file-defects", type=int, default=3, help="files spoilt as a whole")
    generate.add_argument("--seed", type=int, default=2569)

    check = commands.add_parser(
        "check",
        help="check one file against the contract before sending it (no warehouse needed)",
        description="Runs the submission contract and the validation rules on one file and prints every "
        "problem in Thai and English with its row number. Exit 0: accepted; 1: some rows would be "
        "quarantined; 2: the file would be rejected.",
    )
    check.add_argument("file", type=Path)
    check.add_argument(
        "--dataset", choices=DATASETS, help="default: from the folder <province>/<dataset>/<YYYY-MM>/"
    )
    check.add_argument("--province", help="2-digit province code (default: from the folder)")
    check.add_argument("--period", help="reporting month YYYY-MM (default: from the folder)")

    commands.add_parser("migrate", help="create or upgrade the warehouse schemas and reference data")
    province_login = commands.add_parser(
        "grant-province-login",
        help="create or update a login that reads one province's rows of the marts",
        description="Creates LOGIN_NAME (or updates its password) as a member of "
        "thanrak_province_reader_<PROVINCE_CODE>: through row-level security it reads only that "
        "province's rows of the marts (grant several provinces to one login by running it again). "
        "The password is read from THANRAK_PROVINCE_LOGIN_PASSWORD, else from standard input.",
    )
    province_login.add_argument("province_code", help="2-digit DOPA province code, e.g. 40")
    province_login.add_argument("login_name")
    commands.add_parser(
        "dbt-manifest",
        help="write the dbt manifest the nightly DAG renders its dbt tasks from (dbt parse; "
        "after changing dbt_project/, or when building a deployment)",
    )
    commands.add_parser(
        "publish-contract",
        help="rewrite docs/submission-contract.md and expectations/*.json from the contract declarations",
    )

    args = parser.parse_args(argv)
    # A terminated command unwinds like Ctrl-C: the embedded server and Airflow are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    settings = Settings.from_env()
    if args.command == "demo":
        from thanrak.demo.run import run_demo

        return run_demo(settings, args.night, scale=args.scale)
    if args.command == "generate":
        from thanrak.demo.generator import generate_night

        out = args.out or settings.landing_dir
        result = generate_night(
            out,
            args.night,
            seed=args.seed,
            provinces=args.provinces,
            datasets=tuple(args.datasets or DATASETS),
            scale=args.scale,
            defect_rate=args.defect_rate,
            file_defects=args.file_defects,
        )
        manifest = settings.var_dir / "generated" / f"{args.night}.json"
        manifest.parent.mkdir(parents=True, exist_ok=True)
        manifest.write_text(result.to_json())
        print(
            f"wrote {len(result.files)} files, {result.total_rows:,} rows, {len(result.defects)} injected defects to {out}; defects listed in {manifest}"
        )
        return 0
    if args.command == "check":
        from thanrak.validate.check import check_file, slot_from_path

        if not args.file.is_file():
            parser.error(f"no such file: {args.file}")
        province, dataset, period = slot_from_path(args.file) or (None, None, None)
        province, dataset, period = args.province or province, args.dataset or dataset, args.period or period
        if not (province and dataset and period):
            parser.error(
                "say --dataset, --province and --period, or put the file in <province>/<dataset>/<YYYY-MM>/"
            )
        result = check_file(args.file, dataset=dataset, province=province, period=period)
        print("\n".join(result.lines))
        verdict = {
            "accepted": "ผ่าน ส่งได้ / ACCEPTED",
            "rows_quarantined": "บางแถวไม่ผ่าน / SOME ROWS WOULD BE QUARANTINED",
            "rejected": "ไม่รับไฟล์ / REJECTED",
        }[result.verdict]
        print(verdict)
        return result.exit_code
    if args.command == "dbt-manifest":
        from thanrak.orchestration.cosmos import write_manifest

        print(f"dbt manifest: {write_manifest(settings, force=True)}")
        return 0
    if args.command == "migrate":
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
    if args.command == "grant-province-login":
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
    if args.command == "publish-contract":
        from thanrak.publish import publish

        for path in publish():
            print(f"wrote {path}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
