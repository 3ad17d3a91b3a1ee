"""A run built from its settings: the dataset's splits bound to the
model's representations (:func:`build_data`), the Haiku-transformed model
(:func:`build_model`), the optimizer (:func:`make_optimizer`), and all of
it checked before anything runs (:func:`prepare`, a :class:`Run`).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

import haiku as hk
import jax
import numpy as np
import optax

from ..binding import as_group, as_rep
from ..config.names import dataset_class, dataset_kind, model_kind, parameters
from ..config.schema import ConfigError, DatasetSettings, TrainSettings, default_epochs, default_eval_every
from ..config.settings import Settings
from ..datasets.augment import group_augmentation
from ..dynamics import Flow, require_diffrax
from ..lieconv.lie_groups import as_lie_group
from ..registry import DATASETS, MODELS, kind_of
from ..standardize import Standardize
from .sizes import FLOAT32, check_examples, check_parameters, check_width

DEFAULT_VAL, DEFAULT_TEST = 1000, 5000
"""emlp's validation and test sizes for datasets generated to a size."""


@dataclasses.dataclass(frozen=True)
class Data:
    """A run's splits as float32 inputs and float32 targets (int32 labels
    for classification), with the bound representations and group; for a
    dataset of trajectories, ``flow`` (its ``ds.flow``: the times and the
    state a model integrates) and ``system`` (the dataset, for its true
    dynamics); for a dataset of point clouds, ``points`` (its layout
    ``{"n", "d", "c"}``, which a point-cloud model reads its rows with)."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_val: np.ndarray
    Y_val: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    rep_in: Any
    rep_out: Any
    group: Any
    stats: tuple | None
    classification: bool
    flow: dict | None = None
    system: Any = None
    points: dict | None = None


def _arrays(ds, name: str, classification: bool):
    X = np.asarray(ds.X, np.float32)
    Y = np.asarray(ds.Y)
    if X.ndim != 2 or len(X) != len(Y):
        raise ConfigError("dataset.name", f"{name} has X of shape {X.shape} and Y of shape {Y.shape}; the trainer "
                                          "needs X as (examples, features) and one Y per example")
    Y = Y.astype(np.int32) if classification else Y.reshape(len(Y), -1).astype(np.float32)
    return X, Y


def build_data(d: DatasetSettings, m) -> tuple[Data, DatasetSettings, dict]:
    """The splits of the dataset ``d`` names, bound to the model settings
    ``m``'s group and representations (the dataset's by default); with the
    dataset settings and model texts resolved. Raises :class:`ConfigError`
    (naming ``model.rep_in`` or ``model.rep_out``) when a representation's
    size is not the data's width."""
    cls = dataset_class(d.name)
    kind = dataset_kind(cls)
    common = dict(d.options)
    if "seed" in parameters(cls)[0]:
        common["seed"] = d.seed
    split_rng = np.random.default_rng([d.seed, 1])

    def make(**args):
        shown = ", ".join(f"{k}={v!r}" for k, v in {**args, **common}.items())
        try:
            return cls(**args, **common)
        except (TypeError, ValueError) as error:
            raise ConfigError("dataset", f"{d.name}({shown}) failed: {error}") from None
        except MemoryError as error:  # past the estimate: the dataset's own arrays outgrew the memory
            raise ConfigError("dataset.N" if "N" in args else "dataset",
                              f"{d.name}({shown}) ran out of memory ({error}): make it smaller") from None

    if kind == "sized":
        val = DEFAULT_VAL if d.val is None else d.val
        test = DEFAULT_TEST if d.test is None else d.test
        total = d.N + val + test
        _check_examples(make, total, f"N = {d.N} ({total} with the validation and test examples)")
        ds = make(N=total)
        classification = hasattr(ds, "num_classes")
        X, Y = _arrays(ds, d.name, classification)
        if len(X) != total:
            raise ConfigError("dataset.N", f"{d.name}(N={total}) made {len(X)} examples, not {total}")
        order = split_rng.permutation(total)
        parts = order[:d.N], order[d.N:d.N + val], order[d.N + val:]
        splits = [(X[p], Y[p]) for p in parts]
        resolved = dataclasses.replace(d, val=val, test=test)
    else:
        val = 0 if d.val is None else d.val
        ds, ds_test = make(train=True), make(train=False)
        classification = hasattr(ds, "num_classes")
        X, Y = _arrays(ds, d.name, classification)
        if val >= len(X):
            raise ConfigError("dataset.val", f"{val} validation examples leave none to train on: {d.name}'s "
                                             f"training set has {len(X)}")
        order = split_rng.permutation(len(X))
        splits = [(X[order[val:]], Y[order[val:]]), (X[order[:val]], Y[order[:val]]),
                  _arrays(ds_test, d.name, classification)]
        resolved = dataclasses.replace(d, val=val)
    rep_in, rep_out, group, texts = _bind(m, ds)
    width_out = ds.num_classes if classification else splits[0][1].shape[1]
    for key, rep, width, what in [("rep_in", rep_in, X.shape[1], f"inputs have {X.shape[1]} columns"),
                                  ("rep_out", rep_out, width_out,
                                   f"{width_out} classes" if classification
                                   else f"targets have {width_out} columns")]:
        if rep.size() != width:
            source = "the dataset's own" if getattr(m, key) is None else "set in the config"
            raise ConfigError(f"model.{key}", f"{texts[key]!r} ({source}) on {texts['group']} has size "
                                              f"{rep.size()}, but {d.name}'s {what}")
    stats = tuple(np.asarray(s, np.float32) for s in ds.stats) if getattr(ds, "stats", None) is not None else None
    flow = getattr(ds, "flow", None)
    data = Data(*splits[0], *splits[1], *splits[2], rep_in=rep_in, rep_out=rep_out, group=group, stats=stats,
                classification=classification, flow=flow, system=ds if flow is not None else None,
                points=getattr(ds, "points", None))
    return data, resolved, texts


