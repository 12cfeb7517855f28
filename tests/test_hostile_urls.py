"""Every GET page, as every role, with hostile ids in the path and hostile query strings: a 4xx
or a normal page, never a 5xx (issue 15: huge ids overflowed the database's integers, garbage
dates and numbers in query strings crashed the pages that parse them).

The pages are found in ``app.url_map``, not listed, so a new page is walked too. A fixed sweep
gives every page the worst values once; hypothesis then mixes values, pages and roles.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import create_app
from scheduler.extensions import db
from scheduler.followups.operations import create_default_template
from scheduler.models import CohortBlock, PlanningPeriod, Role
from tests.conftest import _empty_all_tables, _test_config
from tests.drafts import Planned, store_draft, utc
from tests.factories import (
    PASSWORD,
    create_cohort,
    create_facilitator,
    create_learner,
    create_program,
    create_room,
    create_site,
    create_user,
)
from tests.followup_world import make_lessons
from tests.test_access_control import (
    COORDINATOR,
    FACILITATOR_OWNED,
    FACILITATOR_SELF,
    MANAGER_SELF,
    PUBLIC,
    SIGNED_IN,
    policy_of,
)

#: Every signed-in role (learners have no account: they use links, walked as anonymous).
PERSONAS = {
    "anonymous": None,
    "coordinator": "coordinator@example.com",
    "facilitator": "facilitator@example.com",
    "manager": "manager@example.com",
}

#: The query parameters the pages read (``request.args``), and some that none does.
QUERY_NAMES = ("page", "q", "start", "period", "a", "b", "program", "classroom", "next",
               "kind", "id", "x")  # fmt: skip

HOSTILE = (
    "99999999999999999999", "9223372036854775808", "2147483648", "-1", "-99999999999999999999",
    "0", "1e309", "NaN", "inf", "-inf", "²", "١٢", "৯", "0x10", " 1", "1.5", "",
    "9999-12-31", "0001-01-01", "10000-01-01", "2027-02-30", "2027-13-01", "-2027-01-01",
    "\r\n", "\x00", "\x1b[31m", "\u2028", "%", "'; DROP TABLE user; --", "<script>",
    "9" * 5000, "x" * 100_000, "/%0D%0A/x",
)  # fmt: skip


@pytest.fixture(scope="module")
def shared(database_url, tmp_path_factory):
    """One app, one small world and a signed-in client per role, for every example."""
    app = create_app(_test_config(database_url, tmp_path_factory.mktemp("hostile")))
    with app.app_context():
        _empty_all_tables()
        create_user(Role.COORDINATOR, email="coordinator@example.com")
        manager = create_user(Role.MANAGER, email="manager@example.com")
        site = create_site()
        room = create_room(site)
        program = create_program()
        learner = create_learner(site, manager=manager)
        cohort = create_cohort(program, site, learners=[learner])
        db.session.add(
            CohortBlock(
                cohort=cohort,
                start=datetime(2027, 1, 18, tzinfo=UTC),
                end=datetime(2027, 1, 23, tzinfo=UTC),
            )
        )
        facilitator = create_facilitator(
            create_user(Role.FACILITATOR, email="facilitator@example.com"), site
        )
        period = PlanningPeriod(
            name="Spring", start=date(2027, 1, 4), end=date(2027, 2, 26), timezone="UTC"
        )
        db.session.add(period)
        db.session.flush()
        store_draft(
            period,
            [Planned("S1", program, [(cohort, 1)], [(utc(2027, 1, 19, 9), facilitator, room)])],
        )
        lesson = make_lessons(1)[0]
        create_default_template([lesson] * 6)
        db.session.commit()
    clients = {}
    for persona, address in PERSONAS.items():
        client = app.test_client()
        if address:
            response = client.post("/login", data={"email": address, "password": PASSWORD})
            assert response.status_code == 302, persona
        clients[persona] = client
    yield app, clients
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def get_rules(app) -> list[str]:
    """The URL patterns of every GET page (``/sites/<int:site_id>``...)."""
    return sorted({rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods})


#: Who gets past each access policy of tests/test_access_control.py (the others are sent away
#: before any argument is read; the hypothesis test below still tries them).
LET_IN = {
    PUBLIC: tuple(PERSONAS),
    SIGNED_IN: ("coordinator", "facilitator", "manager"),
    COORDINATOR: ("coordinator",),
    FACILITATOR_SELF: ("facilitator",),
    MANAGER_SELF: ("manager",),
    FACILITATOR_OWNED: ("coordinator", "facilitator"),
}


def get_pages(app) -> list[tuple[str, tuple[str, ...]]]:
    """(URL pattern, the roles it lets in) of every GET page."""
    pages = {
        rule.rule: LET_IN[policy_of(rule.endpoint)]
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
    }
    return sorted(pages.items())


def hostile_url(pattern: str, path_value: str, query: dict[str, str]) -> str:
    """``pattern`` with every argument replaced by ``path_value``, and the query string."""
    path = ARGUMENT.sub(lambda _: quote(path_value, safe=""), pattern)
    return path + ("?" + urlencode(query) if query else "")


def status_of(client, url: str) -> int | str:
    """The response's status, or the exception a view raised (tests propagate them)."""
    try:
        with client.get(url) as response:  # closed: a file response holds its file open
            return response.status_code
    except Exception as error:  # noqa: BLE001 (any exception is the failure being looked for)
        return f"{type(error).__name__}: {str(error)[:200]}"


