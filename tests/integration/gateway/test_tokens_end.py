"""A staff member's bearer tokens end with their password and with their account: a reset (issued by an admin, and
the new password chosen by its link) and a deactivation each leave every token they held answering 401."""

from __future__ import annotations

import uuid

from services.gateway import handlers


def _advocate(platform) -> str:
    email = f"advocate-{uuid.uuid4().hex[:6]}@provider.example"
    handlers.create_user(platform.gateway, platform.councils, email, "advocate", None, "a long enough password")
    return email


def _status(platform, token: str) -> int:
    return platform.get("/api/v1/referrals", {"Authorization": f"Bearer {token}"}).status_code


def test_an_admins_reset_ends_the_tokens_at_once_and_the_new_password_ends_any_made_meanwhile(platform):
    email = _advocate(platform)
    before = handlers.create_token(platform.gateway, email)
    assert _status(platform, before) == 200
    secret = handlers.issue_reset_link(platform.gateway, email)
    assert _status(platform, before) == 401, "a reset leaves no token of the old password working"
    meanwhile = handlers.create_token(platform.gateway, email)
    assert _status(platform, meanwhile) == 200
    handlers.reset_password(platform.gateway, secret, "a brand new password")
    assert _status(platform, meanwhile) == 401, "choosing the new password ends the tokens made before it"
    assert _status(platform, before) == 401
    assert _status(platform, handlers.create_token(platform.gateway, email)) == 200, "a new token works"


def test_a_deactivation_ends_the_tokens_for_good(platform):
    email = _advocate(platform)
    token = handlers.create_token(platform.gateway, email)
    assert _status(platform, token) == 200
    handlers.set_active(platform.gateway, email, False)
    assert _status(platform, token) == 401
    handlers.set_active(platform.gateway, email, True)
    assert _status(platform, token) == 401, "reactivating the account does not bring its old tokens back"
    assert _status(platform, handlers.create_token(platform.gateway, email)) == 200


def test_other_accounts_tokens_carry_on(platform):
    ended, other = _advocate(platform), _advocate(platform)
    token = handlers.create_token(platform.gateway, other)
    handlers.issue_reset_link(platform.gateway, ended)
    handlers.set_active(platform.gateway, ended, False)
    assert _status(platform, token) == 200