def _check_examples(make, total: int, what: str) -> None:
    """Refuse ``total`` examples of a generated dataset that will not fit,
    from the size of one made first (a dataset that cannot make one is left
    to fail, or not, as it is asked for ``total``)."""
    try:
        one = make(N=1)
        X, Y = np.asarray(one.X), np.asarray(one.Y)
    except ConfigError:
        return
    if len(X) != 1 or len(Y) != 1:
        return
    check_examples("dataset.N", total, X.nbytes + Y.nbytes + FLOAT32 * (X.size + Y.size), what)


def _bind(m, ds):
    texts = {}
    kind = model_kind(m.name)
    if kind.points:
        _check_points(m, ds)
    if kind.lieconv:
        lie = _lie_group(m, ds)
        group = ds.symmetry  # the rows represent the dataset's symmetry: equivariance is measured under it
        texts["group"] = lie.name
    elif m.group is not None:
        group = as_group(m.group)
    else:
        group = getattr(ds, "symmetry", None)
        if group is None:
            raise ConfigError("model.group", "missing: the dataset names no symmetry; set one, such as "
                                             "group = \"O(3)\"")
    texts.setdefault("group", str(group))
    reps = []
    for key in ("rep_in", "rep_out"):
        given = getattr(m, key)
        value = given if given is not None else getattr(ds, key)
        try:
            rep = as_rep(value, group)
        except (TypeError, ValueError) as error:
            raise ConfigError(f"model.{key}", f"{value!r} cannot be bound to {group}: {error}") from None
        texts[key] = given if given is not None else repr(value)
        reps.append(rep)
    return reps[0], reps[1], group, texts


def _check_points(m, ds) -> None:
    """A point-cloud model needs a dataset of points, and reads its rows as
    they are."""
    if getattr(ds, "points", None) is None:
        known = [name for name, c in DATASETS.items() if hasattr(c, "points_of")]
        raise ConfigError("model.name", f"{m.name} reads point clouds; the dataset has none (datasets of points: "
                                        f"{', '.join(known)})")
    for key in ("rep_in", "rep_out"):
        if getattr(m, key) is not None:
            raise ConfigError(f"model.{key}", f"{m.name} reads the dataset's points as they are; leave {key} unset")


def _lie_group(m, ds):
    """The LieConv group of a LieConv model: ``model.group``, by default the
    dataset's symmetry; it must act on the dataset's points."""
    text = m.group if m.group is not None else str(ds.symmetry)
    try:
        lie = as_lie_group(text)
    except ValueError as error:
        raise ConfigError("model.group", str(error)) from None
    d = ds.points["d"]
    if lie.d != d:
        raise ConfigError("model.group", f"{lie.name} acts on ℝ^{lie.d}; the dataset's points are in ℝ^{d}")
    return lie


def points_of(d: DatasetSettings) -> dict | None:
    """The point layout of the dataset the settings ``d`` name (``None`` for
    one that is not points), from its class, without making the data."""
    cls = dataset_class(d.name)
    return cls.points_of(**d.options) if hasattr(cls, "points_of") else None


def flow_of(d: DatasetSettings) -> dict | None:
    """The ``flow`` of the dataset the settings ``d`` name (``None`` for one
    that is not trajectories), from its class, without making the data."""
    cls = dataset_class(d.name)
    if not hasattr(cls, "flow_of"):
        return None
    return cls.flow_of(**d.options)


