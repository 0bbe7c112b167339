"""The operators' pages of the portfolio: the accounts list, one account with its timeline, and
the outreach plan with the A/B results.

- `GET /accounts`: the list (amicable/services/portfolio.py: its filters, sorts and cursors, not
  a copy of them) as a plain GET form, so a view is a URL one can share and the page works from
  the keyboard and without scripts.
- `GET /accounts/export.csv`: the same accounts as the API's export
  (amicable/services/exports.py), behind the sign-in rather than a Bearer key, so the list's
  "Download" link works from the browser.
- `GET /accounts/{reference}`: the account's header (balance, status, debtor), its invoices and
  its single timeline (amicable/services/timeline.py).
- `GET /outreach`: what the next campaign run would decide (`campaign.make_plan`, rolled back:
  nothing is stored or sent), and the A/B results as `amicable campaign report` counts them.

Who sees what: a signed-in agent or supervisor (the console's session cookie, `current_agent`);
not signed in, the browser is sent to the console's sign-in. An operator of a creditor
(`Agent.creditor_id`) sees that creditor's files only, whatever the URL says, and another
creditor's account answers 404 as a missing one does; the agency's staff see every creditor.

Words are in web/accounts_texts.py; web/account_words.py formats money, dates and times for
people in the operator's language (`?lang=`, else the browser's).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from amicable.db.models import Account, Agent, Creditor, Debtor
from amicable.outreach import campaign, experiments
from amicable.services import ServiceError, accounts, exports, figures, outcomes, portfolio, timeline
from amicable.services.shapes import LANGUAGES as DEBTOR_LANGUAGES
from amicable.settings import Settings
from api.deps import SessionDep, SettingsDep
from web import accounts_texts, templates
from web.account_words import Words, entry_title
from web.agent_console import current_agent

router = APIRouter(tags=["accounts pages"], include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}
PER_PAGE = (25, 50, 100)
DEFAULT_SORT = "reference"
# The sorts the form offers, each way round (portfolio.SORTS, "-" first: descending).
SORT_CHOICES = (
    "reference",
    "-reference",
    "name",
    "-name",
    "-balance",
    "balance",
    "oldest_due_on",
    "-oldest_due_on",
    "-updated_at",
    "updated_at",
    "-created_at",
    "created_at",
)
# The timeline's "Show" choices: which kinds of entry each keeps.
GROUPS: dict[str, frozenset[str]] = {
    "messages": frozenset({"conversation", "message", "contact"}),
    "money": frozenset({"invoice_issued", "invoice_due", "payment_link", "payment", "refund", "adjustment"}),
    "outreach": frozenset(
        {*(k for k in timeline.KINDS if k.startswith("outreach_")), "consent", "opt_out", "undeliverable"}
    ),
    "outcomes": frozenset({"promise", "plan", "installment", "dispute", "handoff"}),
    "notes": frozenset({"note"}),
}
PLAN_ACTIONS = ("send", "defer", "blocked", "skip")
PLAN_PAGE = 200


# --- who is asking, in which language --------------------------------------------------------


def _signed_in(request: Request, session: Session) -> Agent | None:
    try:
        return current_agent(request, session)
    except HTTPException:
        return None


def _to_sign_in() -> RedirectResponse:
    return RedirectResponse("/agent", status_code=status.HTTP_303_SEE_OTHER, headers=NO_STORE)


def _languages(request: Request, lang: str) -> list[tuple[str, str]]:
    """Links to this page in each language, keeping the rest of the query."""
    found = []
    for code in accounts_texts.LANGUAGES:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", code)]
        found.append((code, f"{quote(request.url.path, safe='/')}?{urlencode(params)}"))
    return found


def account_url(reference: str, lang: str) -> str:
    """The account page's address; a reference may hold "/", spaces or "+" (FAC/2025/00123)."""
    return f"/accounts/{quote(reference, safe='/')}?lang={lang}"


