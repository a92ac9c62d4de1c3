"""Whether an address the platform is asked to send to is out on the internet, not inward: a council's webhook URL
must not lead the platform to itself, to the network it runs in or to a cloud's metadata service.

The gateway checks a URL when a council sets it, and notify again each time it delivers, on the addresses the name
resolves to then, and connects to the address it checked (so a name that changes its answer in between cannot send
it inward). `allow_private` lets both reach loopback and private addresses: for tests and closed networks only
(LLAIS_WEBHOOK_ALLOW_PRIVATE).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "fd00:ec2::254", "100.100.100.200", "192.0.0.192", "168.63.129.16"))
"""The clouds' metadata and platform services, refused wherever they sit."""
SPECIAL = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("64:ff9b::/96"))
"""Protocol assignments and the NAT64 prefix, which lead to no council's server of their own."""
INWARD_NAMES = ("localhost", "localhost.localdomain")


class Inward(ValueError):
    """The URL, its host or an address its name resolves to is not a public internet address; says which."""


def inward(address: Address) -> bool:
    """Whether an address is anything but a public unicast one: private, loopback, link-local, shared (CGNAT),
    multicast, reserved, unspecified or a metadata service, or an IPv6 address carrying such an IPv4 one."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if carried is not None and inward(carried):
            return True
    return (not address.is_global or address.is_multicast or address.is_reserved or address in METADATA
            or any(address in network for network in SPECIAL))


def literal(host: str) -> Address | None:
    """The address a host names itself, if it is one: IPv6 in brackets, or IPv4 in any form a resolver reads as one
    (dotted, shortened, or as one decimal, octal or hexadecimal number: 2130706433, 0x7f000001, 0177.0.0.1, 127.1)."""
    bare = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    last = bare.rsplit(".", 1)[-1].lower()
    if last.isdigit() or (last.startswith("0x") and all(c in "0123456789abcdef" for c in last[2:])):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            raise Inward(f"{host} is neither a name nor an address") from None
    return None


def check_host(host: str, *, allow_private: bool = False) -> None:
    """Inward for a host that is an inward address or an inward name (localhost and *.localhost)."""
    if allow_private:
        return
    name = host.lower().rstrip(".")
    if name in INWARD_NAMES or name.endswith(".localhost"):
        raise Inward(f"{host} is this machine")
    address = literal(host)
    if address is not None and inward(address):
        raise Inward(f"{address} is not a public internet address")


def resolve(host: str, port: int, *, allow_private: bool = False) -> list[Address]:
    """Every address `host` resolves to now, when all are public; Inward when any is not (a name with one inward
    answer may give it next time). OSError (socket.gaierror) when it does not resolve."""
    check_host(host, allow_private=allow_private)
    answers = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in answers))
    for address in addresses:
        if not allow_private and inward(address):
            raise Inward(f"{host} resolves to {address}, which is not a public internet address")
    return addresses


def check_url(url: str, *, allow_private: bool = False) -> None:
    """Inward for a URL that is not https to a public host, as far as can be told now: a name that resolves must
    resolve outward only; one that does not resolve yet is let be (delivery checks it again)."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not allow_private:
        raise Inward("a webhook URL must use https")
    host = parts.hostname or ""
    try:
        resolve(host, parts.port or 443, allow_private=allow_private)
    except OSError:
        pass
