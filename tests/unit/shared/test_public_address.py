"""Which webhook addresses are out on the internet: every inward range refused, however the address is written, and
a name refused when any address it resolves to is inward."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from shared import public_address
from shared.public_address import Inward


@pytest.mark.parametrize("host", [
    "10.0.0.12", "172.16.5.4", "192.168.1.1", "127.0.0.1", "127.255.255.254", "0.0.0.0", "169.254.169.254",
    "169.254.0.7", "100.64.0.1", "100.100.100.200", "192.0.0.192", "168.63.129.16", "224.0.0.1", "239.1.2.3",
    "240.0.0.1", "255.255.255.255", "198.18.0.1",
    "[::1]", "[::]", "[fe80::1]", "[fc00::1]", "[fd00:ec2::254]", "[ff02::1]", "[::ffff:127.0.0.1]",
    "[::ffff:10.0.0.1]", "[2002:7f00:1::]", "[64:ff9b::a00:1]", "[2001::1]",
    "2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0x7f.1", "017700000001", "0", "3232235777",
    "localhost", "LOCALHOST.", "api.localhost", "localhost.localdomain",
])
def test_an_inward_host_is_refused_however_it_is_written(host):
    with pytest.raises(Inward):
        public_address.check_host(host)
    public_address.check_host(host, allow_private=True)


@pytest.mark.parametrize("host", ["council.example", "8.8.8.8", "[2001:4860:4860::8888]", "134744072",
                                  "hooks.cardiff.gov.uk", "localhost-council.example"])
def test_a_public_host_is_let_through(host):
    public_address.check_host(host)


def test_a_number_that_is_no_address_is_refused():
    with pytest.raises(Inward):
        public_address.check_host("council.999999999999")


@pytest.mark.parametrize("url", ["http://council.example/hook", "https://10.0.0.12/", "https://[::1]/hook",
                                 "http://localhost:22/", "https://2130706433/hook"])
def test_a_url_not_https_to_a_public_host_is_refused(url):
    with pytest.raises(Inward):
        public_address.check_url(url)


def answering(monkeypatch, *addresses: str) -> None:
    """The resolver answering every name with `addresses` (there is no DNS server here to ask)."""
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_name_that_resolves_inward_is_refused_even_if_only_one_answer_is(monkeypatch):
    answering(monkeypatch, "203.0.113.9", "8.8.8.8", "169.254.169.254")
    with pytest.raises(Inward, match="169.254.169.254"):
        public_address.resolve("169.254.169.254.nip.io", 443)
    with pytest.raises(Inward):
        public_address.check_url("https://169.254.169.254.nip.io/")


def test_a_name_that_resolves_outward_gives_its_addresses(monkeypatch):
    answering(monkeypatch, "8.8.8.8", "2001:4860:4860::8888")
    assert public_address.resolve("council.example", 443) == [ipaddress.ip_address("8.8.8.8"),
                                                               ipaddress.ip_address("2001:4860:4860::8888")]
    public_address.check_url("https://council.example/hook")


def test_a_name_that_does_not_resolve_yet_may_be_set():
    public_address.check_url("https://no-such-host.invalid/hook")
    with pytest.raises(OSError):
        public_address.resolve("no-such-host.invalid", 443)

