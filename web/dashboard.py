"""The results dashboard: what a creditor's operator (or the agency's staff) buys Amicable for,
as charts with their tables and CSV downloads.

- `GET /dashboard`: the page. Filters are a plain GET form, so a view is a URL one can share
  and the page works from the keyboard and without scripts (the tables are server-rendered);
  the charts are drawn by Plotly from the same numbers, embedded in the page as JSON.
- `GET /dashboard/data`: every figure for the chosen filters, as JSON.
- `GET /dashboard/{figure}.csv`: one figure's table.
- `GET /dashboard/plotly.min.js`: Plotly's JavaScript from the installed `plotly` package
  (nothing from a CDN), cached by browsers for a year: its URL carries the package's version.

Who sees what: a signed-in agent or supervisor (the console's session cookie, `current_agent`).
An operator of a creditor (`Agent.creditor_id`) sees that creditor only, whatever the URL says;
the agency's staff see every creditor, or the one they choose. Not signed in: the page sends
the browser to the console's sign-in, the data and CSV answer 401.

Every number comes from amicable/services/figures.py; this module only chooses the words
(web/texts.py, in the operator's language), formats numbers for people and builds the charts.
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from importlib.metadata import version
from typing import Any, Literal
from urllib.parse import urlencode

from babel.numbers import format_decimal, format_percent, get_decimal_symbol, get_group_symbol
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from amicable.db.models import Agent
from amicable.language import LOCALES
from amicable.money import display as money
from amicable.outreach import experiments
from amicable.services import figures
from api.deps import SessionDep, SettingsDep
from web import templates, texts
from web.agent_console import AgentDep, current_agent

router = APIRouter(prefix="/dashboard", tags=["dashboard"], include_in_schema=False)
LANGUAGES = ("en", "fr", "nl")
NO_STORE = {"Cache-Control": "no-store"}
# Distinct for people who do not see every colour, and at least 3:1 against white (WCAG's
# contrast for graphics): Okabe-Ito's hues, darkened where they were too light.
PALETTE = ("#0b5cad", "#b34700", "#1e7b4f", "#8a3c9e", "#a0324e", "#5c6b00", "#00708a", "#6b4e16")
TEXT = "#1b2430"
FONT = 'system-ui, -apple-system, "Segoe UI", sans-serif'


# --- what was asked -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    scope: figures.Scope
    by: Literal["week", "month"] = "month"
    days: int = figures.PAY_DAYS
    lang: str = "en"

    def query(self, **changed: object) -> str:
        """The URL query of these filters (with `changed` values), for links that keep them."""
        scope = self.scope
        values: dict[str, object] = {
            "creditor": scope.creditor_id,
            "from": scope.start.isoformat() if scope.start else "",
            "to": scope.end.isoformat() if scope.end else "",
            "channel": scope.channel,
            "language": scope.language,
            "country": scope.country,
            "step": scope.step,
            "variant": scope.variant,
            "by": self.by,
            "days": self.days,
            "lang": self.lang,
            **changed,
        }
        return urlencode({k: v for k, v in values.items() if v is not None})


def _bad(message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, message)


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad(f"{name} must be a date like 2026-03-31") from None


def _default_start(today: date) -> date:
    """The first day of the month eleven months ago: twelve whole months with this one."""
    month = today.year * 12 + today.month - 1 - 11
    return date(month // 12, month % 12 + 1, 1)


def filters(request: Request, agent: Agent) -> Filters:
    """The filters of the request, with the operator's creditor imposed on them: an operator of
    a creditor cannot ask for another (the `creditor` parameter is then ignored)."""
    params = request.query_params

    def text(name: str) -> str | None:
        value = params.get(name, "").strip()
        if len(value) > 80:
            raise _bad(f"{name} is too long")
        return value or None

    creditor_id = agent.creditor_id
    if creditor_id is None and text("creditor"):
        try:
            creditor_id = int(text("creditor") or "")
        except ValueError:
            raise _bad("creditor must be a creditor's id") from None
    today = datetime.now(UTC).date()
    # No dates asked: the last twelve months. Dates cleared in the form: no bound.
    start = _date(params.get("from", "").strip(), "from") if "from" in params else _default_start(today)
    end = _date(params.get("to", "").strip(), "to") if "to" in params else today
    if start and end and start > end:
        start, end = end, start
    by = text("by") or "month"
    if by not in ("week", "month"):
        raise _bad("by is week or month")
    try:
        days = int(text("days") or figures.PAY_DAYS)
    except ValueError:
        raise _bad("days must be a whole number") from None
    if not 1 <= days <= 90:
        raise _bad("days must be between 1 and 90")
    scope = figures.Scope(
        creditor_id=creditor_id,
        start=start,
        end=end,
        channel=text("channel"),
        language=text("language"),
        step=text("step"),
        variant=text("variant"),
        country=text("country"),
    )
    return Filters(scope, by, days, texts.page_language(request))  # type: ignore[arg-type]


# --- a figure as people read it ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    # text, label:<kind> (a code shown by its words), int, money, rate, interval, number,
    # pvalue, period
    kind: str


@dataclass
class View:
    name: str
    title: str
    definition: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    plot: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)
    # The columns' headers in the operator's language (the JSON's labels).
    labels: list[str] = field(default_factory=list)
    # The table as the page shows it: by default the columns, formatted; a builder may lay it
    # out otherwise (the recovery curves: a row per day, a column per cohort).
    headers: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Words:
    """The operator's language: its words, and the locale that formats its numbers."""

    t: dict[str, str]
    locale: str
    by: str

    def label(self, kind: str, code: object) -> str:
        if code in (figures.ALL, "unknown"):
            return self.t[str(code)]
        return texts.dashboard_label(self.t, kind, str(code))

    def percent(self, value: float | None) -> str:
        return "–" if value is None else format_percent(value, "#,##0.0%", locale=self.locale)

    def cell(self, column: Column, row: dict[str, Any]) -> str:
        value = row.get(column.key)
        kind = column.kind
        if kind.startswith("label:"):
            return self.label(kind.split(":", 1)[1], value)
        if value is None:
            return "–"
        if kind == "money":
            return money(value, row["currency"], self.locale)
        if kind == "rate":
            return self.percent(value)
        if kind == "interval":
            return f"{self.percent(value[0])} – {self.percent(value[1])}"
        if kind == "int":
            return format_decimal(value, locale=self.locale)
        if kind == "number":
            return format_decimal(value, "#,##0.0", locale=self.locale)
        if kind == "pvalue":
            return format_decimal(value, "0.000", locale=self.locale)
        if kind == "period":
            return value.strftime("%Y-%m") if self.by == "month" else value.isoformat()
        return str(value)


