"""Event contracts: the envelope every event travels in, and one marshmallow schema per event type and version.

Producers build events with `new_event` (or `Event.follow` when one event causes another); consumers read them with
`parse_event`, which refuses anything malformed, of an unknown type or version, or whose data fails its schema.
"""

from shared.contracts.envelope import (
    ContractError,
    Event,
    EnvelopeSchema,
    contract,
    contract_for,
    known_contracts,
    new_event,
    parse_event,
    recalled_event,
)
from shared.contracts import referral as _referral  # noqa: F401  registers the referral contracts
from shared.contracts import scheduling as _scheduling  # noqa: F401  registers the scheduling contracts
from shared.contracts import casework as _casework  # noqa: F401  registers the casework contracts
from shared.contracts import complaints as _complaints  # noqa: F401  registers the complaints contracts
from shared.contracts import messages as _messages  # noqa: F401  registers the messages contracts
from shared.contracts import retention as _retention  # noqa: F401  registers the retention contracts

__all__ = [
    "ContractError",
    "Event",
    "EnvelopeSchema",
    "contract",
    "contract_for",
    "known_contracts",
    "new_event",
    "parse_event",
    "recalled_event",
]
