from __future__ import annotations

from pathlib import Path

import pytest

from shared.clock import new_id, timestamp
from shared.config import ConfigError, Settings


def test_the_embedded_defaults():
    settings = Settings.from_env({})
    assert not settings.broker
    assert settings.bus_url == f"sqlite:///{Path('var').resolve() / 'bus.sqlite3'}"
    assert settings.data_dir == Path("var")
    assert settings.port == 8080
    assert settings.store_backend == "sqlite"
    assert settings.exchange == "llais.events"
    assert settings.retry_delays == (1.0, 10.0, 60.0)


def test_an_empty_environment_gives_every_default_the_settings_declare():
    assert Settings.from_env({}) == Settings()
    blank = {name: "" for name in ("LLAIS_DATA", "PORT", "LLAIS_RETRY_DELAYS", "LLAIS_COMPLAINT_DAYS",
                                    "LLAIS_PREFETCH", "LLAIS_MAIL_FROM", "LLAIS_SETTLE_SECONDS")}
    assert Settings.from_env(blank) == Settings()


def test_settings_come_from_the_environment():
    settings = Settings.from_env({
        "AMQP_URL": "amqp://guest:guest@broker//", "MONGO_URL": "mongodb://db", "PORT": "9000",
        "LLAIS_RETRY_DELAYS": "0.5, 2", "LLAIS_QUEUE_TYPE": "quorum", "LLAIS_REFERRAL_URL": "http://referral:8080/",
    })
    assert settings.store_backend == "mongo"
    assert settings.port == 9000
    assert settings.retry_delays == (0.5, 2.0)
    assert settings.queue_type == "quorum"
    assert settings.service_urls == {"referral": "http://referral:8080"}


@pytest.mark.parametrize("env, names", [
    ({"PORT": "eighty"}, "PORT"),
    ({"PORT": "0"}, "PORT"),
    ({"LLAIS_RETRY_DELAYS": "1,soon"}, "LLAIS_RETRY_DELAYS"),
    ({"LLAIS_RETRY_DELAYS": "-1"}, "LLAIS_RETRY_DELAYS"),
    ({"LLAIS_QUEUE_TYPE": "stream"}, "LLAIS_QUEUE_TYPE"),
    ({"LLAIS_PREFETCH": "0"}, "LLAIS_PREFETCH"),
])
def test_a_setting_that_cannot_work_is_named(env, names):
    with pytest.raises(ConfigError, match=names):
        Settings.from_env(env)


def test_ids_are_unique_and_sort_by_creation():
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == 2000
    assert all(len(i) == 36 and i[14] == "7" for i in ids)
    assert ids == sorted(ids), "ids made one after another sort in that order"


def test_timestamps_carry_an_offset():
    assert timestamp().endswith("+00:00")


def test_the_published_working_hours_and_the_time_to_answer_a_message_are_configured():
    default = Settings.from_env({})
    assert (default.working_hours, default.message_response_hours) == (("09:00", "17:00"), 8)
    chosen = Settings.from_env({"LLAIS_WORKING_HOURS": "8:30-18:00", "LLAIS_MESSAGE_RESPONSE_HOURS": "4"})
    assert (chosen.working_hours, chosen.message_response_hours) == (("08:30", "18:00"), 4)
    for wrong in ("17:00-09:00", "09:00", "9-5", "09:00-25:00"):
        with pytest.raises(ConfigError, match="LLAIS_WORKING_HOURS"):
            Settings.from_env({"LLAIS_WORKING_HOURS": wrong})
    with pytest.raises(ConfigError, match="LLAIS_MESSAGE_RESPONSE_HOURS"):
        Settings.from_env({"LLAIS_MESSAGE_RESPONSE_HOURS": "0"})
