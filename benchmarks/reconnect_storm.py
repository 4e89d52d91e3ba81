"""Reconnect storm: N sessions whose server restarts at once all come back, losing nothing.

N buses connect to one simulator; the simulator stops (every connection drops without a close
frame) and starts again on the same port after ``--down`` seconds. While it is down, each bus
queues a ``session.update`` carrying a marker. The run reports how long the sessions took to
come back, whether all did within the backoff limit, and whether every marker reached the new
server exactly once (and the replayed configuration first).

    python benchmarks/reconnect_storm.py            # 200 sessions, server down 1 s
    python benchmarks/reconnect_storm.py -n 50 --down 0.5
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time

from realtime_bus import Bus, RealtimeSession, Reconnected, ReconnectPolicy, SessionUpdate
from realtime_bus.testing import Simulator


async def storm(sessions: int, down: float, policy: ReconnectPolicy) -> dict[str, float]:
    sim = Simulator(record=True)
    await sim.start()
    port = sim.port
    buses = [
        Bus(sim.url, api_key="sk-storm", reconnect=policy, name=f"storm-{i}")
        for i in range(sessions)
    ]
    back_at: dict[str, float] = {}

    def on_back(bus: Bus) -> object:
        def record(_event: Reconnected) -> None:
            back_at[bus.name] = time.monotonic()

        return record

    for bus in buses:
        bus.add_handler(Reconnected, on_back(bus))
    tasks = [asyncio.create_task(bus.run()) for bus in buses]
    await asyncio.gather(*(bus.wait_open(30) for bus in buses))
    await asyncio.gather(*(bus.session.update(instructions="before", wait=True) for bus in buses))

    await sim.stop()
    lost_at = time.monotonic()
    await asyncio.sleep(0.05)
    markers = {
        bus.name: bus.send_nowait(SessionUpdate(session=RealtimeSession(instructions=bus.name)))
        for bus in buses
    }
    await asyncio.sleep(down)
    restarted = Simulator(port=port, record=True)
    await restarted.start()
    restarted_at = time.monotonic()

    deadline = restarted_at + policy.max_elapsed
    while len(back_at) < sessions and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # let the queued markers land

    delivered = 0
    doubled = 0
    replay_first = 0
    for session in restarted.history:
        updates = [e for e in session.received if e.type == "session.update"]
        if updates and updates[0].session.instructions == "before":  # type: ignore[union-attr]
            replay_first += 1
        ids = [e.event_id for e in updates]
        for marker in markers.values():
            count = ids.count(marker.event_id)
            delivered += count == 1
            doubled += count > 1

    for bus in buses:
        await bus.close()
    await asyncio.gather(*tasks, return_exceptions=True)
    await restarted.stop()

    delays = sorted(t - restarted_at for t in back_at.values())
    return {
        "sessions": sessions,
        "came_back": len(back_at),
        "markers_delivered_once": delivered,
        "markers_doubled": doubled,
        "config_replayed_first": replay_first,
        "outage_s": restarted_at - lost_at,
        "back_p50_s": statistics.median(delays) if delays else float("nan"),
        "back_max_s": delays[-1] if delays else float("nan"),
        "backoff_limit_s": policy.max_elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--sessions", type=int, default=200)
    parser.add_argument("--down", type=float, default=1.0, help="seconds the server is down")
    args = parser.parse_args()
    logging.getLogger("realtime_bus").setLevel(logging.ERROR)  # one reconnect line per attempt
    policy = ReconnectPolicy(base_delay=0.25, max_delay=2.0, max_attempts=20, max_elapsed=30)
    result = asyncio.run(storm(args.sessions, args.down, policy))
    width = max(map(len, result))
    for key, value in result.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown}")
    ok = (
        result["came_back"] == result["sessions"]
        and result["markers_delivered_once"] == result["sessions"]
        and result["markers_doubled"] == 0
    )
    print("PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
