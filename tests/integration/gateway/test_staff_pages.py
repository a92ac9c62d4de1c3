"""The staff administration pages as a browser without JavaScript meets them: an admin runs the accounts, the person
a reset link was made for chooses their password, and allocating offers the right advocates by name."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
import requests

from shared.store import Put
from services.gateway import domain, handlers
from services.gateway.store import PASSWORD_RESETS
from services.gateway.web.people import person_ref
from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.gateway.test_web_forms import PASSWORD, errors_on, running_site

LINK = re.compile(r'<code id="reset-link">([^<]+)</code>')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "staff", strict_queries=True)


def new_email(role: str) -> str:
    return f"{role}-{uuid.uuid4().hex[:6]}@provider.example"


def admin_of(site):
    email = site.user("admin")
    return email, site.signed_in(email)


def audited(site, what: str, subject: str) -> list[dict]:
    return [entry for entry in site.audit() if entry["what"] == what and entry.get("subject") == subject]


def link_on(page: requests.Response) -> str:
    found = LINK.search(page.text)
    assert found, "the page shows the link"
    return "/" + unescape(found.group(1)).split("/", 3)[3]


def create(admin, **fields) -> requests.Response:
    return admin.submit("/staff/new", {"role": "advocate", "name": "Someone", **fields})


def welsh(visitor):
    visitor.http.cookies.set("llais_language", "cy")
    return visitor


# who may use the pages


def test_an_admin_signs_in_to_the_staff_list_and_nothing_else(site):
    email, admin = admin_of(site)
    assert admin.get("/").headers["Location"] == "/staff"
    listing = admin.get("/staff")
    assert listing.status_code == 200 and email in listing.text
    for page in ("/referrals", "/cases", "/reports", "/complaints"):
        assert admin.get(page).status_code == 403, page


def menu_of(page: requests.Response) -> list[str]:
    """The service navigation's links, by their words."""
    menu = re.search(r'<ul class="govuk-service-navigation__list"[^>]*>(.*?)</ul>', page.text, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", item)).strip()
            for item in re.findall(r"<a [^>]*>(.*?)</a>", menu.group(1), re.S)] if menu else []


def test_an_admins_menu_leads_to_the_staff_pages(site):
    _, admin = admin_of(site)
    assert menu_of(admin.get("/staff")) == ["Staff", "API keys"]


@pytest.mark.parametrize("role, council", [("manager", None), ("advocate", None), ("referrer", "CARDIFF"),
                                           ("commissioner", "CARDIFF")])
def test_no_one_else_runs_staff_accounts_here(site, role, council):
    visitor = site.signed_in(site.user(role, council))
    home = visitor.http.get(f"{visitor.url}/", timeout=10)
    assert home.status_code == 200 and menu_of(home) and "Staff" not in menu_of(home)
    assert visitor.get("/staff").status_code == 403
    assert visitor.get("/staff/new").status_code == 403


# creating, changing, deactivating


def test_an_admin_creates_a_welsh_speaking_advocate_who_sets_their_password_with_the_link(site):
    admin_email, admin = admin_of(site)
    email = new_email("advocate")
    made = create(admin, email=email.upper(), name="  Elin   Jones ", languages=["cy", "en"])
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    user = site.gateway.user(email).body
    assert (user["name"], user["languages"], user["role"], user["disabled"]) == ("Elin Jones", ["cy", "en"],
                                                                                  "advocate", False)
    link = link_on(made)
    assert link.split("/")[-1] not in str(site.gateway.store.find(PASSWORD_RESETS, limit=10_000)), \
        "only the digest of the link's secret is kept"
    person = site.visitor()
    assert person.get(link).status_code == 200
    mismatch = person.submit(link, {"password": "a brand new password", "confirm": "another password here"})
    assert errors_on(mismatch) == ["The two passwords are not the same"]
    short = person.submit(link, {"password": "short", "confirm": "short"})
    assert errors_on(short) == ["Your password must be between 12 and 200 characters"]
    done = person.submit(link, {"password": "a brand new password", "confirm": "a brand new password"})
    assert done.status_code == 200 and "Your password is set" in done.text
    signed = site.visitor().submit("/sign-in", {"email": email, "password": "a brand new password"})
    assert signed.status_code == 302
    again = site.visitor().get(link)
    assert again.status_code == 410 and "This link has already been used" in again.text
    assert audited(site, "create staff account", email)[0]["who"] == admin_email
    assert audited(site, "issue password reset link", email)[0]["who"] == admin_email
    assert audited(site, "set password by reset link", email)[0]["who"] == email


