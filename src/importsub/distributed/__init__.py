"""Fan-out of long sweeps and Monte Carlo batches over Dask.

:func:`map_chunks` runs one function over a list of tasks, either in this
process (small jobs, or no scheduler asked), on a Dask ``LocalCluster``
(``workers ≥ 2``) or on an existing cluster (``scheduler="tcp://host:8786"``).
The function and its shared arguments must be picklable; shared arguments
(the network, usually) are sent to the workers once.  Results come back in
task order, so callers get identical results whatever the number of workers,
as long as each task's result depends only on its own inputs.

Ctrl-C stops cleanly: pending tasks are cancelled, the client and the local
cluster are closed (no worker process outlives the call) and
``KeyboardInterrupt`` is re-raised for the caller (the CLI exits with 130).
"""

from importsub.distributed.dask import dask_client, map_chunks

__all__ = ["dask_client", "map_chunks"]