def crashes(clients, personas, url: str) -> list[str]:
    failures = []
    for persona in personas:
        status = status_of(clients[persona], url)
        if not isinstance(status, int) or status >= 500:
            failures.append(f"{persona} GET {url[:150]}: {status}")
    return failures


#: The fixed sweep's values: each kind of trouble once (NUL is refused before any view runs).
WORST = ("99999999999999999999", "-1", "²", "9999-12-31", "\r\n\x1b", "9" * 5000,
         "x" * 5000)  # fmt: skip


def test_every_page_survives_the_worst_values_as_every_role(shared):
    """The fixed sweep: each page once per kind of trouble (path and every query parameter)."""
    app, clients = shared
    pages = get_pages(app)
    assert len(pages) >= 40, pages  # the discovery itself works
    failures = []
    for pattern, personas in pages:
        for value in WORST:
            query = dict.fromkeys(QUERY_NAMES, value)
            failures += crashes(clients, personas, hostile_url(pattern, value, query))
            if "<" in pattern:  # a good id with a hostile query string, past the 404
                failures += crashes(clients, personas, hostile_url(pattern, "1", query))
    if failures:
        pytest.fail(f"{len(failures)} crashes:\n" + "\n".join(failures))


VALUE = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers().map(str),
    st.text(max_size=30),
    st.dates().map(date.isoformat),
    st.from_regex(r"\A[0-9]{4,6}-[0-9]{2}-[0-9]{2}\Z"),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_pages_with_mixed_hostile_values_never_answer_5xx(shared, data):
    app, clients = shared
    pattern = data.draw(st.sampled_from(get_rules(app)), label="page")
    persona = data.draw(st.sampled_from(sorted(clients)), label="persona")
    path_value = data.draw(st.one_of(st.sampled_from(["1", "2"]), VALUE), label="path")
    query = data.draw(
        st.dictionaries(st.sampled_from(QUERY_NAMES), VALUE, max_size=4), label="query"
    )
    url = hostile_url(pattern, path_value, query)
    status = status_of(clients[persona], url)
    assert isinstance(status, int) and status < 500, (persona, url[:300], status)


@pytest.mark.parametrize(
    ("persona", "url", "expected"),
    [
        ("coordinator", "/learners?page=99999999999999999999", 200),  # out of range: page 1
        ("coordinator", "/learners?page=2147483647", 404),  # in range, past the end
        ("coordinator", "/sites/99999999999999999999", 404),
        ("coordinator", "/sites/١", 404),  # the URL builder writes ASCII digits only
        ("coordinator", "/audit?period=99999999999999999999", 200),
        ("coordinator", "/audit?period=%C2%B2&page=-5", 200),
        ("coordinator", "/reports/pilot?a=99999999999999999999&b=1", 200),
        ("coordinator", "/reports/pilot?a=" + "9" * 5000 + "&b=%C2%B2", 200),
        ("manager", "/team/training?start=9999-12-31", 200),
        ("manager", "/team/training?start=0001-01-01&page=99999999999999999999", 200),
        ("manager", "/team/training.csv?start=9999-12-31", 200),
        ("coordinator", "/learners?q=" + "x" * 100_000, 200),  # cut, not "database unreachable"
        ("coordinator", "/cohorts?q=" + "%25" * 30_000, 200),
    ],
)
def test_the_urls_of_issue_15_answer_a_page_or_not_found(shared, persona, url, expected):
    _, clients = shared
    assert status_of(clients[persona], url) == expected