def _page(
    request: Request, name: str, words: Words, agent: Agent, settings: Settings, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page with what every page of this module shows: the operator, the language links,
    the demo notice."""
    return templates.TemplateResponse(
        request,
        name,
        {
            "lang": words.lang,
            "t": words.t,
            "w": words,
            "agent": agent,
            "demo": settings.amicable_demo,
            "languages": _languages(request, words.lang),
            "account_url": lambda reference: account_url(reference, words.lang),
            **context,
        },
        status_code=status_code,
        headers=NO_STORE,
    )


def _creditor_name(session: Session, agent: Agent) -> str | None:
    return session.get(Creditor, agent.creditor_id).name if agent.creditor_id is not None else None  # type: ignore[union-attr]


# --- the list's form --------------------------------------------------------------------------


@dataclass
class ListForm:
    """What the list was asked for: the portfolio's filters (with the operator's creditor
    imposed), the sort, the page, the values to show back in the form, and the labels of
    fields that were not understood (shown on the page, not applied)."""

    filters: portfolio.Filters
    sort: str = DEFAULT_SORT
    limit: int = 50
    cursor: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    statuses: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)

    def params(self, *, lang: str, cursor: str | None = None, paging: bool = True) -> list[tuple[str, str]]:
        items = [(key, value) for key, value in self.values.items() if value]
        items += [("status", code) for code in self.statuses]
        if self.sort != DEFAULT_SORT:
            items.append(("sort", self.sort))
        if paging and self.limit != 50:
            items.append(("limit", str(self.limit)))
        if paging and cursor:
            items.append(("cursor", cursor))
        items.append(("lang", lang))
        return items

    def query(self, *, lang: str, cursor: str | None = None, paging: bool = True) -> str:
        return urlencode(self.params(lang=lang, cursor=cursor, paging=paging))


def _amount(value: str) -> Decimal:
    """A bound typed by a person: "120", "120.50" or "120,50"; never negative."""
    amount = Decimal(value.replace(" ", "").replace(",", "."))
    if not amount.is_finite() or amount < 0 or amount > 10**9 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(value)
    return amount


def list_form(request: Request, agent: Agent, t: dict[str, str]) -> ListForm:
    """The list's filters from the query string. The operator of a creditor is held to that
    creditor: a `creditor` they send is ignored."""
    params = request.query_params
    problems: list[str] = []
    values: dict[str, str] = {}

    def text(name: str, longest: int = 200) -> str:
        value = params.get(name, "").strip()
        if len(value) > longest:
            problems.append(t[name])
            return ""
        values[name] = value
        return value

    statuses: list[str] = []
    for given in params.getlist("status"):
        for code in (part.strip() for part in given.split(",")):
            if code in portfolio.STATUSES and code not in statuses:
                statuses.append(code)
            elif code and t["status"] not in problems:
                problems.append(t["status"])
    creditor = text("creditor") if agent.creditor_id is None else ""
    if agent.creditor_id is not None:
        values.pop("creditor", None)
    country = text("country", 2).upper()
    if country and not (len(country) == 2 and country.isalpha()):
        problems.append(t["country"])
        country = values["country"] = ""
    values["country"] = country
    language = text("language", 2).lower()
    if language and language not in DEBTOR_LANGUAGES:
        problems.append(t["language"])
        language = values["language"] = ""
    q = text("q")

    overdue: int | None = None
    if raw := text("overdue_min_days", 6):
        try:
            overdue = int(raw)
            if not 0 <= overdue <= 36500:
                raise ValueError(raw)
        except ValueError:
            problems.append(t["overdue_min_days"])
            overdue, values["overdue_min_days"] = None, ""
    bounds: dict[str, Decimal | None] = {}
    for name in ("balance_min", "balance_max"):
        bounds[name] = None
        if raw := text(name, 20):
            try:
                bounds[name] = _amount(raw)
            except (ValueError, InvalidOperation):
                problems.append(t[name])
                values[name] = ""

    sort = params.get("sort", DEFAULT_SORT).strip() or DEFAULT_SORT
    if sort not in SORT_CHOICES:
        problems.append(t["sort"])
        sort = DEFAULT_SORT
    try:
        limit = int(params.get("limit", "50"))
    except ValueError:
        limit = 50
    if limit not in PER_PAGE:
        problems.append(t["per_page"])
        limit = 50
    cursor = params.get("cursor", "").strip() or None
    if cursor and len(cursor) > 1000:
        cursor = None
    filters = portfolio.Filters(
        creditor_id=agent.creditor_id,
        creditor=creditor or None,
        status=tuple(statuses),
        country=country or None,
        language=language or None,
        overdue_min_days=overdue,
        balance_min=bounds["balance_min"],
        balance_max=bounds["balance_max"],
        q=q or None,
    )
    return ListForm(filters, sort, limit, cursor, values, tuple(statuses), problems)


def _choices(session: Session, agent: Agent) -> tuple[list[str], list[str]]:
    """The creditors (agency staff only) and the debtors' countries the form offers, from the
    files in the operator's scope."""
    creditors: list[str] = []
    if agent.creditor_id is None:
        creditors = list(session.scalars(select(Creditor.name).order_by(Creditor.name)))
    countries = select(Debtor.country).join(Account, Account.debtor_id == Debtor.id).where(Debtor.country.is_not(None))
    if agent.creditor_id is not None:
        countries = countries.where(Account.creditor_id == agent.creditor_id)
    found = sorted({code.upper() for code in session.scalars(countries.distinct()) if code})
    return creditors, found


