"""Phone lines to realtime sessions: :mod:`realtime_bus.telephony.twilio` bridges Twilio Media
Streams. (SIP calls need no bridge: the service answers them itself; see the REST side's
incoming-call webhook.)"""

__all__: list[str] = []