def _layout(
    words: Words,
    *,
    rate: bool = False,
    counts: list[int] | None = None,
    x_title: str = "",
    y_title: str = "",
    **extra: Any,
) -> dict:
    """Plotly's layout for every chart: the page's font and colours, the locale's separators,
    the legend above the chart; whole-number ticks for small
    `counts` (no "1.5 messages")."""
    locale = words.locale
    layout: dict[str, Any] = {
        "font": {"family": FONT, "color": TEXT, "size": 13},
        "separators": get_decimal_symbol(locale) + get_group_symbol(locale).replace("\u202f", "\u00a0"),
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 56, "r": 16, "t": 16, "b": 56},
        "height": 320,
        "colorway": list(PALETTE),
        # Above the chart, where it never meets the axis' title, however narrow the screen.
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
        "xaxis": {"title": {"text": x_title}, "automargin": True, "linecolor": "#5b6675", "tickcolor": "#5b6675"},
        "yaxis": {
            "title": {"text": y_title},
            "automargin": True,
            "rangemode": "tozero",
            "gridcolor": "#d8dee5",
            "zerolinecolor": "#5b6675",
            **({"tickformat": ".0%"} if rate else {}),
            **({"dtick": 1} if counts is not None and max(counts, default=0) <= 10 else {}),
        },
        "hoverlabel": {"font": {"family": FONT}},
    }
    for key, value in extra.items():
        layout[key] = {**layout[key], **value} if isinstance(value, dict) and key in layout else value
    return layout


