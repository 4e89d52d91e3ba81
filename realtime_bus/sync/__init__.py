"""The sync facade: the same bus, for scripts, notebooks and threaded programs.

::

    from realtime_bus import SyncBus

    with SyncBus.openai(model="gpt-realtime") as bus:
        bus.session.update(instructions="Be brief.")
        print(bus.request(ResponseCreate()).response.id)
"""

from ._bus import SyncBus, SyncLiveBus
from ._namespace import SyncNamespace
from ._waiting import SyncExpectation, SyncStream

__all__ = ["SyncBus", "SyncExpectation", "SyncLiveBus", "SyncNamespace", "SyncStream"]
