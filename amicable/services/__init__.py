"""Business rules, each in one place. Routes and the bot call these; none of them reads HTTP."""


class ServiceError(Exception):
    """A request that cannot be honoured, with a message fit to show the client."""

    status_code = 422

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class NotFound(ServiceError):
    status_code = 404