def test_an_expired_or_made_up_link_gets_a_clear_page_in_both_languages(site):
    email = site.user("advocate")
    secret = handlers.issue_reset_link(site.gateway, email)
    reset = site.gateway.password_reset(domain.digest(secret))
    past = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()
    site.gateway.store.commit(Put.update(reset, {**reset.body, "expires_at": past}))
    expired = site.visitor().get(f"/reset-password/{secret}")
    assert expired.status_code == 410 and "This link has expired" in expired.text
    assert "Mae'r ddolen hon wedi dod i ben" in unescape(welsh(site.visitor()).get(f"/reset-password/{secret}").text)
    refused = site.visitor().submit(f"/reset-password/{secret}", {"password": "x" * 20, "confirm": "x" * 20},
                                    form_path="/sign-in")
    assert refused.status_code == 410
    assert site.visitor().submit("/sign-in", {"email": email, "password": "x" * 20}).status_code == 200
    assert site.visitor().get("/reset-password/made-up").status_code == 404


def test_a_newer_link_replaces_the_older(site):
    email = site.user("advocate")
    first = handlers.issue_reset_link(site.gateway, email)
    handlers.issue_reset_link(site.gateway, email)
    assert site.visitor().get(f"/reset-password/{first}").status_code == 410


def test_a_person_is_renamed_given_a_role_and_languages_and_the_header_shows_their_name(site):
    _, admin = admin_of(site)
    email = site.user("advocate")
    saved = admin.submit(f"/staff/{person_ref(email)}", {"name": "Rhys Evans", "role": "referrer", "council": "CARDIFF",
                                             "languages": "cy"})
    assert saved.status_code == 302, errors_on(saved)
    user = site.gateway.user(email).body
    assert (user["name"], user["role"], user["council"], user["languages"]) == ("Rhys Evans", "referrer",
                                                                                 "CARDIFF", ["cy"])
    assert user["updated_at"] >= user["created_at"]
    assert "Signed in as Rhys Evans" in site.signed_in(email).get("/").text
    assert audited(site, "change staff account", email)[0]["changed"] == {
        "name": "Rhys Evans", "role": "referrer", "council": "CARDIFF", "languages": ["cy"]}


@pytest.mark.parametrize("fields, field, english, cymraeg", [
    ({"role": "referrer"}, "council", "Choose the council a referrer works for",
     "Dewiswch y cyngor y mae'r atgyfeiriwr yn gweithio iddo"),
    ({"role": "advocate", "council": "CARDIFF"}, "council",
     "Only referrers and commissioners work for a council: choose no council",
     "Dim ond atgyfeirwyr a chomisiynwyr sy'n gweithio i gyngor: dewiswch ddim cyngor"),
    ({"email": "not an email"}, "email", "Enter an email address in the correct format, like name@example.com",
     "Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com"),
    ({"name": "Two\nlines"}, "name", "Write the name on one line, without special characters",
     "Ysgrifennwch yr enw ar un llinell, heb nodau arbennig"),
])
def test_bad_answers_are_said_in_the_pages_language_and_change_nothing(site, fields, field, english, cymraeg):
    _, admin = admin_of(site)
    before = len(site.gateway.users())
    for language, words in (("en", english), ("cy", cymraeg)):
        admin.http.cookies.set("llais_language", language)
        page = create(admin, **{"email": new_email("someone"), **fields})
        assert page.status_code == 200 and errors_on(page) == [words]
        assert f'href="#{field}"' in page.text
    assert len(site.gateway.users()) == before


def test_a_duplicate_email_is_refused_on_its_field(site):
    _, admin = admin_of(site)
    email = site.user("advocate")
    page = create(admin, email=email)
    assert errors_on(page) == ["Someone already has an account with this email address"]


