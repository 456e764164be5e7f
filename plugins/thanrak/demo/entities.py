"""Who the provinces report on, month after month: stable registries of Khok Nong Na plots, OTOP
producers with their products, budget projects with their units, and surveyed households.

A registry derives from (seed, province, scale) and, for what is funded per fiscal year (plots,
budget projects), the fiscal year; never from the night. A night's file for a month then
reports the entities active in that month, so the same plot_id comes back in every month of
its life with a rising progress_pct, the same producer and product pairs every month, the same
project lines every month of the project. Activities and survey visits stay events, drawn per
night, as many as the province's size gives, give or take a few percent from month to month.

Scale. At --scale 1 a province's file of a month holds about MEAN_ROWS rows on average (the
demo night, ~200k rows). Provinces are sized by their number of amphoe (`province_size`: Ubon
Ratchathani, 25 amphoe, is about twice the mean of 878 / 76). `full_scale(dataset)` is the
--scale at which the registries reach the figures of the brief (docs:
/work/shared/domain-brief.md): 4,044 Khok Nong Na plots a fiscal year in Ubon, 93,414 OTOP
producers nationally, about 100 budget projects per province, 12.8 M households a survey year.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

import geothai

from thanrak.contract.declarations import Code, Contract, code_lists, load_contract
from thanrak.thai.dates import BE_OFFSET, fiscal_year_be, fiscal_year_bounds
from thanrak.warehouse.reference import BANGKOK

# Mean rows per province per night for each dataset at --scale 1. The household survey at
# --scale 168 is about the national 12.8 million households.
MEAN_ROWS = {
    "activities": 400,
    "otop_sales": 600,
    "knn_plot_progress": 300,
    "budget_disbursement": 250,
    "bmn_households": 1000,
}
# Figures of the brief that size the registries at full scale.
UBON, UBON_PLOTS = "34", 4_044  # Khok Nong Na FY2564: 4,044 plots over Ubon's 25 amphoe (brief A)
OTOP_PRODUCERS = {"community_group": 51_787, "single_owner": 40_119}  # of 93,414 in 2021 (brief A, S24)
OTOP_PRODUCERS_TOTAL = 93_414
OTOP_PRODUCERS["sme"] = OTOP_PRODUCERS_TOTAL - sum(OTOP_PRODUCERS.values())  # the rest, ~1.6 %
# Roughly 100 projects x 10-30 units per province each month (brief D); a project's lines are
# most of the province's units (its district offices and the provincial office).
BUDGET_PROJECTS = 100
HOUSEHOLDS = 12_817_903  # surveyed in 2564 (brief S5)
# Working parameters the brief does not give (unverified):
PLOT_LIFE_MONTHS = (12, 24)  # from the first report to 100 %
PLOT_MODEL_SHARES = {"HLM": 0.9, "CLM": 0.1}  # household plots far outnumber tambon centres
PRODUCTS_PER_PRODUCER = (1, 6)
CHANNELS_PER_PRODUCER = (1, 3)
STARRED_PRODUCTS = 0.8  # products with an OPC star level; the others have none yet
ALWAYS_REPORTED = 5  # entities active in every month, so that no month's file is empty
VILLAGES_PER_TAMBON = 20
DISBURSED_BY_SEPTEMBER = (0.8, 1.0)  # a line's share of its allocation disbursed in the year
COMMITTED_AHEAD = (0.0, 0.5)  # share of the undisbursed rest already committed (PO) at any month
INCOME_CHANGE = (0.7, 1.4)  # a household's income from one survey year to another, as a factor


def cdd_provinces() -> list[str]:
    return [p.code for p in geothai.provinces() if p.code != BANGKOK]


@cache
def amphoes(province: str) -> tuple[str, ...]:
    return tuple(d.code for d in geothai.districts(province))


@cache
def tambons(province: str) -> tuple[str, ...]:
    return tuple(s.code for d in amphoes(province) for s in geothai.subdistricts(d))


@cache
def _mean_amphoes() -> float:
    provinces = cdd_provinces()
    return sum(len(amphoes(p)) for p in provinces) / len(provinces)


def units(province: str) -> tuple[str, ...]:
    """The reporting units of a province: its district offices and the provincial office."""
    return (*amphoes(province), f"{province}00")


# --------------------------------------------------------------------------------- sizes


def _mean_units() -> float:
    return _mean_amphoes() + 1


def _rows_per_entity(dataset: str) -> float:
    """Rows an entity of the registry gives in a month, on average, so that a registry of
    MEAN_ROWS / this entities (per mean province) reports about MEAN_ROWS rows a month."""
    if dataset == "knn_plot_progress":  # one cohort a year, each plot reporting for its life
        return sum(PLOT_LIFE_MONTHS) / 2 / 12
    if dataset == "otop_sales":  # one row per product and channel
        return sum(PRODUCTS_PER_PRODUCER) / 2 * sum(CHANNELS_PER_PRODUCER) / 2
    if dataset == "budget_disbursement":  # one row per line (unit), every month of the year
        return _MEAN_LINE_SHARE * _mean_units()
    return 1.0


_MEAN_LINE_SHARE = 0.8  # a project's lines cover 60-100 % of the province's units


def province_size(province: str) -> float:
    """A province's size against the mean province, by its number of amphoe (1 on average)."""
    return len(amphoes(province)) / _mean_amphoes()


