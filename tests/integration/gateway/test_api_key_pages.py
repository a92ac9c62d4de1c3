"""The council API keys page as a browser without JavaScript meets it: a manager (or admin) sees each council's keys
with when each was last used, rotates one (the new key shown once, the old one working through the overlap) and
revokes one after a confirm page, in English or Welsh; anyone else is refused and the refusal audited. Also: a
deactivated account's session and bearer tokens end at once."""

from __future__ import annotations

import re
from html import unescape

import pytest
import requests

from services.gateway import handlers
from services.gateway.domain import parse_credential
from services.gateway.web.people import person_ref
from tests.integration.gateway.test_web_forms import errors_on, running_site

NEW_KEY = re.compile(r'<code id="new-key">([^<]+)</code>')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "keys", strict_queries=True)


def key_of(site, council: str = "CARDIFF", name: str = "Mosaic production") -> str:
    return handlers.create_api_key(site.gateway, site.councils, council, name)


def manager_and_key(site) -> tuple[str, object, str, str]:
    """A signed-in manager (their email and browser) and a new key of Cardiff's (whole, and its id)."""
    email = site.user("manager")
    key = key_of(site)
    return email, site.signed_in(email), key, parse_credential(key).key_id


def calls(site, key: str) -> int:
    return requests.get(f"{site.url}/api/v1/referrals", headers={"Authorization": f"Bearer {key}"},
                        timeout=10).status_code


def card(page: requests.Response, key_id: str) -> str:
    """The text of the summary card of the key with this id."""
    cards = re.findall(r'<div class="govuk-summary-card">(.*?)</dl>', page.text, re.S)
    found = [c for c in cards if key_id in c]
    assert len(found) == 1, f"one card for {key_id}"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found[0])).split())


def audited(site, what: str, subject: str | None = None) -> list[dict]:
    return [e for e in site.audit() if e["what"] == what and (subject is None or e.get("subject") == subject)]


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_manager_or_admin_sees_each_key_and_when_it_was_last_used_never_its_secret(site, role):
    key = key_of(site, "GWYNEDD", "Eclipse")
    key_id = parse_credential(key).key_id
    visitor = site.signed_in(site.user(role))
    page = visitor.get("/api-keys")
    assert page.status_code == 200
    assert "Last used Never" in card(page, key_id)
    assert calls(site, key) == 200
    shown = card(visitor.get("/api-keys"), key_id)
    assert shown.startswith("Eclipse") and "Council Gwynedd" in shown and "Key Works" in shown
    assert "Last used Never" not in shown and re.search(r"Last used \d+ \w+ \d{4}, \d\d:\d\d", shown)
    assert parse_credential(key).secret not in visitor.get("/api-keys").text
    assert f'href="/api-keys/{key_id}/rotate"' in page.text and f'href="/api-keys/{key_id}/revoke"' in page.text


def test_rotating_shows_the_new_key_once_and_both_work_through_the_overlap(site):
    manager_email, manager, old, old_id = manager_and_key(site)
    asked = f"/api-keys/{old_id}/rotate"
    form = manager.get(asked)
    assert form.status_code == 200 and 'value="24" checked' in form.text
    made = manager.submit(asked, {"overlap": "168"})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    new = unescape(NEW_KEY.search(made.text).group(1))
    assert "The old key keeps working until" in made.text
    assert calls(site, old) == 200 and calls(site, new) == 200
    listing = manager.get("/api-keys")
    assert "Rotated: works until" in card(listing, old_id)
    assert f'href="{asked}"' not in listing.text, "a key is rotated once"
    assert new not in listing.text and parse_credential(new).key_id in listing.text
    again = manager.submit(asked, {"overlap": "24"}, token=manager.token("/api-keys"))  # the form sent twice
    assert errors_on(again) == ["This key has been rotated already: rotate its new key instead"]
    entry, = audited(site, "rotate API key", old_id)
    assert (entry["who"], entry["replaced_by"], entry["why"]) == (manager_email, parse_credential(new).key_id,
                                                                  "web forms")


