"""Errors a command reports as exit code 2, importable without the data stack (``zoufang --help``)."""


class InputError(Exception):
    """The input cannot be used at all (exit code 2); the message is for the clerk."""