def test_deactivating_ends_the_persons_session_at_once_and_reactivating_lets_them_back(site):
    admin_email, admin = admin_of(site)
    email = site.user("advocate")
    person = site.signed_in(email)
    assert person.get("/referrals").status_code == 200
    asked = f"/staff/{person_ref(email)}/deactivate"
    assert f'action="{asked}"' not in admin.get(f"/staff/{person_ref(email)}").text, "the person's page only asks"
    done = admin.submit(asked, {}, form_path=asked)
    assert done.status_code == 302 and site.gateway.user(email).body["disabled"] is True
    assert person.get("/referrals").status_code == 302, "signed out at once"
    assert site.visitor().submit("/sign-in", {"email": email, "password": PASSWORD}).status_code == 200
    assert "Deactivated" in admin.get("/staff").text
    admin.submit(f"/staff/{person_ref(email)}/reactivate", {}, form_path=f"/staff/{person_ref(email)}")
    assert site.visitor().submit("/sign-in", {"email": email, "password": PASSWORD}).status_code == 302
    assert [e["who"] for e in audited(site, "deactivate staff account", email)] == [admin_email]
    assert [e["who"] for e in audited(site, "reactivate staff account", email)] == [admin_email]


def test_deactivating_asks_first_in_the_pages_language_and_changes_nothing_until_confirmed(site):
    _, admin = admin_of(site)
    email = site.user("advocate")
    handlers.update_user(site.gateway, site.councils, email, name="Ceri Jones")
    person_page = admin.get(f"/staff/{person_ref(email)}").text
    asked = f"/staff/{person_ref(email)}/deactivate"
    assert f'href="{asked}"' in person_page
    for language, heading, said in (
            ("en", "Deactivate Ceri Jones?", "They will be signed out and cannot sign in until reactivated."),
            ("cy", "Dadactifadu Ceri Jones?", "Byddan nhw'n cael eu hallgofnodi ac ni allan nhw fewngofnodi nes i'w "
                                              "cyfrif gael ei ailactifadu.")):
        admin.http.cookies.set("llais_language", language)
        confirm = admin.get(asked)
        assert confirm.status_code == 200 and heading in unescape(confirm.text) and said in unescape(confirm.text)
        assert f'action="{asked}"' in confirm.text
    admin.http.cookies.set("llais_language", "en")
    assert site.gateway.user(email).body["disabled"] is False, "asking changes nothing"
    assert admin.submit(asked, {}, form_path=asked).status_code == 302
    assert site.gateway.user(email).body["disabled"] is True
    assert admin.get(asked).headers.get("Location", "").endswith(f"/staff/{person_ref(email)}"), \
        "nothing left to ask once it is done"


def test_a_persons_page_is_named_by_an_opaque_id_never_their_email(site):
    _, admin = admin_of(site)
    email = site.user("advocate")
    listed = admin.get("/staff").text
    assert f"/staff/{person_ref(email)}" in listed and f"/staff/{email}" not in listed
    assert email.split("@")[0] not in person_ref(email)
    assert admin.get(f"/staff/{email}").status_code == 404, "an address naming the email finds no one"
    assert admin.get(f"/staff/{person_ref(email)}").status_code == 200


def test_an_account_waiting_for_its_first_password_is_said_to_be_invited_not_active(site):
    _, admin = admin_of(site)
    email = new_email("advocate")
    link = link_on(create(admin, email=email, name="Owain Invited"))

    def status(of: str = email) -> list[str]:
        page = unescape(admin.get(f"/staff/{person_ref(of)}").text)
        return re.findall(r'<strong class="govuk-tag[^"]*">([^<]+)</strong>', page)

    assert status() == ["Invited: no password set yet"]
    admin.http.cookies.set("llais_language", "cy")
    assert status() == ["Gwahoddwyd: dim cyfrinair wedi'i osod eto"]
    admin.http.cookies.set("llais_language", "en")
    site.visitor().submit(link, {"password": "a brand new password", "confirm": "a brand new password"})
    assert status() == ["Active"]
    handlers.set_active(site.gateway, email, False)
    assert status() == ["Deactivated"]
    assert status(site.user("advocate")) == ["Active"], \
        "an account made with a password is active"


def test_an_action_without_its_csrf_token_changes_nothing(site):
    _, admin = admin_of(site)
    email = site.user("advocate")
    refused = admin.submit(f"/staff/{person_ref(email)}/deactivate", {}, token="made-up")
    assert refused.status_code == 400 and site.gateway.user(email).body["disabled"] is False