def test_an_overlap_that_is_not_offered_is_refused_and_changes_nothing(site):
    manager = site.signed_in(site.user("manager"))
    old_id = parse_credential(key_of(site)).key_id
    for overlap in ({"overlap": "100000"}, {}):
        page = manager.submit(f"/api-keys/{old_id}/rotate", overlap)
        assert page.status_code == 200 and errors_on(page), overlap
    assert site.gateway.api_client(old_id).body["replaced_by"] is None
    assert audited(site, "rotate API key", old_id) == []


def test_revoking_asks_first_then_stops_the_key_at_once(site):
    manager_email, manager, key, key_id = manager_and_key(site)
    asked = f"/api-keys/{key_id}/revoke"
    confirm = manager.get(asked)
    assert confirm.status_code == 200 and "It stops working at once" in confirm.text
    assert calls(site, key) == 200, "asking changes nothing"
    assert manager.submit(asked, {}, form_path=asked).status_code == 302
    assert calls(site, key) == 401
    assert "Revoked" in card(manager.get("/api-keys"), key_id)
    assert manager.get(asked).headers["Location"].endswith("/api-keys"), "nothing left to ask once it is done"
    assert [e["who"] for e in audited(site, "revoke API key", key_id)] == [manager_email]
    refused = manager.submit(asked, {}, token="made-up")
    assert refused.status_code == 400


def test_the_pages_in_welsh(site):
    manager = site.signed_in(site.user("manager"))
    manager.http.cookies.set("llais_language", "cy")
    key_id = parse_credential(key_of(site, "CARDIFF", "Mosaic")).key_id
    listing = manager.get("/api-keys")
    assert listing.status_code == 200
    shown = card(listing, key_id)
    assert "Caerdydd" in shown and "Defnyddiwyd ddiwethaf Erioed" in shown and "Yn gweithio" in shown
    assert "Allweddi API y cynghorau" in unescape(listing.text) and ">Allweddi API<" in listing.text
    rotate = unescape(manager.get(f"/api-keys/{key_id}/rotate").text)
    assert "Am ba hyd y dylai'r hen allwedd barhau i weithio?" in rotate and "7 diwrnod" in rotate
    made = manager.submit(f"/api-keys/{key_id}/rotate", {"overlap": "24"})
    assert "Bydd yr hen allwedd yn parhau i weithio tan" in unescape(made.text)
    revoke = unescape(manager.get(f"/api-keys/{key_id}/revoke").text)
    assert "Dirymu'r allwedd Mosaic?" in revoke


@pytest.mark.parametrize("role, council", [("advocate", None), ("referrer", "CARDIFF"),
                                           ("commissioner", "CARDIFF")])
def test_no_one_else_sees_or_changes_the_keys_and_each_refusal_is_audited(site, role, council):
    email = site.user(role, council)
    visitor = site.signed_in(email)
    key = key_of(site)
    key_id = parse_credential(key).key_id
    for page in ("/api-keys", f"/api-keys/{key_id}/rotate", f"/api-keys/{key_id}/revoke"):
        assert visitor.get(page).status_code == 403, page
    token = visitor.token("/sign-in" if role == "commissioner" else "/")
    for page in (f"/api-keys/{key_id}/rotate", f"/api-keys/{key_id}/revoke"):
        assert visitor.submit(page, {"overlap": "24"}, token=token).status_code == 403, page
    assert calls(site, key) == 200 and site.gateway.api_client(key_id).body["replaced_by"] is None
    refusals = [e for e in audited(site, "open council API keys") if e["who"] == email]
    assert len(refusals) == 5 and {(e["status"], e["role"]) for e in refusals} == {(403, role)}
    assert "API keys" not in visitor.get("/").text


def test_a_deactivated_persons_session_and_bearer_tokens_end_at_once(site):
    _, admin = site.user("admin"), None
    admin = site.signed_in(_)
    email = site.user("manager")
    person = site.signed_in(email)
    token = {"Authorization": f"Bearer {handlers.create_token(site.gateway, email)}"}
    assert person.get("/api-keys").status_code == 200
    assert requests.get(f"{site.url}/api/v1/referrals", headers=token, timeout=10).status_code == 200
    asked = f"/staff/{person_ref(email)}/deactivate"
    assert admin.submit(asked, {}, form_path=asked).status_code == 302
    assert person.get("/api-keys").headers["Location"].startswith("/sign-in"), "the session has ended"
    assert requests.get(f"{site.url}/api/v1/referrals", headers=token, timeout=10).status_code == 401