def _bars(x: list[str], y: list[Any], name: str = "", rate: bool = False, **extra: Any) -> dict:
    return {
        "type": "bar",
        "x": x,
        "y": y,
        "name": name,
        "hovertemplate": ("%{y:.1%}" if rate else "%{y:,}") + "<extra>%{x}</extra>",
        **extra,
    }


def _shares_view(
    name: str, words: Words, rows: list[figures.Share], key: str, label_kind: str, base: str, count: str
) -> View:
    """A figure of shares by group: the table's columns and a bar per group."""
    data = [{key: r.key, base: r.base, count: r.count, "rate": r.rate} for r in rows]
    x = [words.label(label_kind, r.key) for r in rows]
    plot = {
        "data": [_bars(x, [r.rate for r in rows], words.t["col.rate"], rate=True)],
        "layout": _layout(words, rate=True, showlegend=False),
    }
    columns = [Column(key, f"label:{label_kind}"), Column(base, "int"), Column(count, "int"), Column("rate", "rate")]
    return View(name, "", "", columns, data, plot)


# --- the figures ------------------------------------------------------------------------------


def _collected(session: Session, f: Filters, words: Words) -> View:
    found = figures.collected(session, f.scope, f.by)
    data = [
        {"period": r.period, "currency": r.currency, "received": r.received, "refunded": r.refunded, "net": r.net}
        for r in found
    ]
    traces = []
    for currency in sorted({r.currency for r in found}):
        mine = [r for r in found if r.currency == currency]
        x = [words.cell(Column("period", "period"), {"period": r.period}) for r in mine]
        traces.append(_bars(x, [float(r.net) for r in mine], currency, hovertemplate="%{y:,.2f} " + currency))
    plot = {
        "data": traces,
        "layout": _layout(words, y_title=words.t["col.net"], xaxis={"type": "category"}, barmode="group"),
    }
    columns = [
        Column("period", "period"),
        Column("currency", "text"),
        Column("received", "money"),
        Column("refunded", "money"),
        Column("net", "money"),
    ]
    return View("collected", "", "", columns, data, plot)


def _recovery(session: Session, f: Filters, words: Words) -> View:
    found = figures.recovery(session, f.scope)
    data = [
        {
            "cohort": p.cohort,
            "currency": p.currency,
            "accounts": p.accounts,
            "placed": p.placed,
            "days": p.days,
            "recovered": p.recovered,
            "rate": p.rate,
        }
        for p in found
    ]
    several = len({p.currency for p in found}) > 1
    traces = []
    for cohort, currency in sorted({(p.cohort, p.currency) for p in found}):
        points = [p for p in found if (p.cohort, p.currency) == (cohort, currency)]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{cohort} {currency}" if several else cohort,
                "x": [p.days for p in points],
                "y": [p.rate for p in points],
                "hovertemplate": "%{y:.1%}<extra>%{fullData.name}, %{x}</extra>",
            }
        )
    plot = {"data": traces, "layout": _layout(words, rate=True, x_title=words.t["col.days"])}
    view = View("recovery", "", "", [], data, plot)
    # On the page, one row per day past due and one column per cohort: the curves as a table.
    cohorts = sorted({(p.cohort, p.currency) for p in found})
    by_point = {(p.cohort, p.currency, p.days): p for p in found}
    view.headers = [words.t["col.days"], *(f"{c} {cur}" if several else c for c, cur in cohorts)]
    view.kinds = ["int"] + ["rate"] * len(cohorts)
    for days in sorted({p.days for p in found}):
        row = [format_decimal(days, locale=words.locale)]
        for cohort, currency in cohorts:
            point = by_point.get((cohort, currency, days))
            row.append(
                f"{words.percent(point.rate)} ({money(point.recovered, currency, words.locale)})" if point else "–"
            )
        view.cells.append(row)
    for cohort, currency in cohorts:
        first = next(p for p in found if (p.cohort, p.currency) == (cohort, currency))
        view.notes.append(
            words.t["recovery.cohort"].format(
                cohort=f"{cohort} {currency}" if several else cohort,
                accounts=format_decimal(first.accounts, locale=words.locale),
                placed=money(first.placed, currency, words.locale),
            )
        )
    view.columns = [
        Column("cohort", "text"),
        Column("currency", "text"),
        Column("accounts", "int"),
        Column("placed", "money"),
        Column("days", "int"),
        Column("recovered", "money"),
        Column("rate", "rate"),
    ]
    return view