def _size(dataset: str, province: str, scale: float) -> float:
    weight = 1.0 if dataset == "budget_disbursement" else province_size(province)
    return scale * MEAN_ROWS[dataset] / _rows_per_entity(dataset) * weight


def registry_size(dataset: str, province: str, scale: float) -> int:
    """Entities of one registry (a fiscal year's plots or projects, a province's producers)."""
    return max(ALWAYS_REPORTED, round(_size(dataset, province, scale)))


def full_scale(dataset: str) -> float:
    """The --scale at which a dataset reaches the brief's figures."""
    at_scale_1 = {
        "knn_plot_progress": _size("knn_plot_progress", UBON, 1) / UBON_PLOTS,
        "otop_sales": sum(_size("otop_sales", p, 1) for p in cdd_provinces()) / OTOP_PRODUCERS_TOTAL,
        "budget_disbursement": _size("budget_disbursement", UBON, 1) / BUDGET_PROJECTS,
        "bmn_households": MEAN_ROWS["bmn_households"] * len(cdd_provinces()) / HOUSEHOLDS,
    }
    return 1 / at_scale_1[dataset]


# --------------------------------------------------------------------------------- plots


@dataclass(frozen=True)
class Plot:
    plot_id: str
    tambon_code: str
    model: Code  # of plot_model: HLM household plot, CLM tambon learning centre
    area_rai: float
    first_month: dt.date  # its first report month (first day)
    progress: tuple[float, ...]  # progress_pct in each month of its life, rising to 100

    def progress_in(self, month: dt.date) -> float | None:
        """Its progress in `month`, None outside its life."""
        age = _months_between(self.first_month, month)
        return self.progress[age] if 0 <= age < len(self.progress) else None


@cache
def plot_cohort(seed: int, province: str, fiscal_year: int, scale: float) -> tuple[Plot, ...]:
    """The plots a province starts in a fiscal year: each starts in one of its months (the
    first few in October, so every month has plots) and reports every month until 100 %."""
    rng = random.Random(f"{seed}-{province}-knn_plot_progress-{fiscal_year}")
    contract = load_contract("knn_plot_progress")
    models = code_lists()["plot_model"]
    shares = [PLOT_MODEL_SHARES[m.code] for m in models]
    first = fiscal_year_bounds(fiscal_year)[0]
    plots = []
    for number in range(registry_size("knn_plot_progress", province, scale)):
        (model,) = rng.choices(models, shares)
        low, high = allowed_range(contract, "area_rai", {"plot_model": model})
        start = 0 if number < ALWAYS_REPORTED else rng.randrange(12)
        steps = list(accumulate(rng.uniform(0.5, 1.5) for _ in range(rng.randint(*PLOT_LIFE_MONTHS))))
        plots.append(
            Plot(
                plot_id=f"KNN{province}-{fiscal_year}-{number + 1:05d}",
                tambon_code=rng.choice(tambons(province)),
                model=model,
                area_rai=round(rng.uniform(low, high), 2),
                first_month=_add_months(first, start),
                progress=tuple(round(100 * step / steps[-1], 2) for step in steps),
            )
        )
    return tuple(plots)


