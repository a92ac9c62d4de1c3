"""An advocate acts only on the referrals allocated to them; managers on all."""

from __future__ import annotations

import pytest

from services.referral import domain

REFERRAL = {"advocate_email": "a@provider.example"}


@pytest.mark.parametrize("referral, by, role", [
    (REFERRAL, "a@provider.example", "advocate"),
    (REFERRAL, "m@provider.example", "manager"),
    ({"advocate_email": None}, "m@provider.example", "manager"),
])
def test_the_allocated_advocate_and_managers_act(referral, by, role):
    domain.check_allocated(referral, by, role)


@pytest.mark.parametrize("referral, by, role", [
    (REFERRAL, "b@provider.example", "advocate"),
    ({"advocate_email": None}, "b@provider.example", "advocate"),
    (REFERRAL, "a@provider.example", "admin"),
    (REFERRAL, "a@provider.example", None),
])
def test_another_advocate_or_role_is_not_allowed(referral, by, role):
    with pytest.raises(domain.NotAllocated):
        domain.check_allocated(referral, by, role)