def build_model(m, rep_in, rep_out, group, stats, flow: dict | None = None,
                points: dict | None = None) -> hk.Transformed:
    """The Haiku-transformed model the settings ``m`` name, wrapped in
    :class:`Standardize` with ``stats`` when ``m.standardize``. With ``flow``
    (a dataset of trajectories: ``{"ts": times, "rep_state": text}``) the
    model must be a dynamics model, and the transformed function is the
    :class:`~repalg.models.dynamics.Flow` that integrates it over ``ts``.
    A point-cloud model is given the dataset's ``points`` layout and, for
    LieConv, the group ``m.group`` names.

    >>> from repalg.models.config import ModelSettings
    >>> model = build_model(ModelSettings("MLP", options={"ch": 8}), "2*V", "Scalar", "O(2)", (0.0, 2.0))
    >>> params = jax.jit(model.init)(jax.random.PRNGKey(0), np.zeros((1, 4), np.float32))
    >>> jax.jit(model.apply)(params, None, np.ones((3, 4), np.float32)).shape
    (3, 1)
    """
    kind = model_kind(m.name)
    cls = kind.builder
    options = dict(m.options)
    if kind.points:
        options["points"] = points
    if kind.lieconv:
        options["lie_group"] = as_lie_group(m.group)
    if (flow is None) != (kind.dynamics is None):
        known = [name for name, c in MODELS.items() if kind_of(c).dynamics]
        raise ConfigError("model.name", f"{m.name} learns dynamics, from a dataset of trajectories such as "
                                        "DoubleSpringPendulum" if flow is None else
                          f"the dataset holds trajectories: the model integrates a Hamiltonian or a time "
                          f"derivative; use one of {', '.join(known)}, not {m.name}")

    if flow is not None:
        try:
            require_diffrax()
        except ImportError as error:
            raise ConfigError("model.name", f"{m.name} integrates its dynamics: {error}") from None

    def forward(x):
        if flow is not None:
            return Flow(cls, rep_in, flow["rep_state"], group, ts=flow["ts"],
                        independent=flow.get("independent", False),
                        **{k: flow[k] for k in ("rtol", "atol") if k in flow}, **options)(x)
        model = cls(rep_in, rep_out, group, **options)
        if m.augment:  # emlp's train_regression.py: Standardize(Aug(net)); a Haiku key only while training
            key = hk.maybe_next_rng_key()
            augmented = group_augmentation(model, rep_in, rep_out, group)
            model = lambda u: augmented(u, key, training=key is not None)  # noqa: E731
        return (Standardize(model, stats) if m.standardize and stats is not None else model)(x)

    return hk.transform(forward)


def make_optimizer(t, steps_per_epoch: int):
    """Adam (``b1=0.9, b2=0.999, eps=1e-8``, as emlp's objax Adam) at ``t.lr``,
    constant or with a cosine decay to 0 over the run; and the schedule.

    >>> from repalg.models.config import TrainSettings
    >>> _, schedule = make_optimizer(TrainSettings(epochs=10, schedule="cosine"), steps_per_epoch=6)
    >>> round(float(schedule(0)), 6), float(schedule(60))
    (0.003, 0.0)
    """
    total = max(t.epochs * steps_per_epoch, 1)
    schedule = optax.cosine_decay_schedule(t.lr, total) if t.schedule == "cosine" else optax.constant_schedule(t.lr)
    return optax.adam(schedule), schedule


@dataclasses.dataclass
class Run:
    """A config made concrete: resolved settings, data, model, optimizer."""

    settings: Settings
    data: Data
    model: hk.Transformed
    optimizer: optax.GradientTransformation
    schedule: Callable
    batch_size: int
    steps_per_epoch: int


def prepare(settings: Settings) -> Run:
    """Build the data, bind the representations, build the model and check
    that it initializes: every failure a :class:`ConfigError` naming the key,
    before any file is written or step compiled. A model or a dataset too
    large for the memory that may be used is refused first, with its size
    (:mod:`.sizes`)."""
    check_width(settings.model)
    data, dataset, texts = build_data(settings.dataset, settings.model)
    n = len(data.X_train)
    t = settings.train
    epochs = t.epochs if t.epochs is not None else (
        default_epochs(settings.dataset.N) if settings.dataset.N is not None else None)
    if epochs is None:
        raise ConfigError("train.epochs", f"missing: {dataset.name} has its own train and test sets; "
                                          "say how many epochs, such as epochs = 500")
    if data.flow is None:
        defaults = TrainSettings()
        for key in ("rollouts", "rollout_weights", "rollout_rtol", "rollout_atol", "rollout_floor", "rollout_horizon"):
            if getattr(t, key) != getattr(defaults, key):
                raise ConfigError(f"train.{key}", f"{dataset.name} holds no trajectories to roll out; leave it unset")
    t = dataclasses.replace(t, epochs=epochs, eval_every=t.eval_every or default_eval_every(epochs))
    model_settings = dataclasses.replace(settings.model, **texts)
    resolved = dataclasses.replace(settings, dataset=dataset, model=model_settings, train=t)
    model = build_model(model_settings, data.rep_in, data.rep_out, data.group, data.stats, data.flow, data.points)
    try:
        shapes = jax.eval_shape(model.init, jax.random.PRNGKey(0), data.X_train[:1])
    except (TypeError, ValueError) as error:
        raise ConfigError("model", f"{model_settings.name} rejected its settings: {error}") from None
    check_parameters(model_settings, shapes)
    batch_size = min(t.batch_size, n)
    steps = math.ceil(n / batch_size)
    optimizer, schedule = make_optimizer(t, steps)
    return Run(resolved, data, model, optimizer, schedule, batch_size, steps)


__all__ = ["DEFAULT_TEST", "DEFAULT_VAL", "Data", "Run", "build_data", "build_model", "flow_of", "make_optimizer",
           "points_of", "prepare"]
