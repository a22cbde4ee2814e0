"""clientgen: OpenAPI 3.0/3.1 specs to typed Python client packages."""

__version__ = "0.1.0"