# --- routes -----------------------------------------------------------------------------------


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    agent = _signed_in(request, session)
    if agent is None:
        return _to_sign_in()
    words = Words.of(request)
    form = list_form(request, agent, words.t)
    today = date.today()  # as the API's list and exports judge "overdue"
    try:
        found = portfolio.page(session, form.filters, today, sort=form.sort, limit=form.limit, cursor=form.cursor)
    except ServiceError:
        # A cursor from another sort or an edited URL: the first page, and the page says so.
        form.problems.append(words.t["next_page"])
        form.cursor = None
        found = portfolio.page(session, form.filters, today, sort=form.sort, limit=form.limit)
    creditors, countries = _choices(session, agent)
    return _page(
        request,
        "accounts.html",
        words,
        agent,
        settings,
        creditor_name=_creditor_name(session, agent),
        form=form,
        found=found,
        today=today,
        agency=agent.creditor_id is None,
        creditors=creditors,
        countries=countries,
        statuses=portfolio.STATUSES,
        debtor_languages=DEBTOR_LANGUAGES,
        sorts=SORT_CHOICES,
        per_page=PER_PAGE,
        next_query=form.query(lang=words.lang, cursor=found.next_cursor) if found.next_cursor else None,
        first_query=form.query(lang=words.lang) if form.cursor else None,
        csv_query=form.query(lang=words.lang, paging=False),
    )


@router.get("/accounts/export.csv")
def accounts_csv(request: Request, session: SessionDep) -> Response:
    """The accounts the list's filters keep, as the API's export streams them (same columns,
    same formats stated in the header row), within the operator's creditor."""
    agent = _signed_in(request, session)
    if agent is None:
        return _to_sign_in()
    form = list_form(request, agent, accounts_texts.texts("en"))
    if form.problems:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"not understood: {', '.join(form.problems)}")
    today = date.today()
    body: Iterator[str] = exports.stream(request.app.state.sessionmaker, "accounts", form.filters, today, form.sort)
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="amicable-accounts-{today.isoformat()}.csv"',
        },
    )


def _not_found(request: Request, words: Words, agent: Agent, settings: Settings, session: Session) -> HTMLResponse:
    return _page(
        request,
        "account.html",
        words,
        agent,
        settings,
        creditor_name=_creditor_name(session, agent),
        account=None,
        status_code=status.HTTP_404_NOT_FOUND,
    )