def _plot_reports(seed: int, province: str, month: dt.date, scale: float) -> list[dict]:
    cohorts = range(fiscal_year_be(month) - math.ceil(PLOT_LIFE_MONTHS[1] / 12), fiscal_year_be(month) + 1)
    return [
        {
            "plot_id": plot.plot_id,
            "tambon_code": plot.tambon_code,
            "plot_model": plot.model,
            "area_rai": plot.area_rai,
            "progress_pct": progress,
        }
        for fiscal_year in cohorts
        for plot in plot_cohort(seed, province, fiscal_year, scale)
        if (progress := plot.progress_in(month)) is not None
    ]


# --------------------------------------------------------------------------------- OTOP


@dataclass(frozen=True)
class Product:
    product_id: str
    category: Code
    star_rating: int | None


@dataclass(frozen=True)
class Producer:
    producer_id: str
    producer_type: Code
    tambon_code: str
    products: tuple[Product, ...]
    channels: tuple[Code, ...]  # where it sells, every product through each


@cache
def producers(seed: int, province: str, scale: float) -> tuple[Producer, ...]:
    """A province's OTOP producers: types in the national shares of the brief, 1-6 products
    each, sold every month through the same 1-3 channels."""
    rng = random.Random(f"{seed}-{province}-otop_sales")
    lists = code_lists()
    types = lists["producer_type"]
    counts = [OTOP_PRODUCERS[t.code] for t in types]
    found = []
    for number in range(registry_size("otop_sales", province, scale)):
        producer_id = f"OP{province}-{number + 1:05d}"
        (producer_type,) = rng.choices(types, counts)
        products = tuple(
            Product(
                product_id=f"{producer_id}-{index + 1}",
                category=rng.choice(lists["product_category"]),
                star_rating=rng.randint(1, 5) if rng.random() < STARRED_PRODUCTS else None,
            )
            for index in range(rng.randint(*PRODUCTS_PER_PRODUCER))
        )
        channels = tuple(rng.sample(lists["sales_channel"], rng.randint(*CHANNELS_PER_PRODUCER)))
        found.append(Producer(producer_id, producer_type, rng.choice(tambons(province)), products, channels))
    return tuple(found)


def _otop_sales(seed: int, province: str, month: dt.date, scale: float) -> list[dict]:
    return [
        {
            "producer_id": producer.producer_id,
            "producer_type": producer.producer_type,
            "product_id": product.product_id,
            "product_category": product.category,
            "star_rating": product.star_rating,
            "tambon_code": producer.tambon_code,
            "channel": channel,
        }
        for producer in producers(seed, province, scale)
        for product in producer.products
        for channel in producer.channels
    ]


# --------------------------------------------------------------------------------- budget


@dataclass(frozen=True)
class BudgetLine:
    """A project's line for one unit. Its monthly rows are its standing as of each month of
    the fiscal year (October first): the year's allocation, and what was committed, disbursed
    and returned since October, never decreasing."""

    unit_code: str
    allocation: float
    committed: tuple[float, ...]  # to date, month by month
    disbursed: tuple[float, ...]
    returned: tuple[float, ...]


@dataclass(frozen=True)
class Project:
    project_code: str
    project_name: str
    fiscal_year: int
    lines: tuple[BudgetLine, ...]