def test_a_locked_out_person_is_told_an_administrator_can_unlock_them_and_is_unlocked(site):
    admin_email, admin = admin_of(site)
    email = site.user("advocate")
    for _ in range(5):
        page = site.visitor().submit("/sign-in", {"email": email, "password": "not the password at all"})
    assert errors_on(page) == ["Too many failed attempts: try again in 15 minutes, or ask an administrator to "
                               "unlock your account now"]
    assert "Locked out" in admin.get(f"/staff/{person_ref(email)}").text
    page = f"/staff/{person_ref(email)}"
    assert admin.submit(f"{page}/unlock", {}, form_path=page).status_code == 302
    assert site.visitor().submit("/sign-in", {"email": email, "password": PASSWORD}).status_code == 302
    assert audited(site, "unlock staff account", email)[0] | {"who": admin_email, "was_locked": True} == \
        audited(site, "unlock staff account", email)[0]


def test_a_reset_link_also_ends_a_lock_out(site):
    email = site.user("advocate")
    for _ in range(5):
        site.visitor().submit("/sign-in", {"email": email, "password": "not the password at all"})
    assert handlers.locked(site.gateway, email)
    secret = handlers.issue_reset_link(site.gateway, email)
    site.visitor().submit(f"/reset-password/{secret}", {"password": "a brand new password",
                                                        "confirm": "a brand new password"})
    assert site.visitor().submit("/sign-in", {"email": email, "password": "a brand new password"}).status_code == 302


def test_a_new_password_ends_every_session_signed_in_with_the_old_one(site):
    email = site.user("advocate")
    elsewhere = site.signed_in(email)
    assert elsewhere.get("/referrals").status_code == 200
    secret = handlers.issue_reset_link(site.gateway, email)
    site.visitor().submit(f"/reset-password/{secret}", {"password": "a brand new password",
                                                        "confirm": "a brand new password"})
    assert elsewhere.get("/referrals").status_code == 302, "the session with the old password is over"
    again = site.visitor()
    assert again.submit("/sign-in", {"email": email, "password": "a brand new password"}).status_code == 302
    assert again.get("/referrals").status_code == 200


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(site):
    email, admin = admin_of(site)
    for other in site.gateway.users_with(domain.ADMIN):
        if other.id != email:
            handlers.set_active(site.gateway, other.id, False)
    asked = f"/staff/{person_ref(email)}/deactivate"
    refused = admin.submit(asked, {}, form_path=asked)
    assert refused.status_code == 302
    assert errors_on(admin.get(refused.headers["Location"])) == [
        "This is the last active administrator: make someone else an administrator first"]
    demoted = admin.submit(f"/staff/{person_ref(email)}", {"name": "Me", "role": "manager"})
    assert errors_on(demoted) == ["This is the last active administrator: make someone else an administrator first"]
    assert site.gateway.user(email).body["role"] == domain.ADMIN and not site.gateway.user(email).body["disabled"]
    second = site.user("admin")
    assert admin.submit(asked, {}, form_path=asked).status_code == 302
    assert site.gateway.users_with(domain.ADMIN)[0].id == second


# the advocates offered


def referral_for(site, language: str) -> str:
    body = example_referral()
    return site.refer(child={**body["child"], "preferred_language": language})


