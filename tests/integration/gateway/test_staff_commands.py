"""`llais admin` runs staff accounts as the pages do, against the gateway's real store: every change audited as made
from the command line, the last admin kept, clear refusals."""

from __future__ import annotations

from dataclasses import replace

import pytest
from shared.config import Settings
from shared.councils import CouncilRegister
from shared.store import Index
from shared.store.sqlite import SQLiteStore
from services.gateway import domain, handlers
from services.gateway.store import AUDIT, INDEXES, PASSWORD_RESETS, GatewayStore
from tests.integration.gateway.test_admin_commands import run, store  # noqa: F401  (the CLI on a store of its own)

PASSWORD = "long enough password\n"
BASE = "https://llais.example.org"


@pytest.fixture(autouse=True)
def public_url(monkeypatch):
    monkeypatch.setenv("LLAIS_PUBLIC_URL", BASE)


def audit(tmp_path) -> list[dict]:
    return [d.body for d in store(tmp_path).store.find(AUDIT, limit=10_000)]


def rows(run) -> dict[str, list[str]]:
    listed = run("list-users")
    assert listed.exit_code == 0, listed.output
    return {line.split("\t")[0]: line.split("\t") for line in listed.stdout.splitlines()}


def test_a_persons_account_from_creation_to_deactivation(run, tmp_path):
    made = run("create-user", "--email", "Elin@Provider.example", "--role", "advocate", "--name", "Elin Jones",
               "--language", "cy", "--language", "en", "--password-stdin", stdin=PASSWORD)
    assert made.exit_code == 0, made.output
    assert rows(run)["elin@provider.example"] == ["elin@provider.example", "Elin Jones", "advocate", "-", "cy,en",
                                                  "active", "-"]
    assert run("rename", "--email", "elin@provider.example", "--name", "Elin Roberts").exit_code == 0
    assert run("set-role", "--email", "elin@provider.example", "--role", "commissioner", "--region",
               "Cardiff-Vale").exit_code == 0
    assert run("set-languages", "--email", "elin@provider.example", "--language", "en").exit_code == 0
    assert rows(run)["elin@provider.example"][1:5] == ["Elin Roberts", "commissioner", "cardiff-vale", "en"]
    assert run("deactivate", "--email", "elin@provider.example").exit_code == 0
    assert rows(run)["elin@provider.example"][5] == "deactivated"
    with pytest.raises(handlers.SignInRefused):
        handlers.sign_in(store(tmp_path), "elin@provider.example", PASSWORD.strip())
    assert run("reactivate", "--email", "elin@provider.example").exit_code == 0
    assert handlers.sign_in(store(tmp_path), "elin@provider.example", PASSWORD.strip()).id == "elin@provider.example"


def test_a_user_made_without_a_password_gets_a_link_to_choose_one(run, tmp_path):
    made = run("create-user", "--email", "new@provider.example", "--role", "manager")
    assert made.exit_code == 0, made.output
    link = made.stdout.strip()
    assert link.startswith(f"{BASE}/reset-password/")
    secret = link.rsplit("/", 1)[1]
    assert handlers.reset_password(store(tmp_path), secret, "my very own password") == "new@provider.example"
    assert handlers.sign_in(store(tmp_path), "new@provider.example", "my very own password")
    with pytest.raises(handlers.ResetRefused):
        handlers.reset_password(store(tmp_path), secret, "another password again")


def test_reset_password_prints_a_link_for_the_base_url_given(run, tmp_path):
    run("create-user", "--email", "a@provider.example", "--role", "advocate", "--password-stdin", stdin=PASSWORD)
    printed = run("reset-password", "--email", "a@provider.example", "--base-url", "https://other.example/")
    assert printed.exit_code == 0 and printed.stdout.startswith("https://other.example/reset-password/")
    secret = printed.stdout.strip().rsplit("/", 1)[1]
    kept = store(tmp_path).store.find(PASSWORD_RESETS, limit=10)
    assert len(kept) == 1 and secret not in str(kept[0].body) and kept[0].id == domain.digest(secret)


