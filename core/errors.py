"""Errors services raise that every interface answers the same way."""


class Conflict(Exception):
    """The request is valid but collides with the current state of things: answered with 409."""