def advocates_offered(page: requests.Response, field: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{field}".*?</select>', page.text, re.S).group(0)
    return [unescape(label).strip() for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', select)
            if value]


@pytest.fixture(scope="module")
def advocates(site):
    """Advocates to choose between: a Welsh speaker, an English speaker, one locked out, one deactivated."""
    suffix = uuid.uuid4().hex[:6]
    made = {}
    for key, name, languages in (("welsh", f"Zeta Williams {suffix}", ["cy", "en"]),
                                 ("english", f"Alys Smith {suffix}", ["en"]),
                                 ("locked", f"Locked Person {suffix}", ["cy"]),
                                 ("gone", f"Gone Person {suffix}", ["cy"])):
        made[key] = handlers.create_user(site.gateway, site.councils, new_email(key), "advocate", None, PASSWORD,
                                         name=name, languages=languages)
    for _ in range(5):
        site.visitor().submit("/sign-in", {"email": made["locked"], "password": "not the password at all"})
    handlers.set_active(site.gateway, made["gone"], False)
    return made


def test_a_child_who_asked_for_welsh_is_offered_welsh_speakers_first_and_only_advocates_who_can_work(site,
                                                                                                   advocates):
    manager = site.signed_in(site.user("manager"))
    for language, cymraeg in (("cy", False), ("cy", True), ("en", False)):
        visitor = welsh(site.signed_in(site.user("manager"))) if cymraeg else manager
        offered = advocates_offered(visitor.get(f"/referrals/{referral_for(site, language)}/allocate"),
                                    "advocate_email")
        ours = [label for label in offered if any(email in label for email in advocates.values())]
        speaker = "Siaradwr Cymraeg" if cymraeg else "Welsh speaker"
        welsh_label = f"{site.gateway.user(advocates['welsh']).body['name']} ({advocates['welsh']}) – {speaker}"
        english_label = f"{site.gateway.user(advocates['english']).body['name']} ({advocates['english']})"
        assert welsh_label in ours and english_label in ours and len(ours) == 2, ours
        if language == "cy":
            assert offered.index(welsh_label) < offered.index(english_label)
            assert all(speaker in label for label in offered[:offered.index(welsh_label) + 1])
        else:
            assert offered.index(english_label) < offered.index(welsh_label), "by name alone"


def test_a_change_of_advocate_never_offers_the_current_one(site, advocates):
    manager_email = site.user("manager")
    bearer = {"Authorization": f"Bearer {handlers.create_token(site.gateway, manager_email)}"}
    body = example_referral()
    referral_id = site.refer(kind="issue_based", child={**body["child"], "preferred_language": "cy"})
    url = site.url
    allocated = requests.post(f"{url}/api/v1/referrals/{referral_id}/allocate", headers=bearer, timeout=10,
                              json={"advocate_email": advocates["welsh"]})
    assert allocated.status_code == 200, allocated.text
    advocate = {"Authorization": f"Bearer {handlers.create_token(site.gateway, advocates['welsh'])}"}

    def opened() -> bool:
        return requests.post(f"{url}/api/v1/cases", headers=advocate, timeout=10,
                             json={"referral_id": referral_id, "consents_to_case_file": True}).status_code == 201
    wait_for(opened, what="the case to open")
    offered = advocates_offered(site.signed_in(manager_email).get(f"/cases/{referral_id}/decide-change"),
                                "new_advocate_email")
    assert not any(advocates["welsh"] in label for label in offered)
    assert any(advocates["english"] in label for label in offered)


def test_staff_name_falls_back_to_the_email_for_accounts_made_before_names(site):
    email = new_email("advocate")
    site.gateway.uow.create("users", email, {"email": email, "role": "advocate", "council": None, "region": None,
                                             "created_at": datetime.now(timezone.utc).isoformat(), "disabled": False,
                                             "password_hash": domain.hash_password(PASSWORD)})
    assert f"Signed in as {email}" in site.signed_in(email).get("/").text
    _, admin = admin_of(site)
    listing = admin.get("/staff")
    assert listing.status_code == 200 and email in listing.text


# where the provider lets managers run staff accounts


@pytest.fixture(scope="module")
def permissive(tmp_path_factory):
    yield from running_site(tmp_path_factory, "managers", strict_queries=True, managers_administer_staff=True)


def test_a_permitted_manager_runs_staff_accounts_but_never_an_admins(permissive):
    site = permissive
    manager_email = site.user("manager")
    manager = site.signed_in(manager_email)
    home = manager.get("/")
    assert home.status_code == 200, "their caseload stays their home"
    assert menu_of(home) == ["Home", "Referrals", "Cases", "Messages", "Complaints", "Reports", "The child's data",
                             "Staff", "API keys"]
    assert manager.get("/staff").status_code == 200
    assert 'value="admin"' not in manager.get("/staff/new").text
    email = new_email("advocate")
    assert create(manager, email=email, name="Nia").status_code == 200
    assert audited(site, "create staff account", email)[0]["who"] == manager_email
    promoted = create(manager, email=new_email("admin"), role="admin")
    assert promoted.status_code == 200 and errors_on(promoted)
    assert manager.submit(f"/staff/{person_ref(email)}", {"name": "Nia", "role": "admin"}).status_code == 200
    assert site.gateway.user(email).body["role"] == "advocate"
    admin_email = site.user("admin")
    assert manager.get(f"/staff/{person_ref(admin_email)}").status_code == 403
    for action in ("reset-link", "deactivate", "unlock"):
        answer = manager.submit(f"/staff/{person_ref(admin_email)}/{action}", {}, form_path="/staff")
        assert answer.status_code == 403, action
    assert not any(e.get("subject") == admin_email and e["who"] == manager_email for e in site.audit())
    assert site.signed_in(site.user("advocate")).get("/staff").status_code == 403