def test_unlock_ends_a_lock_out_at_once(run, tmp_path):
    run("create-user", "--email", "a@provider.example", "--role", "advocate", "--password-stdin", stdin=PASSWORD)
    for _ in range(5):
        with pytest.raises(handlers.SignInRefused):
            handlers.sign_in(store(tmp_path), "a@provider.example", "wrong password here")
    assert rows(run)["a@provider.example"][6] == "locked"
    unlocked = run("unlock", "--email", "A@provider.example")
    assert unlocked.exit_code == 0 and "unlocked a@provider.example" in unlocked.output
    assert handlers.sign_in(store(tmp_path), "a@provider.example", PASSWORD.strip())
    assert "was not locked" in run("unlock", "--email", "a@provider.example").output


@pytest.mark.parametrize("args, says", [
    (("rename", "--email", "nobody@provider.example", "--name", "X"), "no user has the email"),
    (("set-role", "--email", "a@provider.example", "--role", "referrer"), "give --council"),
    (("set-role", "--email", "a@provider.example", "--role", "advocate", "--council", "CARDIFF"),
     "leave out --council"),
    (("rename", "--email", "a@provider.example", "--name", "x" * 101), "at most 100"),
    (("deactivate", "--email", "root@provider.example"), "last active admin"),
    (("set-role", "--email", "root@provider.example", "--role", "manager"), "last active admin"),
    (("unlock", "--email", "nobody@provider.example"), "no user has the email"),
    (("reset-password", "--email", "a@provider.example", "--base-url", "llais.example"), "--base-url https://"),
])
def test_refusals_say_what_to_fix_and_change_nothing(run, tmp_path, args, says):
    run("create-user", "--email", "a@provider.example", "--role", "advocate", "--password-stdin", stdin=PASSWORD)
    run("create-user", "--email", "root@provider.example", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    before = (rows(run), len(audit(tmp_path)))
    refused = run(*args)
    assert refused.exit_code == 2 and says in refused.output
    assert (rows(run), len(audit(tmp_path))) == before


def test_a_link_is_not_made_for_a_deactivated_account(run):
    run("create-user", "--email", "a@provider.example", "--role", "advocate", "--password-stdin", stdin=PASSWORD)
    run("deactivate", "--email", "a@provider.example")
    refused = run("reset-password", "--email", "a@provider.example")
    assert refused.exit_code == 2 and "reactivate the account first" in refused.output


def test_every_staff_change_is_in_the_audit_log_with_who_made_it(run, tmp_path):
    email = "a@provider.example"
    steps = [
        (("create-user", "--email", email, "--role", "advocate", "--password-stdin"), "create staff account"),
        (("rename", "--email", email, "--name", "Ann"), "change staff account"),
        (("set-role", "--email", email, "--role", "manager"), "change staff account"),
        (("set-languages", "--email", email, "--language", "cy"), "change staff account"),
        (("reset-password", "--email", email), "issue password reset link"),
        (("unlock", "--email", email), "unlock staff account"),
        (("deactivate", "--email", email), "deactivate staff account"),
        (("reactivate", "--email", email), "reactivate staff account"),
    ]
    for args, what in steps:
        before = len(audit(tmp_path))
        assert run(*args, stdin=PASSWORD).exit_code == 0
        added = audit(tmp_path)[before:]
        assert [(e["what"], e["subject"], e["who"], e["why"]) for e in added] == [
            (what, email, "command line", "command line")], args
    changes = [e["changed"] for e in audit(tmp_path) if e["what"] == "change staff account"]
    assert changes == [{"name": "Ann"}, {"role": "manager"}, {"languages": ["cy"]}]
    logged = str(audit(tmp_path))
    assert "$argon2" not in logged and PASSWORD.strip() not in logged, "no password or its hash in the log"
    assert store(tmp_path).user(email).body["reset_id"] not in logged, "nor a reset link's digest"


def test_accounts_stored_before_names_and_languages_still_read(run, tmp_path):
    gateway = store(tmp_path)
    gateway.uow.create("users", "old@provider.example", {
        "email": "old@provider.example", "role": "advocate", "council": None, "region": None, "disabled": False,
        "password_hash": domain.hash_password(PASSWORD.strip()), "created_at": "2025-01-01T09:00:00+00:00"})
    assert rows(run)["old@provider.example"][1:5] == ["old@provider.example", "advocate", "-", "-"]
    assert run("rename", "--email", "old@provider.example", "--name", "Olwen").exit_code == 0
    assert store(tmp_path).user("old@provider.example").body["updated_at"] > "2025"


def test_the_active_admins_and_advocates_are_found_by_a_declared_index(tmp_path):
    assert Index("users", ("role", "disabled")) in INDEXES
    strict = SQLiteStore(tmp_path / "gateway.sqlite3")
    strict.ensure_indexes(INDEXES, strict=True)
    gateway = GatewayStore(strict)
    councils = CouncilRegister.load()
    handlers.create_user(gateway, councils, "root@provider.example", "admin", None, PASSWORD)
    handlers.create_user(gateway, councils, "adv@provider.example", "advocate", None, PASSWORD)
    handlers.set_active(gateway, "adv@provider.example", False)
    assert [u.id for u in gateway.users_with("admin")] == ["root@provider.example"]
    assert gateway.users_with("advocate") == []
    assert [p["email"] for p in handlers.staff(gateway)] == ["adv@provider.example", "root@provider.example"]


def test_settings_name_where_links_point_and_whether_managers_run_staff():
    settings = Settings.from_env({"LLAIS_PUBLIC_URL": "https://llais.example.org/",
                                  "LLAIS_MANAGERS_ADMINISTER_STAFF": "true"})
    assert (settings.public_url, settings.managers_administer_staff) == ("https://llais.example.org", True)
    assert replace(Settings()).managers_administer_staff is False


def test_staff_name_gives_a_name_for_any_email_and_reads_each_once_a_request(run, tmp_path):
    from flask import Flask

    from services.gateway.web.pages import staff_name

    run("create-user", "--email", "elin@provider.example", "--role", "advocate", "--name", "Elin Jones",
        "--password-stdin", stdin=PASSWORD)
    app = Flask(__name__)
    gateway = store(tmp_path)
    app.extensions["llais.gateway_store"] = gateway
    with app.test_request_context():
        assert staff_name("elin@provider.example") == "Elin Jones"
        assert staff_name("nobody@provider.example") == "nobody@provider.example"
        assert staff_name(None) == staff_name("") == ""
        assert staff_name("x" * 300) == "x" * 300
        handlers.update_user(gateway, CouncilRegister.load(), "elin@provider.example", name="Elin Roberts")
        assert staff_name("elin@provider.example") == "Elin Jones", "read once a request"
    with app.test_request_context():
        assert staff_name("elin@provider.example") == "Elin Roberts"


def test_two_admins_taking_each_other_away_at_once_leave_one(tmp_path):
    gateway, councils = store(tmp_path), CouncilRegister.load()
    for email in ("a@provider.example", "b@provider.example"):
        handlers.create_user(gateway, councils, email, "admin", None, PASSWORD)
    looked_up, both = gateway.users_with, gateway.users_with("admin")

    def stale_once():
        """The check before the change sees both admins, as it would were the other change not yet written."""
        calls = iter([both])
        gateway.users_with = lambda role: next(calls, None) or looked_up(role) if role == "admin" else looked_up(role)

    stale_once()
    handlers.set_active(gateway, "a@provider.example", False)
    for change in (lambda: handlers.set_active(gateway, "b@provider.example", False),
                   lambda: handlers.update_user(gateway, councils, "b@provider.example", role="manager")):
        stale_once()
        with pytest.raises(domain.CredentialError, match="last active admin"):
            change()
        gateway.users_with = looked_up
        assert [u.id for u in gateway.users_with("admin")] == ["b@provider.example"]
