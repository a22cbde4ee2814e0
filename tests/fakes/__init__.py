"""In-process fakes of the seed APIs, served by tests.support.server.LocalServer."""
