"""The error every core rule raises when a request cannot be honoured. It lives below the
services so that providers (Stripe, the local pay provider) raise the same kind."""


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
