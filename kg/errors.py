"""The one exception the library raises for bad input; the CLI prints it as one line."""


class KgError(Exception):
    """A user-facing error: bad input, missing file, unknown entity, malformed data.

    Its message is one line that names the file, line or parameter at fault.
    """
