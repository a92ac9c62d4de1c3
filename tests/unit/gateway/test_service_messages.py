"""Every message a service can answer with reads in the page's language and words: said from its rule's code and
parameters, with times as people read them, never an ISO stamp or a field name."""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import replace
from datetime import date

import pytest

from shared.config import Settings
from shared.errors import Busy, LlaisError, NotFound, Rule

from services.gateway.app import create_app as create_gateway
from services.gateway.web import service_messages

SERVICES = ("referral", "scheduling", "casework", "complaints", "reporting")
"""The services whose problems the web forms show (notify answers the council API only)."""
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _every_module_of(service: str) -> None:
    package = importlib.import_module(f"services.{service}")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"services.{service}.{module.name}")


def _subclasses(cls: type) -> list[type]:
    return [cls, *(inner for sub in cls.__subclasses__() for inner in _subclasses(sub))]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_gateway(replace(Settings(), data_dir=tmp_path_factory.mktemp("messages"), cookie_secure=False))


@pytest.fixture(scope="module")
def service_codes() -> set[str]:
    for service in SERVICES:
        _every_module_of(service)
    not_found = {cls.code for cls in _subclasses(NotFound) if "code" in vars(cls) and cls.__module__.split(".")[:2]
                 in [["services", service] for service in SERVICES]}
    return set(Rule.known) | not_found | {Busy.code}


def test_every_code_a_service_answers_with_has_a_wording(service_codes):
    assert len(service_codes) > 60, service_codes
    missing = sorted(service_codes - set(service_messages.WORDINGS))
    assert not missing, f"add a wording to web/service_messages.WORDINGS for: {missing}"


def test_every_rule_is_raised_by_its_code_and_no_error_class_goes_without_one(service_codes):
    """A state error raised without a rule would reach the page as the service's English: every rule error of the
    services names itself by a rule, so no wording is keyed by the bare class codes."""
    generic = {cls.code for cls in _subclasses(LlaisError) if cls.__module__ == "shared.errors"}
    assert not (set(service_messages.WORDINGS) - service_codes - generic), "a wording for a code no service gives"


def say(app, language: str, problem: dict) -> tuple[str | None, dict[str, list[str]]]:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        return service_messages.said(problem), service_messages.field_errors(problem)


def test_a_late_meeting_is_refused_in_welsh_with_the_deadline_as_people_read_it(app):
    from services.scheduling import domain

    refused = {"errors": {"late_reason": [str(domain.LATE_WITHOUT_REASON(meeting_by="2026-12-14T17:00:00+00:00"))]},
               "reasons": {"late_reason": [{"code": "meeting.late_reason",
                                            "meeting_by": "2026-12-14T17:00:00+00:00"}]}, "code": "refused"}
    _, welsh = say(app, "cy", refused)
    assert welsh["late_reason"] == ["Mae'r cyfarfod ar ôl ei derfyn amser, 5yp ddydd Llun 14 Rhagfyr 2026. "
                                    "Rhowch y rheswm na all fod yn gynt."]
    _, english = say(app, "en", refused)
    assert english["late_reason"] == ["The meeting is after its deadline of 5pm on Monday 14 December 2026. "
                                      "Give the reason it cannot be sooner."]
    assert not ISO_MOMENT.search(welsh["late_reason"][0] + english["late_reason"][0])
    assert "late_reason" not in welsh["late_reason"][0] + english["late_reason"][0]


def test_a_state_error_is_said_from_its_code_and_parameters_not_its_english(app):
    detail, _ = say(app, "cy", {"code": "case.issues_open", "open_issues": 2,
                                "detail": "Not now: record the outcome of every issue first (2 open)."})
    assert detail == "Cofnodwch ganlyniad pob mater yn gyntaf: mae 2 yn dal ar agor."
    detail, _ = say(app, "cy", {"code": "meeting.not_live", "meeting_status": "cancelled", "detail": "Not now: the meeting "
                                                                                            "is cancelled."})
    assert detail.startswith("Nid yw'r cyfarfod hwn wedi'i drefnu mwyach")


def test_a_message_without_a_code_is_looked_up_by_its_text_and_an_unknown_one_shown_as_written(app):
    _, fields = say(app, "cy", {"errors": {"child.date_of_birth": ["Not a real date."],
                                           "venue": ["Something new the catalogue does not know."]}})
    assert fields["child.date_of_birth"] == ["Nid yw hwn yn ddyddiad go iawn."]
    assert fields["venue"] == ["Something new the catalogue does not know."]
    detail, _ = say(app, "cy", {"code": "referral.too_old", "detail": "The child must be under 18."})
    assert detail == "The child must be under 18.", "a code said without its parameters falls back to the detail"


def test_the_rules_that_refuse_a_referral_reach_the_page_by_code(app):
    from services.referral import domain

    with pytest.raises(domain.ReferralRejected) as refused:
        domain.check_referral({"kind": "active_offer", "basis": "young_carer",
                               "child": {"date_of_birth": "1990-01-01", "contact": {}},
                               "consent": {"child_informed": False, "child_agrees": True}},
                              today=date(2026, 12, 2))
    problem = {"errors": refused.value.errors, "reasons": refused.value.reasons}
    assert set(refused.value.reasons) == set(refused.value.errors)
    _, welsh = say(app, "cy", problem)
    assert welsh["child.date_of_birth"] == ["Rhaid i'r plentyn fod o dan 18 oed (25 i bobl ifanc sy'n gadael gofal)."]
    assert welsh["child.contact"][0].startswith("Rhowch o leiaf un ffordd o gysylltu")
    assert "carer_phone" not in welsh["child.contact"][0] and "opt-outs" not in welsh["consent.child_informed"][0]
