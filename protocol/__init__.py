"""The MQTT contract between the hub and every device of the building.

This package is the only place that names topics and payload models. Both
``hub`` and ``edge`` import it; it imports neither. Subscriptions, dispatch,
the broker ACL and the AsyncAPI document are all derived from
:mod:`protocol.topics`, so a topic can never be spelled two ways.
"""

from protocol.version import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION"]
