"""`llais admin`: the operators' credentials commands, against the gateway's store."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from services.cli import main
from shared.config import Settings
from shared.store import open_store
from services.gateway import handlers
from services.gateway.store import GatewayStore


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("LLAIS_DATA", str(tmp_path))
    monkeypatch.delenv("MONGO_URL", raising=False)

    def invoke(*args: str, stdin: str | None = None):
        return CliRunner().invoke(main, ["admin", *args], input=stdin)

    return invoke


def store(tmp_path) -> GatewayStore:
    return GatewayStore(open_store("gateway", Settings.from_env({"LLAIS_DATA": str(tmp_path)})))


def test_create_api_key_prints_one_line_that_authenticates(run, tmp_path):
    result = run("create-api-key", "--council", "cardiff", "--name", "Mosaic")
    assert result.exit_code == 0
    key = result.stdout.strip()
    assert "\n" not in key and key.startswith("llk_")
    principal = handlers.authenticate(store(tmp_path), f"Bearer {key}")
    assert (principal.kind, principal.council) == ("council", "CARDIFF")
    listed = run("list-api-keys").stdout
    assert "CARDIFF\tMosaic" in listed and key.split("_", 2)[2] not in listed


def test_users_and_tokens(run, tmp_path):
    created = run("create-user", "--email", "Rhian@Provider.example", "--role", "manager", "--password-stdin",
                  stdin="a long enough password\n")
    assert created.exit_code == 0, created.output
    token = run("create-token", "--email", "rhian@provider.example").stdout.strip()
    principal = handlers.authenticate(store(tmp_path), f"Bearer {token}")
    assert (principal.kind, principal.id, principal.role) == ("staff", "rhian@provider.example", "manager")
    assert run("revoke", token.split("_")[1]).exit_code == 0
    assert handlers.authenticate(store(tmp_path), f"Bearer {token}") is None


@pytest.mark.parametrize("args, stdin, says", [
    (("create-api-key", "--council", "ATLANTIS"), None, "no council has the code"),
    (("create-user", "--email", "a@b.example", "--role", "referrer", "--password-stdin"), "long enough password\n",
     "give --council"),
    (("create-user", "--email", "a@b.example", "--role", "manager", "--password-stdin"), "short\n", "at least 12"),
    (("create-token", "--email", "nobody@b.example"), None, "no active user"),
    (("revoke", "0123456789abcdef"), None, "no API key or token"),
])
def test_refusals_say_why_and_exit_2(run, args, stdin, says):
    result = run(*args, stdin=stdin)
    assert result.exit_code == 2
    assert says in result.output


def test_a_user_is_created_once(run):
    args = ("create-user", "--email", "a@b.example", "--role", "advocate", "--password-stdin")
    assert run(*args, stdin="long enough password\n").exit_code == 0
    again = run(*args, stdin="long enough password\n")
    assert again.exit_code == 2 and "exists already" in again.output


def test_a_commissioner_is_bound_to_a_council_or_a_region(run, tmp_path):
    assert run("create-user", "--email", "c1@council.example", "--role", "commissioner", "--region", "Cardiff-Vale",
               "--password-stdin", stdin="long enough password\n").exit_code == 0
    user = store(tmp_path).user("c1@council.example")
    assert (user.body["role"], user.body["council"], user.body["region"]) == ("commissioner", None, "cardiff-vale")
    unbound = run("create-user", "--email", "c2@council.example", "--role", "commissioner", "--password-stdin",
                  stdin="long enough password\n")
    assert unbound.exit_code == 2 and "--region CODE" in unbound.output


def test_a_referrer_is_bound_to_a_council(run, tmp_path):
    assert run("create-user", "--email", "sw@cardiff.example", "--role", "referrer", "--council", "CARDIFF",
               "--password-stdin", stdin="long enough password\n").exit_code == 0
    user = store(tmp_path).user("sw@cardiff.example")
    assert (user.body["role"], user.body["council"]) == ("referrer", "CARDIFF")
    assert user.body["password_hash"].startswith("$argon2")


def test_a_duplicate_email_is_pointed_to_the_commands_that_change_the_account(run, tmp_path):
    args = ("create-user", "--email", "a@b.example", "--role", "advocate", "--password-stdin")
    assert run(*args, stdin="long enough password\n").exit_code == 0
    again = run(*args[:-1], "--name", "Another", "--password-stdin", stdin="long enough password\n")
    assert again.exit_code == 2 and "rename, set-role, set-languages or reactivate" in again.output
    assert store(tmp_path).user("a@b.example").body["name"] == "a@b.example", "the first account is unchanged"
    renamed = run("rename", "--email", "a@b.example", "--name", "Another")
    assert renamed.exit_code == 0 and store(tmp_path).user("a@b.example").body["name"] == "Another"


def test_an_unknown_language_is_refused_with_the_ones_there_are(run):
    refused = run("create-user", "--email", "a@b.example", "--role", "advocate", "--language", "fr",
                  "--password-stdin", stdin="long enough password\n")
    assert refused.exit_code == 2 and "'cy', 'en'" in refused.output


def test_rotate_api_key_prints_a_new_key_and_the_list_shows_when_the_old_one_stops(run, tmp_path):
    old = run("create-api-key", "--council", "cardiff", "--name", "Mosaic").stdout.strip()
    assert handlers.authenticate(store(tmp_path), f"Bearer {old}") is not None
    rotated = run("rotate-api-key", old.split("_")[1], "--overlap", "48")
    assert rotated.exit_code == 0, rotated.output
    new = rotated.stdout.strip()
    assert new.startswith("llk_") and "\n" not in new and "the old key works until" in rotated.stderr
    for key in (old, new):
        assert handlers.authenticate(store(tmp_path), f"Bearer {key}").council == "CARDIFF"
    rows = {line.split("\t")[0]: line.split("\t") for line in run("list-api-keys").stdout.splitlines()}
    old_row, new_row = rows[old.split("_")[1]], rows[new.split("_")[1]]
    assert old_row[1:3] == ["CARDIFF", "Mosaic"] and old_row[4] != "never used" and old_row[5].startswith("expires ")
    assert new_row[1:3] == ["CARDIFF", "Mosaic"] and new_row[5] == "active"
    assert old.split("_")[2] not in str(rows) and new.split("_")[2] not in str(rows)
    again = run("rotate-api-key", old)
    assert again.exit_code == 2 and "rotated already" in again.output
    too_long = run("rotate-api-key", new, "--overlap", "1000")
    assert too_long.exit_code == 2 and "between 0 and 720 hours" in too_long.output
    assert run("revoke", old).exit_code == 0
    assert handlers.authenticate(store(tmp_path), f"Bearer {old}") is None
    assert run("list-api-keys").stdout.count("revoked ") == 1