@cache
def projects(seed: int, province: str, fiscal_year: int, scale: float) -> tuple[Project, ...]:
    """A province's budget projects of a fiscal year, each with lines for most of the
    province's units, reported every month of the year."""
    rng = random.Random(f"{seed}-{province}-budget_disbursement-{fiscal_year}")
    low, high = load_contract("budget_disbursement").column("allocated_baht").typical
    offices = units(province)
    return tuple(
        Project(
            project_code=f"PJ{fiscal_year}-{province}-{number + 1:03d}",
            project_name=rng.choice(PROJECT_NAMES),
            fiscal_year=fiscal_year,
            lines=tuple(
                _budget_line(rng, unit, round(rng.uniform(low, high), 2))
                for unit in sorted(
                    rng.sample(
                        offices, max(1, round(rng.uniform(2 * _MEAN_LINE_SHARE - 1, 1) * len(offices)))
                    )
                )
            ),
        )
        for number in range(registry_size("budget_disbursement", province, scale))
    )


def _budget_line(rng: random.Random, unit: str, allocation: float) -> BudgetLine:
    """Disbursement grows month by month to its share of the allocation by September;
    commitments (POs) run ahead of it; what is left unspent is returned in September."""
    final = rng.uniform(*DISBURSED_BY_SEPTEMBER)
    ahead = rng.uniform(*COMMITTED_AHEAD)
    steps = list(accumulate(rng.uniform(0.5, 1.5) for _ in range(12)))
    disbursed = tuple(round(allocation * final * step / steps[-1], 2) for step in steps)
    committed = tuple(round(d + (allocation - d) * ahead, 2) for d in disbursed)
    returned = (0.0,) * 11 + (round(allocation - disbursed[-1], 2),)
    return BudgetLine(unit, allocation, committed, disbursed, returned)


PROJECT_NAMES = (
    "ส่งเสริมสัมมาชีพชุมชน", "พัฒนาผลิตภัณฑ์ OTOP", "โคก หนอง นา พช.", "ขับเคลื่อนเศรษฐกิจฐานราก",
    "หมู่บ้านเศรษฐกิจพอเพียง", "กองทุนแม่ของแผ่นดิน", "พัฒนาศักยภาพผู้นำชุมชน", "ตลาดนัดชุมชน",
)  # fmt: skip


def _budget_lines(seed: int, province: str, month: dt.date, scale: float) -> list[dict]:
    fiscal_year = fiscal_year_be(month)
    index = _months_between(fiscal_year_bounds(fiscal_year)[0], month)
    return [
        {
            "project_code": project.project_code,
            "project_name": project.project_name,
            "unit_code": line.unit_code,
            "allocated_baht": line.allocation,
            "committed_baht": line.committed[index],
            "disbursed_baht": line.disbursed[index],
            "returned_baht": line.returned[index],
        }
        for project in projects(seed, province, fiscal_year, scale)
        for line in project.lines
    ]


# --------------------------------------------------------------------------------- households


def household(province: str, night: dt.date, index: int) -> dict:
    """The `index`-th household surveyed in a province on a calendar day. Its hash keys on the
    province, the day and the index, so a year later the same households are surveyed again
    (poverty transitions have households to follow); where it lives and how many it has come
    from the hash, and its income changes from one survey year to the next."""
    contract = load_contract("bmn_households")
    digest = hashlib.sha256(f"{province}-{night:%m-%d}-{index}".encode()).hexdigest()
    places = tambons(province)
    low, high = contract.column("members").typical
    income_low, income_high = contract.column("income_per_person_baht").typical
    survey_year = night.year + BE_OFFSET
    change = INCOME_CHANGE[0] + (INCOME_CHANGE[1] - INCOME_CHANGE[0]) * _unit(f"{digest}-{survey_year}")
    return {
        "household_hash": digest,
        "village_code": f"{places[int(digest[:8], 16) % len(places)]}{int(digest[8:12], 16) % VILLAGES_PER_TAMBON + 1:02d}",
        "members": int(low) + int(digest[12:16], 16) % int(high - low + 1),
        "survey_year": survey_year,
        "income_per_person_baht": round(
            (income_low + (income_high - income_low) * _unit(digest)) * change, 2
        ),
    }