def _first_message(session: Session, f: Filters, words: Words) -> View:
    found = figures.paid_after_first_message(session, f.scope, f.days)
    rows = [r for r in found.rows if r.accounts or r.channel == figures.ALL]
    data = [
        {
            "channel": r.channel,
            "accounts": r.accounts,
            "paid_any": r.paid_any,
            "paid_any_rate": r.paid_any_rate,
            "paid_in_full": r.paid_in_full,
            "paid_in_full_rate": r.paid_in_full_rate,
        }
        for r in rows
    ]
    x = [words.label("channel", r.channel) for r in rows]
    plot = {
        "data": [
            _bars(x, [r.paid_any_rate for r in rows], words.t["col.paid_any_rate"], rate=True),
            _bars(x, [r.paid_in_full_rate for r in rows], words.t["col.paid_in_full_rate"], rate=True),
        ],
        "layout": _layout(words, rate=True, barmode="group"),
    }
    columns = [
        Column("channel", "label:channel"),
        Column("accounts", "int"),
        Column("paid_any", "int"),
        Column("paid_any_rate", "rate"),
        Column("paid_in_full", "int"),
        Column("paid_in_full_rate", "rate"),
    ]
    view = View("first_message", "", "", columns, data, plot if rows[-1].accounts else None)
    if found.waiting:
        view.notes.append(words.t["waiting"].format(n=found.waiting))
    return view


def _replies(session: Session, f: Filters, words: Words) -> View:
    found = figures.reply_rate(session, f.scope)
    view = _shares_view("replies", words, found.rows, "channel", "channel", "accounts", "replied")
    if found.waiting:
        view.notes.append(words.t["waiting"].format(n=found.waiting))
    return view


def _verified(session: Session, f: Filters, words: Words) -> View:
    found = figures.verified_rate(session, f.scope)
    return _shares_view("verified", words, found.rows, "channel", "channel", "conversations", "verified")


def _outcomes(session: Session, f: Filters, words: Words) -> View:
    found = figures.conversation_outcomes(session, f.scope)
    return _shares_view("outcomes", words, found.rows, "outcome", "outcome", "conversations", "reached")


def _counts_view(name: str, words: Words, rows: list[figures.Share], key: str, kind: str, count: str) -> View:
    data = [{key: r.key, count: r.count, "rate": r.rate} for r in rows]
    x = [words.label(kind, r.key) for r in rows]
    plot = {
        "data": [_bars(x, [r.count for r in rows], words.t[f"col.{count}"])],
        "layout": _layout(words, counts=[r.count for r in rows], showlegend=False),
    }
    columns = [Column(key, f"label:{kind}"), Column(count, "int"), Column("rate", "rate")]
    return View(name, "", "", columns, data, plot)


def _promises(session: Session, f: Filters, words: Words) -> View:
    found = figures.promises(session, f.scope)
    view = _counts_view("promises", words, found.rows, "status", "promise", "promises")
    if found.kept_rate is not None:
        view.notes.append(words.t["kept_rate"].format(rate=words.percent(found.kept_rate)))
    return view


