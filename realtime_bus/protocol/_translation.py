"""Translation sessions (``/realtime/translations``): a separate endpoint with its own events.

They reuse the names ``session.created``, ``session.updated``, ``session.update`` and ``error``
with other payloads, so the decoder is told which kind of connection it is on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal, TypeAlias, get_args

from msgspec import UNSET, UnsetType

from ._audio import pcm_from_base64
from ._base import ClientEvent, Model, ServerEvent, _AudioEvent, defined_names, install_type_names
from ._server_events import ErrorEvent


class TranslationNoiseReduction(Model):
    """Input noise reduction of a translation session."""

    type: Literal["near_field", "far_field"]
    strength: float | UnsetType | None = UNSET


class TranslationTranscription(Model):
    """Transcription of the source speech."""

    model: str


class TranslationAudioInput(Model):
    """``audio.input`` of a translation session."""

    noise_reduction: TranslationNoiseReduction | UnsetType | None = UNSET
    transcription: TranslationTranscription | UnsetType | None = UNSET


class TranslationAudioOutput(Model):
    """``audio.output`` of a translation session: the target language."""

    language: str | UnsetType | None = UNSET


class TranslationAudio(Model):
    """``audio`` of a translation session."""

    input: TranslationAudioInput | UnsetType | None = UNSET
    output: TranslationAudioOutput | UnsetType | None = UNSET


class TranslationSession(Model):
    """A translation session as the server reports it."""

    id: str
    model: str
    expires_at: int
    audio: TranslationAudio
    type: Literal["translation"] = "translation"


class TranslationSettings(Model):
    """What ``session.update`` may change on a translation session."""

    audio: TranslationAudio | UnsetType | None = UNSET


class TranslationSessionCreated(ServerEvent, tag="session.created", frozen=True):
    """The first event of a translation connection."""

    session: TranslationSession


class TranslationSessionUpdated(ServerEvent, tag="session.updated", frozen=True):
    """Acknowledges ``session.update`` on a translation connection."""

    session: TranslationSession


class TranslationSessionClosed(ServerEvent, tag="session.closed", frozen=True):
    """The translation session ended."""


class _TranscriptDelta(ServerEvent, frozen=True):
    delta: str
    elapsed_ms: int | UnsetType | None = UNSET


class TranslationInputTranscriptDelta(
    _TranscriptDelta, tag="session.input_transcript.delta", frozen=True
):
    """A piece of the transcript of the source speech."""


class TranslationOutputTranscriptDelta(
    _TranscriptDelta, tag="session.output_transcript.delta", frozen=True
):
    """A piece of the transcript of the translated speech."""


class TranslationOutputAudioDelta(ServerEvent, tag="session.output_audio.delta", frozen=True):
    """A chunk of translated audio, base64 encoded (see :attr:`pcm`)."""

    _audio_fields: ClassVar[frozenset[str]] = frozenset({"delta"})

    delta: str
    format: Literal["pcm16"] | UnsetType | None = UNSET
    sample_rate: int | UnsetType | None = UNSET
    channels: int | UnsetType | None = UNSET
    elapsed_ms: int | UnsetType | None = UNSET

    @property
    def pcm(self) -> bytes:
        """The audio bytes of this chunk."""
        return pcm_from_base64(self.delta)


class TranslationSessionUpdate(ClientEvent, tag="session.update"):
    """Change a translation session's settings."""

    session: TranslationSettings


class TranslationInputAudioBufferAppend(_AudioEvent, tag="session.input_audio_buffer.append"):
    """Append base64 source audio."""


class TranslationSessionClose(ClientEvent, tag="session.close"):
    """End the translation session."""


AnyTranslationServerEvent: TypeAlias = (
    ErrorEvent
    | TranslationInputTranscriptDelta
    | TranslationOutputAudioDelta
    | TranslationOutputTranscriptDelta
    | TranslationSessionClosed
    | TranslationSessionCreated
    | TranslationSessionUpdated
)
AnyTranslationClientEvent: TypeAlias = (
    TranslationInputAudioBufferAppend | TranslationSessionClose | TranslationSessionUpdate
)

TRANSLATION_SERVER_EVENT_CLASSES: tuple[type[ServerEvent], ...] = get_args(
    AnyTranslationServerEvent
)
"""Every server event of a translation session, in the union's order."""
TRANSLATION_CLIENT_EVENT_CLASSES: tuple[type[ClientEvent], ...] = get_args(
    AnyTranslationClientEvent
)
"""Every client event of a translation session, in the union's order."""
install_type_names(TRANSLATION_SERVER_EVENT_CLASSES[1:])  # ErrorEvent is the GA class
install_type_names(TRANSLATION_CLIENT_EVENT_CLASSES)

if not TYPE_CHECKING:  # type checkers read the definitions above themselves
    __all__ = defined_names(globals())