def _unit(text: str) -> float:
    """A number in [0, 1) fixed by `text`."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:13], 16) / 16**13


# --------------------------------------------------------------------------------- SMART TAMBON

SMART_TAMBONS = (2, 6)  # target tambons per province at --scale 1 (a working figure: not verified)
SMART_START_LEVELS = (1, 3)  # a target tambon's level on a dimension in October
SMART_GAIN_PER_YEAR = (0.5, 2.5)  # how far a dimension's level rises over a fiscal year


@cache
def smart_tambons(seed: int, province: str, scale: float) -> tuple[str, ...]:
    """A province's SMART TAMBON target tambons (at least one at any scale)."""
    rng = random.Random(f"{seed}-{province}-smart_tambon")
    count = max(1, round(rng.randint(*SMART_TAMBONS) * min(scale, 1.0)))
    return tuple(sorted(rng.sample(tambons(province), min(count, len(tambons(province))))))


def _smart_tambon_levels(seed: int, province: str, month: dt.date, scale: float) -> list[dict]:
    """Every target tambon × dimension as it stands in `month`: a level that rises through the
    fiscal year from where it stood in October (the round is the fiscal year)."""
    fiscal_year = fiscal_year_be(month)
    age = _months_between(fiscal_year_bounds(fiscal_year)[0], month)
    rows = []
    for tambon in smart_tambons(seed, province, scale):
        for dimension in code_lists()["smart_dimension"]:
            rng = random.Random(f"{seed}-{tambon}-{dimension.code}-{fiscal_year}")
            start, gain = rng.randint(*SMART_START_LEVELS), rng.uniform(*SMART_GAIN_PER_YEAR)
            rows.append(
                {"tambon_code": tambon, "dimension": dimension, "level": min(5, int(start + gain * age / 11))}
            )
    return rows


# --------------------------------------------------------------------------------- Pracharath

PRACHARATH_PROJECTS = 20  # supported projects per mean province at --scale 1 (not verified)
PROJECT_MONTHS = (6, 18)  # a project's life, from planned to completed
ENTERPRISE_SHARE = 0.6  # projects run by a registered community enterprise
PRACHARATH_PROJECT_NAMES = (
    "ตลาดประชารัฐ", "แปรรูปข้าวอินทรีย์", "ท่องเที่ยวชุมชนวิถีถิ่น", "ผ้าทอมือชุมชน", "ศูนย์กระจายสินค้าชุมชน",
    "เกษตรปลอดภัยสู่ตลาด", "ผลิตภัณฑ์สมุนไพรชุมชน", "ร้านค้าชุมชนออนไลน์",
)  # fmt: skip


def _pracharath_meetings(seed: int, province: str, month: dt.date, scale: float) -> list[dict]:
    """Each body meets once a month (a working figure): its meeting number counts from October."""
    number = _months_between(fiscal_year_bounds(fiscal_year_be(month))[0], month) + 1
    return [{"body": body, "meeting_no": number} for body in code_lists()["pracharath_body"]]


@dataclass(frozen=True)
class SupportedProject:
    project_id: str
    body: Code
    enterprise_id: str | None
    tambon_code: str
    sector: Code
    value_chain_stage: Code
    first_month: dt.date
    months: int
    support: tuple[float, ...]  # to date, month by month
    members: int
    revenue: float  # a month's revenue once running


