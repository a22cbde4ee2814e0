"""The names generated modules use, gathered from the runtime modules.

``client.py``, ``async_client.py``, ``resources/`` and ``models/`` read the runtime through
this one module (``_base.RequestOptions``, ``_base.RawResponse``, ...). What each name does
lives in its own module:

_types          NOT_GIVEN and the argument types (Headers, Query, Body, Timeout, FileContent)
_models         Model, the base of every generated model
_request        RequestOptions, and the path, query, headers and body they become
_auth           what each security scheme sends; keys kept out of logs
_retry          whether and when a failed attempt is tried again
_response       parsing bodies and error bodies; RawResponse
_polling        Poller: when a run is done, how long to wait
_streaming      server-sent events: Stream and AsyncStream
_base_client    BaseClient: configuration, request building, the send/retry/poll flows
_client         SyncAPIClient: the flows with blocking I/O
_async_client   AsyncAPIClient: the flows with asyncio
errors          the exceptions
"""

from __future__ import annotations

from ._async_client import AsyncAPIClient
from ._base_client import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, ClientConfig, ResourceCache
from ._client import SyncAPIClient
from ._models import Model
from ._polling import Poller
from ._request import RequestOptions
from ._response import RawResponse, field_value
from ._types import NOT_GIVEN, Body, FileContent, Headers, NotGiven, Query, Timeout

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "AsyncAPIClient",
    "Body",
    "ClientConfig",
    "FileContent",
    "Headers",
    "Model",
    "NotGiven",
    "Poller",
    "Query",
    "RawResponse",
    "RequestOptions",
    "ResourceCache",
    "SyncAPIClient",
    "Timeout",
    "field_value",
]