def _plans(session: Session, f: Filters, words: Words) -> View:
    return _counts_view("plans", words, figures.plans(session, f.scope), "state", "plan", "plans")


def _self_cure(session: Session, f: Filters, words: Words) -> View:
    rows = figures.self_cure(session, f.scope)
    return _shares_view("self_cure", words, rows, "group", "group", "invoices", "cured")


def _reasons(session: Session, f: Filters, words: Words) -> View:
    rows = figures.reasons(session, f.scope)
    data = [{"reason": r.key, "accounts": r.count, "rate": r.rate} for r in rows]
    labels = [words.label("reason", r.key) for r in rows]
    plot = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [r.count for r in rows],
                "y": labels,
                "name": words.t["col.accounts"],
                "hovertemplate": "%{x:,}<extra>%{y}</extra>",
            }
        ],
        "layout": _layout(
            words,
            showlegend=False,
            height=max(220, 60 + 34 * len(rows)),
            yaxis={"autorange": "reversed", "rangemode": "normal", "type": "category"},
            xaxis={
                "title": {"text": words.t["col.accounts"]},
                **({"dtick": 1} if rows and rows[0].count <= 10 else {}),
            },
        ),
    }
    columns = [Column("reason", "label:reason"), Column("accounts", "int"), Column("rate", "rate")]
    return View("reasons", "", "", columns, data, plot)


def _compliance(session: Session, f: Filters, words: Words) -> View:
    rows = figures.compliance(session, f.scope)
    data = [{"rule": r.rule, "status": r.status, "contacts": r.contacts} for r in rows]
    rules = list(dict.fromkeys(r.rule for r in rows))
    traces = []
    for held in figures.HELD:
        counts = {r.rule: r.contacts for r in rows if r.status == held}
        traces.append(_bars(rules, [counts.get(rule, 0) for rule in rules], words.label("held", held)))
    totals = [sum(r.contacts for r in rows if r.rule == rule) for rule in rules]
    plot = {
        "data": traces,
        "layout": _layout(
            words, counts=totals, barmode="stack", xaxis={"type": "category"}, legend={"traceorder": "normal"}
        ),
    }
    columns = [Column("rule", "text"), Column("status", "label:held"), Column("contacts", "int")]
    return View("compliance", "", "", columns, data, plot)


def _ab_tests(session: Session, f: Filters, words: Words) -> View:
    rows = figures.ab_tests(session, f.scope, experiments.results, experiments.payment_rate_p_value)
    data = [
        {
            "experiment": r.experiment,
            "variant": r.variant,
            "accounts": r.accounts,
            "replied": r.replied,
            "reply_rate": r.reply_rate,
            "reply_ci": r.reply_ci,
            "paid": r.paid,
            "payment_rate": r.payment_rate,
            "payment_ci": r.payment_ci,
            "median_days_to_pay": r.median_days_to_pay,
            "p_value": r.p_value,
        }
        for r in rows
    ]
    x = [f"{r.experiment}: {r.variant}" for r in rows]

    def trace(name: str, rates: list[float | None], intervals: list[tuple[float, float] | None]) -> dict:
        high = [(ci[1] - rate) if ci and rate is not None else 0 for rate, ci in zip(rates, intervals, strict=True)]
        low = [(rate - ci[0]) if ci and rate is not None else 0 for rate, ci in zip(rates, intervals, strict=True)]
        return _bars(
            x,
            rates,
            name,
            rate=True,
            error_y={"type": "data", "symmetric": False, "array": high, "arrayminus": low, "color": TEXT},
        )

    plot = {
        "data": [
            trace(words.t["col.payment_rate"], [r.payment_rate for r in rows], [r.payment_ci for r in rows]),
            trace(words.t["col.reply_rate"], [r.reply_rate for r in rows], [r.reply_ci for r in rows]),
        ],
        "layout": _layout(words, rate=True, barmode="group", xaxis={"type": "category"}),
    }
    columns = [
        Column("experiment", "text"),
        Column("variant", "text"),
        Column("accounts", "int"),
        Column("replied", "int"),
        Column("reply_rate", "rate"),
        Column("reply_ci", "interval"),
        Column("paid", "int"),
        Column("payment_rate", "rate"),
        Column("payment_ci", "interval"),
        Column("median_days_to_pay", "number"),
        Column("p_value", "pvalue"),
    ]
    return View("ab_tests", "", "", columns, data, plot)


