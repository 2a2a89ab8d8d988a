"""#15: the registration API under generated names from every Unicode category (hypothesis).

In-process, on SQLite with the in-memory broker: every submission answers 201 or a 422
naming the field, never a 5xx; an accepted name is the text type's own normal form of what
was sent (the very same text when that was already normal), and comes back unchanged from GET.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from stdnum.fi import ytunnus

from services.registration.main import create_app
from services.registration.settings import RegistrationSettings
from shared.text import SafeLine
from tests.integration.registration_support import form, publish_period
from tests.support import bearer, running
from tests.unit.test_text_fuzz import ANY_CHARACTER

LINE = TypeAdapter(SafeLine)
NAMES = st.one_of(
    st.text(ANY_CHARACTER, max_size=30),
    st.text(
        st.sampled_from(" aä\u0301\u00a0\r\n\t\x00\x01\u0085\u2028\u202e\U0001f600"), max_size=12
    ),
    st.text(ANY_CHARACTER, min_size=195, max_size=230),
)
_SERIAL = itertools.count(1_000_000)


def next_business_id() -> str:
    """A valid business ID nobody has used in this run (one registration each)."""
    for _ in range(20):
        digits = str(next(_SERIAL))
        remainder = (
            sum(w * int(d) for w, d in zip((7, 9, 10, 5, 8, 4, 2), digits, strict=True)) % 11
        )
        if remainder == 1:  # no check digit is ever issued for these: skip the number
            continue
        business_id = f"{digits}-{0 if remainder == 0 else 11 - remainder}"
        assert ytunnus.is_valid(business_id), business_id
        return business_id
    raise AssertionError("no business ID in 20 numbers")


class Api:
    """The running app behind a portal: a sync @given test calls into its event loop."""

    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient, staff: dict[str, str]):
        self.portal, self.client, self.staff = portal, client, staff

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        kwargs.setdefault("headers", self.staff)
        return self.portal.call(lambda: self.client.request(method, url, **kwargs))


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    database = tmp_path_factory.mktemp("fuzz") / "registration.db"
    settings = RegistrationSettings(
        environment="test",
        database_url=f"sqlite+aiosqlite:///{database}",
        amqp_url="memory://",
        log_json=False,
        rate_limit_writes="1000000/minute",
    )
    app = create_app(settings)
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(running(app)) as client,
    ):
        portal.call(publish_period, app)
        yield Api(portal, client, bearer(settings, "staff"))


def submit(api: Api, change: Callable[[dict[str, Any]], None]) -> httpx.Response:
    business_id = next_business_id()
    body = form("2077474-0")
    body["organisation"]["business_id"] = business_id
    body["organisation"]["oid"] = "1.2.246.537.28.1"  # an IAH id: valid for any business ID
    change(body)
    # json.dumps escapes what UTF-8 cannot carry (a lone surrogate as \\ud800), as a client may.
    return api.request(
        "POST",
        "/v1/registrations",
        content=json.dumps(body).encode(),
        headers={**api.staff, "Content-Type": "application/json"},
    )


def check(api: Api, response: httpx.Response, name: str, field: str, read: Any) -> None:
    assert response.status_code in (201, 422), (name, response.status_code, response.text)
    try:
        expected: str | None = LINE.validate_python(name)
    except ValueError:
        expected = None
    if response.status_code == 422:
        problem = response.json()
        assert problem["code"] == "validation_error", problem
        assert field in {e["field"] for e in problem["errors"]}, problem
        assert expected is None, f"{name!r} is a valid SafeLine but was refused: {problem}"
        return
    assert expected is not None, f"{name!r} is no SafeLine but was accepted"
    created = response.json()
    assert read(created) == expected
    if expected == name:
        assert read(created) == name  # already normal: the very same text
    again = api.request("GET", f"/v1/registrations/{created['id']}")
    assert again.status_code == 200, again.text
    assert read(again.json()) == read(created)


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def run_fuzz(api: Api, field: str, place: Callable[[dict[str, Any], str], None]) -> Counter[int]:
    """Submit generated names at `field`; the statuses seen, to show both answers came."""
    read = {
        "organisation.name": lambda r: r["organisation"]["name"],
        "contacts.0.name": lambda r: r["contacts"][0]["name"],
    }[field]
    seen: Counter[int] = Counter()

    @FUZZ
    @given(NAMES)
    @example("Nul\u0000Name")
    @example("Ctrl\u0001Oy")
    @example("Oy\r\nBcc: x@example.fi")
    @example("  Esimerkki Terveys Oy  ")
    @example("A\u0301bc")  # NFC composes it
    @example("\U0001f600 Oy")
    @example("Maija\u2028Meikäläinen")
    @example("\u202eMaija")
    @example("\ud800 Oy")  # a lone surrogate, sent escaped
    def fuzz(name: str) -> None:
        response = submit(api, lambda body: place(body, name))
        seen[response.status_code] += 1
        check(api, response, name, field, read)

    fuzz()
    return seen


def test_an_organisation_name_is_201_or_422_and_reads_back_unchanged(api: Api) -> None:
    def place(body: dict[str, Any], name: str) -> None:
        body["organisation"]["name"] = name

    seen = run_fuzz(api, "organisation.name", place)
    assert set(seen) == {201, 422} and min(seen.values()) >= 10, seen


def test_a_contact_name_is_201_or_422_and_reads_back_unchanged(api: Api) -> None:
    def place(body: dict[str, Any], name: str) -> None:
        body["contacts"][0]["name"] = name

    seen = run_fuzz(api, "contacts.0.name", place)
    assert set(seen) == {201, 422} and min(seen.values()) >= 10, seen
