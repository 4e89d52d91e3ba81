"""The server's side of the protocol: for simulators, relays and tests that play the service.

An application talks to a server and needs none of this; it lives apart from the client-side
names so that ``realtime_bus`` and ``realtime_bus.protocol`` list only what a client uses.
"""

from ._beta import BETA_SERVER_RENAMES
from ._codec import ClientDecoder, encode_server

__all__ = ["BETA_SERVER_RENAMES", "ClientDecoder", "encode_server"]