BUILDERS: dict[str, Callable[[Session, Filters, Words], View]] = {
    "collected": _collected,
    "recovery": _recovery,
    "first_message": _first_message,
    "replies": _replies,
    "verified": _verified,
    "outcomes": _outcomes,
    "promises": _promises,
    "plans": _plans,
    "self_cure": _self_cure,
    "reasons": _reasons,
    "compliance": _compliance,
    "ab_tests": _ab_tests,
}


def _words(f: Filters) -> Words:
    return Words(texts.dashboard_texts(f.lang), LOCALES.get(f.lang, "en_GB"), f.by)


def view(session: Session, name: str, f: Filters, words: Words) -> View:
    """One figure as the page shows it: title, definition, table (cells formatted for people),
    chart; no chart when there is nothing to draw."""
    built = BUILDERS[name](session, f, words)
    t = words.t
    built.title, built.definition = t[f"{name}.title"], t[f"{name}.definition"].format(days=f.days)
    built.labels = [t.get(f"col.{c.key}", c.key) for c in built.columns]
    if not built.headers:
        built.headers = built.labels
        built.cells = [[words.cell(c, row) for c in built.columns] for row in built.rows]
        built.kinds = [c.kind.split(":")[0] for c in built.columns]
    if not built.rows or not any(
        row.get(c.key) for row in built.rows for c in built.columns if c.kind in ("int", "money", "rate")
    ):
        built.plot = None
    return built


# --- JSON and CSV ----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value as JSON carries it: money as a string (never a float), dates in ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _csv_header(column: Column, lang: str) -> list[str]:
    """Machine names with their format said in the header, as the exports do."""
    if column.kind == "money":
        return [f"{column.key} (decimal point)"]
    if column.kind == "rate":
        return [f"{column.key} (0-1)"]
    if column.kind == "interval":
        return [f"{column.key}_low (0-1)", f"{column.key}_high (0-1)"]
    if column.kind == "period":
        return [f"{column.key} (YYYY-MM-DD, first day)"]
    if column.kind.startswith("label:"):
        return [column.key, f"{column.key} ({lang})"]
    return [column.key]


def _csv_cells(column: Column, row: dict[str, Any], words: Words) -> list[str]:
    value = row.get(column.key)
    if column.kind == "interval":
        return ["", ""] if value is None else [repr(value[0]), repr(value[1])]
    if column.kind.startswith("label:"):
        return [str(value), words.cell(column, row)]
    if value is None:
        return [""]
    if isinstance(value, float):
        return [repr(value)]
    return [str(_plain(value))]


def csv_text(built: View, f: Filters, words: Words) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([h for c in built.columns for h in _csv_header(c, f.lang)])
    for row in built.rows:
        writer.writerow([cell for c in built.columns for cell in _csv_cells(c, row, words)])
    return out.getvalue()


def _scope_json(f: Filters) -> dict[str, Any]:
    return {
        "creditor": f.scope.creditor_id,
        "from": _plain(f.scope.start),
        "to": _plain(f.scope.end),
        "channel": f.scope.channel,
        "language": f.scope.language,
        "country": f.scope.country,
        "step": f.scope.step,
        "variant": f.scope.variant,
        "by": f.by,
        "days": f.days,
        "lang": f.lang,
    }


