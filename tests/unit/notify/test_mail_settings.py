"""The settings of notify's email: the managers' addresses, the morning's time, GOV.UK Notify's key and template,
and the handlers and jobs the worker is built with from them."""

from __future__ import annotations

import functools

import pytest

from shared.config import ConfigError, Settings
from services.notify import app, handlers
from services.notify.delivery import govuk_notify_mailer, mailer, smtp_mailer

KEY = "llais_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"


def test_the_managers_addresses_and_the_mornings_time_are_read():
    settings = Settings.from_env({"LLAIS_MANAGER_EMAILS": " tim@provider.example , rheolwyr@provider.example,",
                                  "LLAIS_MORNING_MAIL_AT": "7:05", "LLAIS_PUBLIC_URL": "https://llais.example/"})
    assert settings.manager_emails == ("tim@provider.example", "rheolwyr@provider.example")
    assert settings.morning_mail_at == "07:05" and settings.public_url == "https://llais.example"
    defaults = Settings.from_env({})
    assert defaults.manager_emails == () and defaults.morning_mail_at == "07:30"


@pytest.mark.parametrize("env, named", [
    ({"LLAIS_MANAGER_EMAILS": "tim@provider.example,managers"}, "LLAIS_MANAGER_EMAILS"),
    ({"LLAIS_MORNING_MAIL_AT": "7.30"}, "LLAIS_MORNING_MAIL_AT"),
    ({"LLAIS_MORNING_MAIL_AT": "25:00"}, "LLAIS_MORNING_MAIL_AT"),
    ({"LLAIS_GOVUK_NOTIFY_API_KEY": KEY}, "LLAIS_GOVUK_NOTIFY_TEMPLATE_ID"),
])
def test_a_setting_that_cannot_work_is_refused_by_name(env, named):
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env)


def test_govuk_notify_is_used_where_its_key_is_set_and_smtp_otherwise():
    both = Settings.from_env({"LLAIS_GOVUK_NOTIFY_API_KEY": KEY, "LLAIS_GOVUK_NOTIFY_TEMPLATE_ID": "t1",
                              "LLAIS_SMTP_URL": "smtp://127.0.0.1:25"})
    assert mailer(both).__qualname__.startswith("govuk_notify_mailer")
    smtp = Settings.from_env({"LLAIS_SMTP_URL": "smtp://127.0.0.1:25"})
    assert govuk_notify_mailer(smtp) is None and mailer(smtp).__qualname__.startswith("smtp_mailer")
    assert mailer(Settings.from_env({})) is None and smtp_mailer(Settings.from_env({})) is None


def test_the_worker_binds_the_links_and_the_morning_to_its_handlers():
    settings = Settings.from_env({"LLAIS_PUBLIC_URL": "https://llais.example", "LLAIS_MORNING_MAIL_AT": "06:45"})
    bound = app.configure(app.worker.HANDLERS, settings)
    allocated, moved = bound["referral.allocated"], bound["meeting.rescheduled"]
    assert isinstance(allocated, functools.partial) and allocated.func is handlers.notify_advocate
    assert allocated.keywords == {"public_url": "https://llais.example"}
    assert moved.func is handlers.meeting_changed and moved.keywords == {"morning": "06:45"}
    assert bound["deadline.missed"] is handlers.note_deadline
    assert bound["complaint.responded"] is handlers.tell_complainant
