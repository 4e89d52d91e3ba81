"""Offline testing: a protocol-faithful local Realtime server (the simulator) and its tools.

The simulator speaks the GA Realtime protocol over a real WebSocket on loopback, and serves the
REST endpoints (client secrets, calls) on the same port. Start it:

* in code: ``async with Simulator() as sim:`` (a free port; ``sim.url`` is
  ``ws://127.0.0.1:PORT/v1/realtime``, ``sim.ws_base_url`` the ``openai`` SDK's
  ``websocket_base_url``, ``sim.http_url`` the REST base URL);
* from synchronous code: ``with Simulator().run_in_thread() as sim:`` (act on it with
  ``sim.call(func, *args)``);
* from pytest: the ``realtime_simulator``, ``realtime_simulator_thread`` and
  ``realtime_simulator_url`` fixtures (see :mod:`realtime_bus.testing.pytest_plugin`);
* from the command line: ``realtime-bus serve --port 8765``.

What the assistant says comes from a responder (:class:`DefaultResponder`, deterministic; or
:class:`ScriptedResponder` for tests; or any callable taking a :class:`ResponderContext`).
:func:`synthesize_speech` makes PCM16 "speech" that the server VAD hears and the input
transcription turns back into the same text (:func:`decode_speech`); the assistant's audio is
made the same way, so its audio decodes to its transcript.

``sim.connections`` lists the live :class:`SimulatedSession` objects: their configuration
(``config``), conversation (``items``), input buffer (``input_audio``) and every event that
crossed the wire (``received``, ``sent``).

Fault injection (``sim.faults``, a :class:`Faults`; every switch may be flipped at any time):

=================================================  ============================================
``faults.refuse_handshakes(n, status=503)``        refuse the next ``n`` WebSocket handshakes
                                                   with that HTTP status (503, 401, 403, ...)
``faults.drop_after_events(n)``                    TCP abort (no close frame) right after the
                                                   next ``n`` server events; fires once
``faults.drop_mid_response(after_deltas=3)``       TCP abort after that many delta events of
                                                   the next response; fires once
``faults.fail_mid_response(after_deltas=3)``       an exception inside the next response after
                                                   that many deltas: ``error`` (server_error)
                                                   and ``response.done`` ``failed``; fires once
``faults.drop()``                                  TCP abort of every live connection now
``faults.frame_delay = 0.5``                       hold every outgoing frame that long (0: off)
``faults.send_malformed_frame(kind="json")``       a frame that is not JSON (``"json"``), a
                                                   known type with bad fields (``"schema"``),
                                                   or not UTF-8 (``"utf8"``), to every client
``faults.send_unknown_event(type=..., **fields)``  a well-formed event of an unknown type
``faults.stall()`` / ``faults.resume()``           stop reading and writing without closing
                                                   (pings go unanswered), and undo it
``faults.never_answer_close = True``               swallow clients' close frames: no reply,
                                                   TCP left open
``faults.close(code=1001, reason="...")``          close every live connection with that code
``faults.reset()``                                 undo every fault
=================================================  ============================================

The same actions exist per session: ``session.abort()``, ``session.close(code, reason)``,
``session.stall()`` / ``resume()``, ``session.send_raw(frame)``, ``session.send_event(event)``.
A session ends by itself at ``max_session_seconds`` with an ``error`` (``session_expired``) and
a close 1001 whose reason is the service's (``Your session hit the maximum duration of 60
minutes.``).
"""

from ._faults import Faults, InjectedFault
from ._http import HttpError, HttpRequest, HttpResponse, HttpRoutes
from ._live_responder import LiveContext, LiveEntry, LiveReply, LiveResponder
from ._live_server import LiveConnection, LiveServer, live_of
from ._live_session import LiveSession
from ._registry import (
    CallState,
    SimulatedCall,
    SimulatedCalls,
    SimulatedClientSecret,
    SimulatedClientSecrets,
    SimulatedTranslationSecret,
)
from ._replay import Replay
from ._replay_server import ReplayServer
from ._responder import (
    DefaultResponder,
    Reply,
    Responder,
    ResponderContext,
    ScriptedResponder,
    ScriptExhausted,
    ToolCall,
)
from ._rest import PlacedCall, RestRequest, SimulatedRest, rest_of
from ._rest_faults import RestFaults
from ._session import SimulatedSession
from ._simulator import MAX_MESSAGE_BYTES, Simulator
from ._speech import decode_speech, silence, synthesize_speech, tone
from ._translation_session import SimulatedTranslationSession

__all__ = [
    "rest_of",
    "SimulatedRest",
    "RestRequest",
    "RestFaults",
    "PlacedCall",
    "MAX_MESSAGE_BYTES",
    "CallState",
    "SimulatedCalls",
    "SimulatedClientSecret",
    "SimulatedTranslationSecret",
    "SimulatedTranslationSession",
    "SimulatedClientSecrets",
    "DefaultResponder",
    "Faults",
    "HttpError",
    "HttpRequest",
    "HttpResponse",
    "HttpRoutes",
    "InjectedFault",
    "LiveConnection",
    "LiveContext",
    "LiveEntry",
    "LiveReply",
    "LiveResponder",
    "LiveServer",
    "LiveSession",
    "Replay",
    "ReplayServer",
    "Reply",
    "Responder",
    "ResponderContext",
    "ScriptExhausted",
    "ScriptedResponder",
    "SimulatedCall",
    "SimulatedSession",
    "Simulator",
    "ToolCall",
    "decode_speech",
    "live_of",
    "silence",
    "synthesize_speech",
    "tone",
]
