"""Exceptions raised by this client; every one is an ``APIError``.

APIError
├── APIConnectionError            no response: the connection failed or was dropped
│   └── APITimeoutError           no response in time
├── APIStatusError                a non-2xx response (``.status_code``, ``.body``, ``.response``)
│   ├── BadRequestError           400
│   ├── AuthenticationError       401
│   ├── PermissionDeniedError     403
│   ├── NotFoundError             404
│   ├── ConflictError             409
│   ├── UnprocessableEntityError  422
│   ├── RateLimitError            429
│   └── InternalServerError       500 and above
├── APIResponseValidationError    a 2xx body that does not match its schema, or is not JSON
├── PollTimeoutError              a poll that outlived its timeout (``.last`` is the last value)
├── MissingAPIKeyError            no API key passed and none in the environment
├── WebhookVerificationError      a webhook signature that is bad, missing, expired or future-dated
└── WebhookPayloadError           a signed webhook body that is not JSON or breaks its schema
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "UnprocessableEntityError",
    "WebhookPayloadError",
    "WebhookVerificationError",
]

REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-correlation-id")


class APIError(Exception):
    message: str
    request: httpx.Request | None

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APIConnectionError(APIError):
    def __init__(
        self, message: str = "Connection error.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    def __init__(
        self, message: str = "Request timed out.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APIStatusError(APIError):
    """The server answered with a non-2xx status.

    ``body`` is the spec's error model for that status when the body validates against it,
    else the decoded JSON, else the text.
    """

    status_code: int
    response: httpx.Response
    body: object
    headers: httpx.Headers
    request_id: str | None

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.headers = response.headers
        self.request_id = next(
            (response.headers[name] for name in REQUEST_ID_HEADERS if name in response.headers),
            None,
        )


class BadRequestError(APIStatusError):
    status_code: Literal[400]


class AuthenticationError(APIStatusError):
    status_code: Literal[401]


class PermissionDeniedError(APIStatusError):
    status_code: Literal[403]


class NotFoundError(APIStatusError):
    status_code: Literal[404]


class ConflictError(APIStatusError):
    status_code: Literal[409]


class UnprocessableEntityError(APIStatusError):
    status_code: Literal[422]


class RateLimitError(APIStatusError):
    status_code: Literal[429]


class InternalServerError(APIStatusError):
    pass


class APIResponseValidationError(APIError):
    """A 2xx response whose body is not what the spec declares."""

    response: httpx.Response
    status_code: int
    model: str
    errors: Sequence[Any]

    def __init__(
        self, message: str, *, response: httpx.Response, model: str, errors: Sequence[Any] = ()
    ) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.model = model
        self.errors = errors


class PollTimeoutError(APIError):
    """Polling gave up: the resource was not in a terminal state when the timeout passed."""

    last: object
    elapsed: float

    def __init__(self, message: str, *, last: object, elapsed: float) -> None:
        super().__init__(message)
        self.last = last
        self.elapsed = elapsed


class MissingAPIKeyError(APIError):
    pass


class WebhookVerificationError(APIError):
    """A webhook delivery that cannot be trusted: its signature, timestamp or secret failed."""


class WebhookPayloadError(APIError):
    """A webhook delivery, signed correctly, whose body is not an event this client knows."""

    model: str
    errors: Sequence[Any]

    def __init__(self, message: str, *, model: str = "", errors: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.model = model
        self.errors = errors


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def make_status_error(response: httpx.Response, body: object) -> APIStatusError:
    """The one place that maps a status code to its exception class."""
    status = response.status_code
    cls = _STATUS_ERRORS.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    return cls(f"Error code: {status} - {_summary(body)}", response=response, body=body)


def _summary(body: object, limit: int = 500) -> str:
    dump = getattr(body, "model_dump", None)
    if callable(dump):
        body = dump(mode="json", by_alias=True, exclude_unset=True)
    text = body if isinstance(body, str) else json.dumps(body, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."
