"""The rules of running staff accounts: who may, the last admin, names and languages, reset links, whom a referral
may be allocated to."""

from datetime import datetime, timedelta, timezone

import pytest

from services.gateway import domain
from services.gateway.domain import CredentialError

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("role, managers_may, may", [
    ("admin", False, True), ("admin", True, True), ("manager", False, False), ("manager", True, True),
    ("advocate", True, False), ("referrer", True, False), ("commissioner", True, False), (None, True, False)])
def test_who_may_run_staff_accounts(role, managers_may, may):
    assert domain.may_administer(role, managers_may) is may


def test_a_permitted_manager_never_touches_an_admin():
    domain.check_staff_change("manager", True, None, "advocate")
    domain.check_staff_change("manager", True, "advocate", "manager")
    for before, after in ((None, "admin"), ("advocate", "admin"), ("admin", "admin"), ("admin", "manager")):
        with pytest.raises(CredentialError) as refused:
            domain.check_staff_change("manager", True, before, after)
        assert refused.value.code == "admin_only"
    with pytest.raises(CredentialError) as refused:
        domain.check_staff_change("manager", False, None, "advocate")
    assert refused.value.code == "not_admin"
    domain.check_staff_change("admin", False, "admin", "manager")


def test_the_last_active_admin_stays_one():
    for role, active in (("manager", True), ("admin", False)):
        with pytest.raises(CredentialError) as refused:
            domain.check_keeps_an_admin({"a@x.example"}, "a@x.example", role, active)
        assert refused.value.code == "last_admin"
    domain.check_keeps_an_admin({"a@x.example"}, "a@x.example", "admin", True)  # renaming them is fine
    domain.check_keeps_an_admin({"a@x.example", "b@x.example"}, "a@x.example", "manager", False)
    domain.check_keeps_an_admin({"a@x.example"}, "c@x.example", "advocate", False)  # someone else entirely


def test_a_name_is_one_tidy_line_and_defaults_to_the_email():
    assert domain.check_name("  Elin   Jones ", "e@x.example") == "Elin Jones"
    assert domain.check_name("", "e@x.example") == domain.check_name(None, "e@x.example") == "e@x.example"
    for bad, code in (("Elin\nJones", "name"), ("Elin\u202eJones", "name"), ("x" * 101, "name_long")):
        with pytest.raises(CredentialError) as refused:
            domain.check_name(bad, "e@x.example")
        assert refused.value.code == code


def test_languages_are_the_services_own_in_its_order():
    assert domain.check_languages(["EN", " cy", "en"]) == ["cy", "en"]
    assert domain.check_languages([]) == []
    with pytest.raises(CredentialError, match="not fr"):
        domain.check_languages(["fr"])


def test_an_old_account_is_shown_by_its_email():
    assert domain.display_name({"email": "e@x.example"}, "e@x.example") == "e@x.example"
    assert domain.display_name(None, "e@x.example") == "e@x.example"
    assert domain.display_name({"name": "Elin"}, "e@x.example") == "Elin"


def link(**changes) -> tuple[dict, dict]:
    reset = {"id": "d1", "expires_at": (NOW + timedelta(hours=24)).isoformat(), "used_at": None, **changes}
    return reset, {"reset_id": "d1", "disabled": False}


def test_a_reset_link_works_once_within_its_day_for_an_active_account():
    reset, user = link()
    assert domain.reset_link_usable(reset, user, NOW + timedelta(hours=23)) is None
    assert domain.reset_link_usable(reset, user, NOW + domain.RESET_LINK_LASTS) == "expired"
    assert domain.reset_link_usable(link(used_at=NOW.isoformat())[0], user, NOW) == "used"
    assert domain.reset_link_usable(reset, {**user, "reset_id": "newer"}, NOW) == "used"
    assert domain.reset_link_usable(reset, {**user, "disabled": True}, NOW) == "unknown"
    assert domain.reset_link_usable(None, user, NOW) == "unknown"
    assert domain.RESET_LINK_LASTS == timedelta(hours=24)


def test_admins_sign_in_but_the_work_pages_are_not_theirs():
    assert "admin" in domain.SIGN_IN_ROLES and "admin" not in domain.WEB_ROLES
    assert "commissioner" not in domain.WEB_ROLES


ADVOCATES = [
    ("zeta@x.example", {"name": "Zeta", "languages": ["cy"]}),
    ("alys@x.example", {"name": "Alys", "languages": ["en"]}),
    ("bryn@x.example", {"name": "Bryn", "languages": ["cy", "en"]}),
    ("old@x.example", {}),
    ("gone@x.example", {"name": "Gone", "languages": ["cy"], "disabled": True}),
    ("locked@x.example", {"name": "Locked", "languages": ["cy"]}),
]


def test_advocates_offered_for_a_child_who_asked_for_welsh_speak_it_first():
    offered = domain.advocate_choices(ADVOCATES, {"locked@x.example"}, "bryn@x.example", welsh_wanted=True)
    assert [(email, welsh) for email, _, welsh in offered] == [
        ("zeta@x.example", True), ("alys@x.example", False), ("old@x.example", False)]


def test_advocates_offered_otherwise_are_by_name():
    offered = domain.advocate_choices(ADVOCATES, set(), None, welsh_wanted=False)
    assert [email for email, _, _ in offered] == [
        "alys@x.example", "bryn@x.example", "locked@x.example", "old@x.example", "zeta@x.example"]