@router.get("/accounts/{reference:path}", response_class=HTMLResponse)
def account_page(reference: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    agent = _signed_in(request, session)
    if agent is None:
        return _to_sign_in()
    words = Words.of(request)
    account = session.scalar(select(Account).where(Account.reference == reference))
    if account is None or (agent.creditor_id is not None and account.creditor_id != agent.creditor_id):
        # Another creditor's file is as missing as one that does not exist.
        return _not_found(request, words, agent, settings, session)
    state = accounts.account_state(account, outcomes.debtor_today(account))
    entries = timeline.timeline(session, account)
    show = request.query_params.get("show", "all")
    if show not in GROUPS:
        show = "all"
    kept = [e for e in entries if show == "all" or e.kind in GROUPS[show]]
    return _page(
        request,
        "account.html",
        words,
        agent,
        settings,
        creditor_name=_creditor_name(session, agent),
        account=account,
        state=state,
        credit=accounts.ledger(account)["credit"],
        entries=[(entry, entry_title(entry, words)) for entry in kept],
        total_entries=len(entries),
        show=show,
        groups=["all", *GROUPS],
        back_query=f"lang={words.lang}",
    )


def _moment(value: str) -> datetime:
    """The form's "at" (a browser's datetime-local, read as UTC) or an ISO instant with a zone."""
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@router.get("/outreach", response_class=HTMLResponse)
def outreach_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The plan for a moment (now unless asked) and the A/B results, for the operator's scope."""
    agent = _signed_in(request, session)
    if agent is None:
        return _to_sign_in()
    words = Words.of(request)
    t = words.t
    params = request.query_params
    problems: list[str] = []
    creditor_name = _creditor_name(session, agent)
    creditors: list[str] = []
    chosen, chosen_id = creditor_name, agent.creditor_id
    if agent.creditor_id is None:
        ids: dict[str, int] = {name: id_ for name, id_ in session.execute(select(Creditor.name, Creditor.id))}
        creditors = list(ids)
        asked = params.get("creditor", "").strip()
        if asked and asked not in ids:
            problems.append(t["creditor"])
        chosen = asked if asked in ids else None
        chosen_id = ids.get(asked)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    moment = now
    if raw := params.get("at", "").strip():
        try:
            moment = _moment(raw[:40])
        except ValueError:
            problems.append(t["at"])
    action = params.get("action", "").strip()
    if action and action not in PLAN_ACTIONS:
        problems.append(t["action"])
        action = ""
    try:
        page_number = max(1, int(params.get("page", "1")))
    except ValueError:
        page_number = 1

    # Planning reads the portfolio and may leave state in its session: a session of its own,
    # rolled back, so nothing of it is ever stored (as the API's /outreach/plan does).
    with request.app.state.sessionmaker() as scratch:
        try:
            report = campaign.make_plan(scratch, settings, moment, chosen)
        finally:
            scratch.rollback()
    counts = Counter(p.action for p in report.planned)
    rows = [p for p in report.planned if not action or p.action == action]
    pages = max(1, math.ceil(len(rows) / PLAN_PAGE))
    page_number = min(page_number, pages)
    shown = rows[(page_number - 1) * PLAN_PAGE : page_number * PLAN_PAGE]
    # Scoped to the creditor (figures.ab_tests restricts the counts' own queries to it): an
    # operator never sees another creditor's tests.
    variants = figures.ab_tests(
        session, figures.Scope(creditor_id=chosen_id), experiments.results, experiments.payment_rate_p_value
    )

    def link(page: int) -> str:
        query = {"creditor": chosen or "", "at": moment.strftime("%Y-%m-%dT%H:%M"), "action": action, "page": page}
        return "/outreach?" + urlencode({k: v for k, v in {**query, "lang": words.lang}.items() if v})

    return _page(
        request,
        "outreach.html",
        words,
        agent,
        settings,
        creditor_name=creditor_name,
        agency=agent.creditor_id is None,
        creditors=creditors,
        chosen=chosen,
        at_value=moment.strftime("%Y-%m-%dT%H:%M"),
        moment=moment,
        action=action,
        actions=PLAN_ACTIONS,
        counts=[(a, counts.get(a, 0)) for a in PLAN_ACTIONS],
        total=len(report.planned),
        filtered=len(rows),
        rows=shown,
        notes=report.notes,
        problems=problems,
        previous_link=link(page_number - 1) if page_number > 1 else None,
        next_link=link(page_number + 1) if page_number < pages else None,
        variants=variants,
    )
