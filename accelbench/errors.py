"""Exceptions that carry a message meant for the user, not a traceback."""


class AccelbenchError(Exception):
    """Base class: the CLI prints the message and exits with status 2."""


class PluginError(AccelbenchError):
    """A plugin could not be loaded or contributes something invalid."""


class UnknownNameError(AccelbenchError, KeyError):
    """A design, dataset, network or workload name that is not registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class NetlistMismatchError(AccelbenchError):
    """A netlist's simulated output differs from its golden model."""


class SimulationError(AccelbenchError):
    """A simulation did not finish: starved, stuck or over its cycle budget."""


class StreamFormatError(AccelbenchError, ValueError):
    """A compressed stream is truncated or corrupt."""


class SynthesisError(AccelbenchError):
    """Yosys failed on an exported netlist."""
