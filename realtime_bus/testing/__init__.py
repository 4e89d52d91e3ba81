"""Offline testing: a protocol-faithful local Realtime server (the simulator) and its tools.

Start it in code (``async with Simulator() as sim``), from a thread for synchronous code
(``with Simulator().run_in_thread() as sim``), from pytest (the ``realtime_simulator`` and
``realtime_simulator_url`` fixtures) or from the command line (``realtime-bus serve``).
"""

from ._faults import Faults
from ._http import HttpError, HttpRequest, HttpResponse, HttpRoutes
from ._registry import Calls, CallState, ClientSecret, ClientSecrets, SimulatedCall
from ._responder import (
    DefaultResponder,
    Reply,
    Responder,
    ResponderContext,
    ScriptedResponder,
    ScriptExhausted,
    ToolCall,
)
from ._session import SimulatedSession
from ._simulator import MAX_MESSAGE_BYTES, Simulator
from ._speech import decode_speech, silence, synthesize_speech, tone

__all__ = [
    "MAX_MESSAGE_BYTES",
    "CallState",
    "Calls",
    "ClientSecret",
    "ClientSecrets",
    "DefaultResponder",
    "Faults",
    "HttpError",
    "HttpRequest",
    "HttpResponse",
    "HttpRoutes",
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
    "silence",
    "synthesize_speech",
    "tone",
]
