"""The 1-D device mesh a run trains on: the batch split along its axis
``"data"`` across ``jax.devices()`` (of every process, after
``jax.distributed.initialize()``), the parameters replicated, and arrays
brought back to the host.

>>> batch = shard_batch((np.ones((4, 2)),), data_mesh())
>>> to_host(batch)[0].shape
(4, 2)
"""

from __future__ import annotations

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

DATA_AXIS = "data"
"""The name of the mesh axis the batch is split along."""


def data_mesh(devices=None) -> Mesh:
    """A 1-D mesh over ``devices`` (default: every device of every process)
    whose axis ``"data"`` splits the batch.

    >>> data_mesh().axis_names
    ('data',)
    """
    devices = jax.devices() if devices is None else list(devices)
    if not devices:
        raise ValueError("data_mesh needs at least one device")
    return Mesh(np.array(devices), (DATA_AXIS,))


def replicate(tree, mesh: Mesh):
    """``tree``'s arrays (host or device) as arrays replicated on every
    device of ``mesh``; works across processes (each process supplies the
    same values).

    >>> replicate({"w": np.ones(3)}, data_mesh())["w"].sharding.is_fully_replicated
    True
    """
    sharding = NamedSharding(mesh, PartitionSpec())

    def put(leaf):
        host = to_host(leaf)
        return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])

    return jax.tree_util.tree_map(put, tree)


def shard_batch(batch, mesh: Mesh):
    """The arrays of ``batch`` (every process holding the whole global batch)
    split along their first axis across the devices of ``mesh``; the batch
    size must be a multiple of the number of devices (the loop pads).

    >>> x, y = shard_batch((np.ones((4, 2)), np.zeros(4)), data_mesh())
    >>> x.shape, x.sharding.spec == PartitionSpec("data")
    ((4, 2), True)
    """
    sharding = NamedSharding(mesh, PartitionSpec(DATA_AXIS))

    def put(host):
        host = np.asarray(host)
        if host.shape[0] % mesh.size:
            raise ValueError(f"a batch of {host.shape[0]} rows cannot be split evenly across {mesh.size} devices; "
                             f"pad it to a multiple of {mesh.size} with zero-weight rows (see padded_batch)")
        return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])

    return tuple(put(a) for a in batch)


def to_host(tree):
    """``tree`` with every array as a numpy array (for a replicated array,
    the copy on this process's first device).

    >>> import jax.numpy as jnp
    >>> to_host({"w": jnp.ones(2)})
    {'w': array([1., 1.], dtype=float32)}
    """
    def get(leaf):
        if isinstance(leaf, jax.Array):
            return np.asarray(leaf.addressable_data(0))
        return np.asarray(leaf)

    return jax.tree_util.tree_map(get, tree)


__all__ = ["DATA_AXIS", "data_mesh", "replicate", "shard_batch", "to_host"]
