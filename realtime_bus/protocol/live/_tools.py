"""The Responses backend a Live session delegates task work to: its model, tools, tool choice.

``ResponsesDelegationConfig`` goes in ``session.start`` (``model`` required);
``ResponsesDelegationUpdate`` in ``session.update`` and fork starts (every field optional:
what is left out keeps its value).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from msgspec import UNSET, UnsetType

from .._base import Model, defined_names
from .._models import McpApprovalFilter as McpApprovalFilter
from .._models import McpToolFilter as McpToolFilter


class _Tagged(Model, tag_field="type"):
    """A nested object that is one member of a union told apart by its ``type``."""


# ---------------------------------------------------------------------------------------------
# Tools


class FunctionTool(_Tagged, tag="function"):
    """A function the backend may call; the client runs it and returns its output."""

    name: str
    description: str | UnsetType | None = UNSET
    parameters: dict[str, Any] | UnsetType | None = UNSET
    strict: bool | UnsetType | None = UNSET


class WebSearchTool(_Tagged, tag="web_search"):
    """The hosted web search tool."""


class FileSearchTool(_Tagged, tag="file_search"):
    """The hosted file search tool."""


class CodeInterpreterTool(_Tagged, tag="code_interpreter"):
    """The hosted code interpreter."""


class NetworkDisabled(_Tagged, tag="disabled"):
    """A shell container without network access."""


class NetworkAllowlist(_Tagged, tag="allowlist"):
    """A shell container that may reach only ``allowed_domains``."""

    allowed_domains: list[str]


class SkillReference(_Tagged, tag="skill_reference"):
    """A stored skill, by id."""

    skill_id: str
    version: str | UnsetType | None = UNSET


class InlineSkillSource(_Tagged, tag="base64"):
    """A zipped skill, base64-encoded."""

    data: str
    media_type: Literal["application/zip"]


class InlineSkill(_Tagged, tag="inline"):
    """A skill given in the request."""

    name: str
    description: str
    source: InlineSkillSource


class ContainerAutoEnvironment(_Tagged, tag="container_auto"):
    """A shell in a container made for the session."""

    file_ids: list[str] | UnsetType | None = UNSET
    memory_limit: Literal["1g", "4g", "16g", "64g"] | UnsetType | None = UNSET
    network_policy: NetworkDisabled | NetworkAllowlist | UnsetType | None = UNSET
    skills: list[SkillReference | InlineSkill] | UnsetType | None = UNSET


class ContainerReferenceEnvironment(_Tagged, tag="container_reference"):
    """A shell in an existing container."""

    container_id: str


class LocalSkill(Model):
    """A skill on the client's machine."""

    name: str
    description: str
    path: str


class LocalEnvironment(_Tagged, tag="local"):
    """A shell the client runs itself."""

    skills: list[LocalSkill] | UnsetType | None = UNSET


class ShellTool(_Tagged, tag="shell"):
    """The shell tool, in a container or on the client."""

    environment: (
        ContainerAutoEnvironment
        | ContainerReferenceEnvironment
        | LocalEnvironment
        | UnsetType
        | None
    ) = UNSET


class ImageGenerationTool(_Tagged, tag="image_generation"):
    """The hosted image generation tool."""


class McpTool(_Tagged, tag="mcp"):
    """A remote MCP server, or a connector, whose tools the backend may call.

    ``authorization`` and ``headers`` are secrets: they never appear in a repr.
    """

    _secret_fields = frozenset({"authorization", "headers"})

    allowed_callers: list[Literal["direct", "programmatic"]] | UnsetType | None = UNSET
    allowed_tools: list[str] | McpToolFilter | UnsetType | None = UNSET
    authorization: str | UnsetType | None = UNSET
    connector_id: str | UnsetType | None = UNSET
    defer_loading: bool | UnsetType | None = UNSET
    headers: dict[str, str] | UnsetType | None = UNSET
    require_approval: McpApprovalFilter | Literal["always", "never"] | UnsetType | None = UNSET
    server_description: str | UnsetType | None = UNSET
    server_label: str | UnsetType | None = UNSET
    server_url: str | UnsetType | None = UNSET
    tunnel_id: str | UnsetType | None = UNSET


class CustomTool(_Tagged, tag="custom"):
    """Custom tools (free-form input)."""


class NamespaceTool(_Tagged, tag="namespace"):
    """Namespaced tools."""


class ToolSearchTool(_Tagged, tag="tool_search"):
    """The tool search tool."""


class ProgrammaticToolCallingTool(_Tagged, tag="programmatic_tool_calling"):
    """Programmatic tool calling."""


class ComputerTool(_Tagged, tag="computer"):
    """The computer use tool."""


