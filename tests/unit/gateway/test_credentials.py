"""Credentials and roles: pure rules of the gateway."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.gateway import domain


def test_a_new_credential_parses_back_and_only_its_secret_matches_its_digest():
    credential = domain.new_credential(domain.API_KEY)
    parsed = domain.parse_credential(credential.text)
    assert parsed == credential
    assert domain.secret_matches(credential.secret, domain.digest(credential.secret))
    assert not domain.secret_matches(credential.secret + "x", domain.digest(credential.secret))
    assert credential.secret not in domain.digest(credential.secret)


@pytest.mark.parametrize("text", ["", "Bearer x", "llk_short_secret", "llx_0123456789abcdef_" + "a" * 48,
                                  "llk_0123456789abcdef_" + "a" * 10, "llk_0123456789ABCDEF_" + "a" * 48])
def test_anything_else_is_not_a_credential(text):
    assert domain.parse_credential(text) is None


def test_passwords_are_argon2_and_at_least_12_characters():
    hashed = domain.hash_password("correct horse battery")
    assert hashed.startswith("$argon2")
    assert domain.password_matches("correct horse battery", hashed)
    assert not domain.password_matches("correct horse batterY", hashed)
    assert not domain.password_matches("anything", "not-a-hash")
    with pytest.raises(domain.CredentialError, match="at least 12"):
        domain.hash_password("short")


@pytest.mark.parametrize("email, role, council, known, says", [
    ("not-an-email", "manager", None, False, "not an email"),
    ("a@b.org", "wizard", None, False, "role must be"),
    ("a@b.org", "referrer", None, False, "give --council"),
    ("a@b.org", "manager", "CARDIFF", True, "only a referrer or a commissioner"),
    ("a@b.org", "referrer", "ATLANTIS", False, "no council"),
])
def test_a_user_who_cannot_be_created_is_told_why(email, role, council, known, says):
    with pytest.raises(domain.CredentialError, match=says):
        domain.check_new_user(email, role, council, known)


@pytest.mark.parametrize("role, council, region, says", [
    ("commissioner", None, None, "give --council CODE or --region CODE"),
    ("commissioner", "CARDIFF", "cardiff-vale", "give --council CODE or --region CODE"),
    ("commissioner", None, "atlantis", "no region"),
    ("manager", None, "cardiff-vale", "only a commissioner is bound to a region"),
    ("referrer", "CARDIFF", "cardiff-vale", "only a commissioner is bound to a region"),
])
def test_a_commissioner_is_bound_to_one_council_or_one_region(role, council, region, says):
    with pytest.raises(domain.CredentialError, match=says):
        domain.check_new_user("c@council.example", role, council, True, region, region == "cardiff-vale")
    assert domain.check_new_user("c@council.example", "commissioner", None, False, "cardiff-vale", True)
    assert domain.check_new_user("c@council.example", "commissioner", "CARDIFF", True)


def test_emails_are_normalised():
    assert domain.check_new_user("  Manager@Example.ORG ", "manager", None, False) == "manager@example.org"


def test_tokens_last_a_bounded_time():
    start = datetime(2026, 11, 23, tzinfo=timezone.utc)
    assert (domain.token_expiry(start, 12) - start).total_seconds() == 12 * 3600
    for hours in (0, -1, 24 * 31):
        with pytest.raises(domain.CredentialError):
            domain.token_expiry(start, hours)


def test_who_may_call_what():
    council = domain.Principal("council", "k1", council="CARDIFF")
    manager = domain.Principal("staff", "m@x.org", role="manager")
    referrer = domain.Principal("staff", "r@x.org", council="CARDIFF", role="referrer")
    assert domain.may(council, council=True) and not domain.may(council, roles=("manager",))
    assert domain.may(manager, roles=("manager",)) and not domain.may(manager, council=True)
    assert not domain.may(referrer, council=True, roles=("advocate", "manager"))
