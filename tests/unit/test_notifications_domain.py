"""Pure delivery rules: reply verdicts, back-off, Message-IDs, statuses, language choice."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.domain.mail import (
    DEFAULT_LANGUAGE,
    FINAL_STATUSES,
    TRANSITIONS,
    MailStatus,
    can_transition,
    choose_language,
    message_id,
    require_transition,
)
from services.notifications.domain.replies import (
    RetryPolicy,
    SmtpReply,
    Stage,
    Verdict,
    classify_reply,
    retry_delay,
    status_after_attempt,
)
from services.notifications.domain.sessions import audience_includes, change_order
from shared.errors import Conflict

# --- SMTP reply classification --------------------------------------------------------------


@pytest.mark.parametrize("code", [421, 450, 451, 452])
@pytest.mark.parametrize("stage", list(Stage))
def test_transient_replies_are_retried_and_never_suppress(code: int, stage: Stage) -> None:
    result = classify_reply(SmtpReply(code, "try again later", stage))
    assert result.verdict is Verdict.RETRY
    assert result.suppress is False


@pytest.mark.parametrize("code", [500, 550, 551, 552, 553, 554])
@pytest.mark.parametrize("stage", [Stage.MAIL, Stage.DATA, Stage.CONNECT, None])
def test_permanent_replies_outside_rcpt_fail_without_suppressing(
    code: int, stage: Stage | None
) -> None:
    result = classify_reply(SmtpReply(code, "rejected", stage))
    assert result.verdict is Verdict.FAIL
    assert result.suppress is False


@pytest.mark.parametrize(
    ("code", "suppress"),
    [(500, False), (550, True), (551, True), (552, False), (553, True), (554, False)],
)
def test_only_hard_bounces_on_rcpt_suppress_the_address(code: int, suppress: bool) -> None:
    result = classify_reply(SmtpReply(code, "5.1.1 no such user", Stage.RCPT))
    assert result.verdict is Verdict.FAIL
    assert result.suppress is suppress


@pytest.mark.parametrize("code", [250, 251, 200, 299])
def test_2xx_is_delivered(code: int) -> None:
    assert classify_reply(SmtpReply(code, "OK", Stage.DATA)).verdict is Verdict.DELIVERED


@pytest.mark.parametrize("code", [399, 400, 499])
def test_class_boundaries_below_5xx_retry(code: int) -> None:
    assert classify_reply(SmtpReply(code, "?", Stage.DATA)).verdict is Verdict.RETRY


@pytest.mark.parametrize("code", [500, 599])
def test_class_boundaries_of_5xx_fail(code: int) -> None:
    assert classify_reply(SmtpReply(code, "?", Stage.DATA)).verdict is Verdict.FAIL


def test_no_reply_is_retried_unless_permanent() -> None:
    assert classify_reply(SmtpReply(None, "connection reset")).verdict is Verdict.RETRY
    refused = classify_reply(SmtpReply(None, "address not encodable", permanent=True))
    assert refused.verdict is Verdict.FAIL
    assert refused.suppress is False


def test_reply_text_keeps_the_code() -> None:
    assert str(SmtpReply(550, "5.1.1 no such user", Stage.RCPT)) == "550 5.1.1 no such user"
    assert str(SmtpReply(None, "TimeoutError: timed out")) == "no reply: TimeoutError: timed out"


# --- Status after a try -----------------------------------------------------------------------


def test_retry_until_the_last_attempt_then_fail() -> None:
    assert status_after_attempt(Verdict.RETRY, attempts=1, max_attempts=3) is MailStatus.RETRYING
    assert status_after_attempt(Verdict.RETRY, attempts=2, max_attempts=3) is MailStatus.RETRYING
    assert status_after_attempt(Verdict.RETRY, attempts=3, max_attempts=3) is MailStatus.FAILED


def test_delivery_on_the_last_attempt_counts_as_sent() -> None:
    assert status_after_attempt(Verdict.DELIVERED, attempts=3, max_attempts=3) is MailStatus.SENT


def test_permanent_failure_fails_at_once() -> None:
    assert status_after_attempt(Verdict.FAIL, attempts=1, max_attempts=8) is MailStatus.FAILED


@pytest.mark.parametrize("verdict", list(Verdict))
@pytest.mark.parametrize("attempts", [1, 2, 8, 9])
def test_every_outcome_of_a_try_is_a_legal_step_from_sending(
    verdict: Verdict, attempts: int
) -> None:
    status = status_after_attempt(verdict, attempts=attempts, max_attempts=8)
    assert can_transition(MailStatus.SENDING, status)


def test_final_statuses_go_nowhere_and_every_other_can_be_sent() -> None:
    assert {MailStatus.SENT, MailStatus.FAILED, MailStatus.SUPPRESSED} == FINAL_STATUSES
    for status in FINAL_STATUSES:
        assert not any(can_transition(status, target) for target in MailStatus)
    for status in set(TRANSITIONS) - FINAL_STATUSES:
        assert can_transition(status, MailStatus.SENDING)
        assert can_transition(status, MailStatus.SUPPRESSED)
    assert not can_transition(MailStatus.QUEUED, MailStatus.SENT)
    assert not can_transition(MailStatus.RETRYING, MailStatus.FAILED)


@pytest.mark.parametrize("current", list(MailStatus))
@pytest.mark.parametrize("target", list(MailStatus))
def test_a_transition_the_machine_forbids_is_refused(
    current: MailStatus, target: MailStatus
) -> None:
    if can_transition(current, target):
        require_transition(current, target)
        return
    with pytest.raises(Conflict) as refused:
        require_transition(current, target)
    assert refused.value.code == "mail_transition_forbidden"
    assert str(current) in refused.value.detail and str(target) in refused.value.detail


# --- Back-off ---------------------------------------------------------------------------------


def test_backoff_doubles_from_the_base_within_its_upper_half() -> None:
    low = [retry_delay(n, base_s=30, max_s=3600, rand=lambda: 0.0) for n in range(1, 6)]
    high = [retry_delay(n, base_s=30, max_s=3600, rand=lambda: 1.0) for n in range(1, 6)]
    assert low == [15.0, 30.0, 60.0, 120.0, 240.0]
    assert high == [30.0, 60.0, 120.0, 240.0, 480.0]


def test_backoff_is_capped() -> None:
    assert retry_delay(8, base_s=30, max_s=3600, rand=lambda: 1.0) == 3600.0
    assert retry_delay(8, base_s=30, max_s=3600, rand=lambda: 0.0) == 1800.0
    # Far past the cap, with no float overflow.
    assert retry_delay(10_000, base_s=30, max_s=3600, rand=lambda: 0.5) == 2700.0


def test_backoff_at_the_cap_boundary() -> None:
    # 30 · 2^6 = 1920 < 3600 < 3840 = 30 · 2^7: the 8th try is the first one capped.
    assert retry_delay(7, base_s=30, max_s=3600, rand=lambda: 1.0) == 1920.0
    assert retry_delay(8, base_s=30, max_s=3600, rand=lambda: 1.0) == 3600.0


def test_backoff_refuses_a_try_count_below_one() -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        retry_delay(0, base_s=1, max_s=10)


@given(
    attempts=st.integers(min_value=1, max_value=200),
    base=st.floats(min_value=0.01, max_value=600),
    cap=st.floats(min_value=0.01, max_value=86_400),
    draw=st.floats(min_value=0.0, max_value=1.0),
)
def test_backoff_always_within_half_ceiling_and_ceiling(
    attempts: int, base: float, cap: float, draw: float
) -> None:
    ceiling = min(cap, base * 2.0 ** min(attempts - 1, 60))
    delay = retry_delay(attempts, base_s=base, max_s=cap, rand=lambda: draw)
    assert ceiling / 2 <= delay <= ceiling <= cap


def test_policy_uses_its_random_source() -> None:
    policy = RetryPolicy(max_attempts=5, base_s=2, max_s=100, rand=lambda: 0.5)
    assert policy.delay(3) == 6.0


# --- Message-ID ----------------------------------------------------------------------------


def test_message_id_is_a_function_of_the_unique_key_only() -> None:
    event_id = uuid.uuid4()
    first = message_id(
        event_id=event_id, recipient="maija@example.fi", template="t", domain="kanta.example"
    )
    again = message_id(
        event_id=event_id, recipient=" Maija@Example.FI ", template="t", domain="kanta.example"
    )
    assert first == again
    assert first.startswith("<") and first.endswith("@kanta.example>")
    assert uuid.UUID(first[1:].split("@")[0]).version == 5


def test_message_id_differs_when_any_part_of_the_key_differs() -> None:
    event_id = uuid.uuid4()

    def mid(
        event: uuid.UUID = event_id, recipient: str = "a@example.fi", template: str = "t"
    ) -> str:
        return message_id(event_id=event, recipient=recipient, template=template, domain="k.fi")

    ids = {mid(), mid(event=uuid.uuid4()), mid(recipient="b@example.fi"), mid(template="u")}
    assert len(ids) == 4


# --- Language ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_an_available_language_is_kept(language: str) -> None:
    assert choose_language(language, {"fi", "sv", "en"}) == language


@pytest.mark.parametrize("language", ["de", "se", "", None, "en"])
def test_a_missing_language_falls_back_to_finnish(language: str | None) -> None:
    assert choose_language(language, {"fi", "sv"}) == DEFAULT_LANGUAGE == "fi"


def test_changes_read_time_first_then_place_then_the_rest_by_name() -> None:
    fields = ["zeta", "place", "ends_at", "alpha", "starts_at", "online_url"]
    assert change_order(fields) == [
        "starts_at",
        "ends_at",
        "place",
        "online_url",
        "alpha",
        "zeta",
    ]
    assert change_order([]) == []


@pytest.mark.parametrize(
    ("services", "domains", "expected"),
    [
        (None, None, True),
        (["prescription"], None, True),
        (["patient_data_repository"], None, False),
        (None, ["pharmacy"], True),
        (None, ["social_welfare"], False),
        (["prescription"], ["health_care", "pharmacy"], True),
    ],
)
def test_a_session_audience_is_everyone_unless_narrowed(
    services: list[str] | None, domains: list[str] | None, expected: bool
) -> None:
    assert (
        audience_includes(
            services=services, domains=domains, service="prescription", domain="pharmacy"
        )
        is expected
    )