class ApplyPatchTool(_Tagged, tag="apply_patch"):
    """The apply-patch tool."""


Tool: TypeAlias = (
    FunctionTool
    | WebSearchTool
    | FileSearchTool
    | CodeInterpreterTool
    | ShellTool
    | ImageGenerationTool
    | McpTool
    | CustomTool
    | NamespaceTool
    | ToolSearchTool
    | ProgrammaticToolCallingTool
    | ComputerTool
    | ApplyPatchTool
)
"""A tool of the Responses backend."""


# ---------------------------------------------------------------------------------------------
# Tool choice


class _Choice(Model, tag_field="type"):
    """A tool choice told apart by its ``type``."""


class FunctionChoice(_Choice, tag="function"):
    """Call the named function."""

    name: str


class McpChoice(_Choice, tag="mcp"):
    """Call the named tool of an MCP server."""

    name: str
    server_label: str


class CustomChoice(_Choice, tag="custom"):
    """Call the named custom tool."""

    name: str


class FileSearchChoice(_Choice, tag="file_search"):
    """Use the ``file_search`` tool."""


class WebSearchChoice(_Choice, tag="web_search"):
    """Use the ``web_search`` tool."""


class WebSearchPreviewChoice(_Choice, tag="web_search_preview"):
    """Use the ``web_search_preview`` tool."""


class ImageGenerationChoice(_Choice, tag="image_generation"):
    """Use the ``image_generation`` tool."""


class ComputerChoice(_Choice, tag="computer"):
    """Use the ``computer`` tool."""


class CodeInterpreterChoice(_Choice, tag="code_interpreter"):
    """Use the ``code_interpreter`` tool."""


class ProgrammaticToolCallingChoice(_Choice, tag="programmatic_tool_calling"):
    """Use the ``programmatic_tool_calling`` tool."""


class ShellChoice(_Choice, tag="shell"):
    """Use the ``shell`` tool."""


class ApplyPatchChoice(_Choice, tag="apply_patch"):
    """Use the ``apply_patch`` tool."""


NamedChoice: TypeAlias = (
    FunctionChoice
    | McpChoice
    | FileSearchChoice
    | WebSearchChoice
    | WebSearchPreviewChoice
    | ImageGenerationChoice
    | ComputerChoice
    | CodeInterpreterChoice
    | ProgrammaticToolCallingChoice
    | ShellChoice
    | ApplyPatchChoice
    | CustomChoice
)
"""A choice of one tool (or one kind of hosted tool)."""


class AllowedToolsChoice(_Choice, tag="allowed_tools"):
    """Restrict the model to ``tools``; ``mode`` says whether it must call one."""

    tools: list[NamedChoice]
    mode: Literal["none", "auto", "required"] | UnsetType | None = UNSET


ToolChoice: TypeAlias = Literal["auto", "none", "required"] | NamedChoice | AllowedToolsChoice
"""How the backend picks tools: a mode, one tool, or a restricted set."""


# ---------------------------------------------------------------------------------------------
# The backend's configuration


class Reasoning(Model):
    """How much the backend model reasons, and whether it summarises it."""

    effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"] | UnsetType | None = UNSET
    summary: Literal["concise", "detailed", "auto"] | UnsetType | None = UNSET


class TextConfig(Model):
    """How verbose the backend's text is."""

    verbosity: Literal["low", "medium", "high"] | UnsetType | None = UNSET


ServiceTier: TypeAlias = Literal[
    "auto", "default", "fast_tier_temp_pilot", "flex", "priority", "ultrafast"
]


class _ResponsesSettings(Model):
    instructions: str | UnsetType | None = UNSET
    max_output_tokens: int | UnsetType | None = UNSET
    parallel_tool_calls: bool | UnsetType | None = UNSET
    reasoning: Reasoning | UnsetType | None = UNSET
    service_tier: ServiceTier | UnsetType | None = UNSET
    text: TextConfig | UnsetType | None = UNSET
    tool_choice: ToolChoice | UnsetType | None = UNSET
    tools: list[Tool] | UnsetType | None = UNSET


class ResponsesDelegationConfig(_ResponsesSettings, kw_only=True):
    """The Responses backend of a new session: ``model`` and how it is prompted and tooled."""

    model: str


class ResponsesDelegationUpdate(_ResponsesSettings):
    """Changes to the Responses backend; what is left out keeps its value."""

    model: str | UnsetType | None = UNSET


# Type checkers read the definitions above themselves; the MCP filters are Realtime's.
if not TYPE_CHECKING:
    __all__ = [*defined_names(globals()), "McpApprovalFilter", "McpToolFilter"]
