"""Call control of a SIP leg: ``reject``, ``refer`` and ``hangup``, the same on both protocols.

A Realtime call (``/realtime/calls/{call_id}/...``) and a GPT-Live phone session
(``/live/sessions/{session_id}/...``) answer these requests alike: the body is checked first,
then the leg's state (409 when the action does not apply to it), then the leg changes. Each
REST side says how it finds a leg, which states it allows, and what ``accept`` means for it.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from ._http import HttpRequest, HttpResponse
from ._registry import SipLeg
from ._rest_wire import ReferBody, RejectBody, check_refer_uri, check_reject_status, decode_body

__all__ = ["SipControls"]


_Leg = TypeVar("_Leg", bound=SipLeg)


class SipControls(Generic[_Leg]):
    """The ``reject``, ``refer`` and ``hangup`` endpoints of one REST side."""

    __slots__ = ()

    _answered: ClassVar[str]
    """The state of a call once accepted."""
    _reject_body: ClassVar[type[RejectBody]] = RejectBody
    """How a reject's body decodes (whether its ``status_code`` may be left out)."""

    def _leg(self, request: HttpRequest) -> _Leg:
        """The leg the request names (its key checked first), or a 404."""
        raise NotImplementedError

    def _require(self, leg: _Leg, action: str, *states: str) -> None:
        """A 409 (or a 400) unless ``action`` applies to ``leg`` in its state."""
        raise NotImplementedError

    async def _reject(self, request: HttpRequest) -> HttpResponse:
        leg = self._leg(request)
        body: RejectBody = decode_body(request, self._reject_body)
        check_reject_status(body.status_code)
        self._require(leg, "reject", "ringing")
        leg.reject(body.status_code)
        return HttpResponse(status=200)

    async def _refer(self, request: HttpRequest) -> HttpResponse:
        leg = self._leg(request)
        body: ReferBody = decode_body(request, ReferBody)
        check_refer_uri(body.target_uri)
        self._require(leg, "refer", self._answered)
        leg.refer(body.target_uri)
        return HttpResponse(status=200)

    async def _hangup(self, request: HttpRequest) -> HttpResponse:
        leg = self._leg(request)
        self._require(leg, "hang up", "ringing", self._answered)
        leg.end(1000, "The call has ended.")
        return HttpResponse(status=200)