@cache
def supported_projects(seed: int, province: str, scale: float) -> tuple[SupportedProject, ...]:
    """A province's supported projects: each starts in one of the 24 months before October
    2569's fiscal year end (the first few two years before, so every month has some), runs its
    life and then reports as completed."""
    rng = random.Random(f"{seed}-{province}-pracharath_projects")
    lists = code_lists()
    low, high = load_contract("pracharath_projects").column("support_baht").typical
    found = []
    for number in range(max(ALWAYS_REPORTED, round(PRACHARATH_PROJECTS * scale * province_size(province)))):
        months = rng.randint(*PROJECT_MONTHS)
        total = rng.uniform(low, high)
        steps = list(accumulate(rng.uniform(0.5, 1.5) for _ in range(months)))
        found.append(
            SupportedProject(
                project_id=f"PR{province}-{number + 1:04d}",
                body=rng.choice(lists["pracharath_body"]),
                enterprise_id=f"{province}-{rng.randint(1, 9999):04d}/{rng.randint(1, 99)}"
                if rng.random() < ENTERPRISE_SHARE
                else None,
                tambon_code=rng.choice(tambons(province)),
                sector=rng.choice(lists["sector"]),
                value_chain_stage=rng.choice(lists["value_chain_stage"]),
                first_month=_add_months(
                    dt.date(2024, 10, 1), 0 if number < ALWAYS_REPORTED else rng.randrange(24)
                ),
                months=months,
                support=tuple(round(total * step / steps[-1], 2) for step in steps),
                members=rng.randint(10, 120),
                revenue=round(rng.uniform(5_000, 300_000), 2),
            )
        )
    return tuple(found)


def _pracharath_projects(seed: int, province: str, month: dt.date, scale: float) -> list[dict]:
    """Every project started by `month`: planned in its first month, ongoing, then completed
    (and reported as completed from then on, its support final)."""
    statuses = {c.code: c for c in code_lists()["project_status"]}
    rows = []
    for project in supported_projects(seed, province, scale):
        age = _months_between(project.first_month, month)
        if age < 0:
            continue
        status = "planned" if age == 0 else "ongoing" if age < project.months else "completed"
        rng = random.Random(f"{seed}-{project.project_id}-{month}")
        rows.append(
            {
                "project_id": project.project_id,
                "project_name": PRACHARATH_PROJECT_NAMES[
                    int(project.project_id[-4:]) % len(PRACHARATH_PROJECT_NAMES)
                ],
                "body": project.body,
                "enterprise_id": project.enterprise_id,
                "tambon_code": project.tambon_code,
                "sector": project.sector,
                "value_chain_stage": project.value_chain_stage,
                "status": statuses[status],
                "support_baht": project.support[min(age, project.months - 1)],
                "members": project.members,
                "revenue_baht": 0.0
                if status == "planned"
                else round(project.revenue * rng.uniform(0.6, 1.4), 2),
            }
        )
    return rows


# --------------------------------------------------------------------------------- Khok Nong Na's activities

# What each of the seven activities reports (docs/programmes.md): people always; sites for the
# learning centres (2), household plots (4) and tambons (5); wages for hires (3); certified
# produce for the organic standard (6). Activity 7 (the database system) is this warehouse's own
# work and is not generated.
KNN_SITES = {"2": (1, 3), "4": (5, 60), "5": (1, 4)}
KNN_PEOPLE = {"1": (20, 120), "2": (10, 80), "3": (3, 40), "4": (5, 60), "5": (10, 60), "6": (5, 30)}
KNN_CERTIFIED = (0, 10)
KNN_MONTHLY_WAGE = 9_000  # baht a month per person hired (activity 3): a working figure, not verified


def _knn_activities(seed: int, province: str, month: dt.date, scale: float) -> list[dict]:
    """Every amphoe's month for activities 1-6: activity 3 by the three groups it hires, the
    others for the public."""
    groups = {c.code: c for c in code_lists()["participant_group"]}
    rows = []
    for amphoe in amphoes(province):
        rng = random.Random(f"{seed}-{amphoe}-knn_activities-{month}")
        for activity in code_lists()["knn_activity"]:
            if activity.code not in KNN_PEOPLE:
                continue
            hired_groups = ("farmer", "new_graduate", "returnee") if activity.code == "3" else ("general",)
            for group in hired_groups:
                people = max(1, round(rng.randint(*KNN_PEOPLE[activity.code]) * min(1.0, 0.2 + scale)))
                sites = KNN_SITES.get(activity.code)
                rows.append(
                    {
                        "amphoe_code": amphoe,
                        "activity": activity,
                        "participant_group": groups[group],
                        "people": people,
                        "wages_baht": float(people * KNN_MONTHLY_WAGE) if activity.code == "3" else None,
                        "sites": rng.randint(*sites) if sites else None,
                        "certified": rng.randint(*KNN_CERTIFIED) if activity.code == "6" else None,
                    }
                )
    return rows


