"""The one exception the library raises for bad input; the CLI prints it as one line."""


class KgError(Exception):
    """A user-facing error: bad input, missing file, unknown entity, malformed data.

    Its message is one line that names the file, line or parameter at fault.
    """


def first_line(err: BaseException) -> str:
    """The first line of an exception's message (RocksDB's can run to a backtrace), or its type."""
    return (str(err).strip().splitlines() or [type(err).__name__])[0]