# --- routes ----------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def dashboard_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    try:
        agent = current_agent(request, session)
    except HTTPException:
        return RedirectResponse("/agent", status_code=status.HTTP_303_SEE_OTHER, headers=NO_STORE)
    f = filters(request, agent)
    words = _words(f)
    views = [view(session, name, f, words) for name in BUILDERS]
    choices = figures.options(session, agent.creditor_id)
    creditor_name = next((name for id_, name in choices.creditors if id_ == agent.creditor_id), None)
    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {
            "lang": f.lang,
            "t": words.t,
            "f": f,
            "agent": agent,
            "creditor_name": creditor_name,
            "agency": agent.creditor_id is None,
            "choices": choices,
            "channel_label": lambda code: words.label("channel", code),
            "views": views,
            "plots": {v.name: v.plot for v in views if v.plot},
            "languages": [(code, f.query(lang=code)) for code in LANGUAGES],
            "csv_query": f.query(),
            "demo": settings.amicable_demo,
            "plotly_version": version("plotly"),
        },
        headers=NO_STORE,
    )


@router.get("/data")
def dashboard_data(request: Request, agent: AgentDep, session: SessionDep) -> JSONResponse:
    """Every figure for the filters, as the page shows them: raw values (money as strings, rates
    from 0 to 1), the table's headers in the operator's language, and the chart."""
    f = filters(request, agent)
    words = _words(f)
    found = {}
    for name in BUILDERS:
        built = view(session, name, f, words)
        found[name] = {
            "title": built.title,
            "definition": built.definition,
            "columns": [{"key": c.key, "label": h} for c, h in zip(built.columns, built.labels, strict=True)],
            "rows": [{k: _plain(v) for k, v in row.items()} for row in built.rows],
            "notes": built.notes,
            "plot": built.plot,
        }
    return JSONResponse({"filters": _scope_json(f), "figures": found}, headers=NO_STORE)


@cache
def _plotly() -> tuple[bytes, bytes]:
    """Plotly's bundle from the installed package, and gzipped (5 MB becomes 1.4)."""
    from plotly.offline import get_plotlyjs

    raw = get_plotlyjs().encode("utf-8")
    return raw, gzip.compress(raw, compresslevel=6, mtime=0)


def carried_styles() -> list[str]:
    """CSP sources (by SHA-256) of the stylesheets Plotly's bundle carries as text and adds to
    the page as it loads (MapLibre's, for map charts): our own file's styles, allowed by hash
    rather than by 'unsafe-inline'. Read from the installed bundle, so an upgrade needs no
    change here (the browser test fails on any refusal)."""
    raw = _plotly()[0].decode("utf-8")
    sources = []
    for match in re.finditer(r"\.textContent=`([^`\\$]*)`", raw):
        digest = base64.b64encode(hashlib.sha256(match.group(1).encode("utf-8")).digest()).decode()
        sources.append(f"'sha256-{digest}'")
    return sources


@router.get("/plotly.min.js")
def plotly_js(request: Request) -> Response:
    """Public, like any library: it holds no data. The page asks for it with `?v=<version>`,
    so a year of caching never serves an old copy after an upgrade."""
    raw, packed = _plotly()
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        return Response(packed, media_type="text/javascript", headers={**headers, "Content-Encoding": "gzip"})
    return Response(raw, media_type="text/javascript", headers=headers)


@router.get("/{figure}.csv")
def dashboard_csv(figure: str, request: Request, agent: AgentDep, session: SessionDep) -> Response:
    if figure not in BUILDERS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such figure")
    f = filters(request, agent)
    words = _words(f)
    built = view(session, figure, f, words)
    period = "-".join(d.isoformat() for d in (f.scope.start, f.scope.end) if d) or "all"
    return Response(
        "\ufeff" + csv_text(built, f, words),  # the BOM: Excel then reads UTF-8
        media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="amicable-{figure}-{period}.csv"'},
    )