# --------------------------------------------------------------------------------- OTOP selection rounds

OPC_EVERY_YEARS = 2  # OPC is held every two years (brief A, S19, S20): 2565, 2567, 2569 ...
OPC_FIRST_ROUND = 2565
# OPC star levels by score (the OPC criteria: 90+ five stars, 80-89 four, 70-79 three, 50-69
# two, below 50 one).
OPC_STAR_FLOORS = ((90, 5), (80, 4), (70, 3), (50, 2), (0, 1))


def opc_round(month: dt.date) -> int | None:
    """The OPC round held in `month`'s BE year, None in a year without one."""
    year = month.year + BE_OFFSET
    return year if (year - OPC_FIRST_ROUND) % OPC_EVERY_YEARS == 0 else None


def opc_results_month(province: str) -> int:
    """The calendar month in which a province announces a round's results: spread over the
    year province by province (a working assumption: the real dates vary and are not published
    as one schedule)."""
    return cdd_provinces().index(province) % 12 + 1


def _otop_ratings(seed: int, province: str, month: dt.date, scale: float) -> list[dict]:
    """In its results month of a round year, every starred product's result; no file otherwise."""
    round_year = opc_round(month)
    if round_year is None or month.month != opc_results_month(province):
        return []
    lists = code_lists()
    rows = []
    for producer in producers(seed, province, scale):
        for product in producer.products:
            if product.star_rating is None:
                continue
            rng = random.Random(f"{seed}-{product.product_id}-{round_year}")
            score = round(min(99.0, max(30.0, 45 + 10 * product.star_rating + rng.uniform(-8, 8))), 2)
            stars = next(level for floor, level in OPC_STAR_FLOORS if score >= floor)
            rows.append(
                {
                    "product_id": product.product_id,
                    "producer_id": producer.producer_id,
                    "product_category": product.category,
                    "tambon_code": producer.tambon_code,
                    "opc_round": round_year,
                    "star_level": stars,
                    "score": score,
                    "segment": rng.choice(lists["otop_segment"]),
                    "mark_tier": rng.choice(lists["otop_mark_tier"]) if stars >= 3 else None,
                }
            )
    return rows


# --------------------------------------------------------------------------------- a month


# dataset -> the fields each row of a month's file takes from the registry
REPORTED: dict[str, Callable[[int, str, dt.date, float], list[dict]]] = {
    "knn_plot_progress": _plot_reports,
    "otop_sales": _otop_sales,
    "budget_disbursement": _budget_lines,
    "smart_tambon": _smart_tambon_levels,
    "pracharath_meetings": _pracharath_meetings,
    "pracharath_projects": _pracharath_projects,
    "knn_activities": _knn_activities,
    "otop_ratings": _otop_ratings,
}


def reported(dataset: str, seed: int, province: str, month: dt.date, scale: float) -> list[dict] | None:
    """The registry's fields of each row a province reports for `month`; None for a dataset of
    events (activities, household visits), whose rows are drawn per night; [] when a dataset
    held only when something takes place (schedule when_held) has no file this month."""
    report = REPORTED.get(dataset)
    return report(seed, province, month.replace(day=1), scale) if report else None


def allowed_range(contract: Contract, name: str, row: dict) -> tuple[float, float]:
    """The range a clean value of column `name` takes on `row`: its typical range, narrowed by
    every range_when rule that applies to the row (an HLM plot is 1-3 rai)."""
    column = contract.column(name)
    low, high = column.typical or (column.min or 0, column.max or 1000)
    for rule in contract.rules:
        if (
            rule.kind == "range_when"
            and rule.column == name
            and code_of(row.get(rule.when_column)) == rule.when_code
        ):
            low = rule.min if rule.min is not None else low
            high = rule.max if rule.max is not None else max(high, low)
    return low, high


def code_of(value) -> str | None:
    return getattr(value, "code", value)


def _months_between(first: dt.date, later: dt.date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)
