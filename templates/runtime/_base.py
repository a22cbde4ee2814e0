"""The names generated modules use, gathered from the runtime modules.

``client.py``, ``async_client.py``, ``resources/`` and ``models/`` read the runtime through
this one module (``_base.RequestOptions``, ``_base.RawResponse``, ...). What each name does
lives in its own module:

_types          NOT_GIVEN and the argument types (Headers, Query, Body, Timeout, FileContent)
_closing        Closing, AsyncClosing: what a with block closes when it ends
_models         Model, the base of every generated model
_request        RequestOptions, and the path, query, headers and body they become
_auth           what each security scheme sends; keys kept out of logs
_logs           the package's log, on with <PACKAGE>_LOG=info|debug; credentials masked
_oauth2         OAuth2 client credentials: the token fetched, cached and refreshed
_middleware     callables around each attempt, inside the retry loop
_retry          whether and when a failed attempt is tried again
_response       parsing bodies and error bodies; RawResponse
_deadline       Deadline: one budget bounding every request and sleep of a wait
_polling        Poller: when a run is done, how long to wait
_streaming      server-sent events: Stream and AsyncStream
_streamed_response  with_streaming_response: bodies read piece by piece, written to disk
_base_client    BaseClient: configuration, request building, the send/retry/poll flows
_client         SyncAPIClient: the flows with blocking I/O
_async_client   AsyncAPIClient: the flows with asyncio
errors          the exceptions
"""

from __future__ import annotations

from ._async_client import AsyncAPIClient
from ._base_client import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, ClientConfig, ResourceCache
from ._client import SyncAPIClient
from ._deadline import Deadline
from ._middleware import AsyncCallNext, AsyncMiddleware, CallNext, Middleware
from ._models import Model
from ._oauth2 import OAuth2Config
from ._polling import Poller
from ._request import RequestOptions
from ._response import RawResponse, field_value
from ._streamed_response import (
    AsyncStreamedResponse,
    AsyncStreamedResponseManager,
    StreamedResponse,
    StreamedResponseManager,
)
from ._types import NOT_GIVEN, Body, FileContent, Headers, NotGiven, Query, Timeout

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "AsyncAPIClient",
    "AsyncCallNext",
    "AsyncMiddleware",
    "AsyncStreamedResponse",
    "AsyncStreamedResponseManager",
    "Body",
    "CallNext",
    "ClientConfig",
    "Deadline",
    "FileContent",
    "Headers",
    "Middleware",
    "Model",
    "NotGiven",
    "OAuth2Config",
    "Poller",
    "Query",
    "RawResponse",
    "RequestOptions",
    "ResourceCache",
    "StreamedResponse",
    "StreamedResponseManager",
    "SyncAPIClient",
    "Timeout",
    "field_value",
]
