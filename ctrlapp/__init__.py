"""ctrlapp: an SDN controller application framework.

The packet library lives in :mod:`ctrlapp.lib.packet`, the OpenFlow wire
format in :mod:`ctrlapp.ofproto`, the runtime in :mod:`ctrlapp.controller`
and :mod:`ctrlapp.base`.
"""

__version__ = "0.1.0"
