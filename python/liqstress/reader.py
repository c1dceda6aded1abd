"""Read liqstress results files (HDF5, ``format_version = 1``; schema: results/README.md).

The core needs numpy and h5py only. pandas and xarray are used, when installed, by the
conversion methods alone (``summary_frame``, ``frame``, ``to_pandas``, ``to_xarray``); without
them those methods raise ImportError saying what to install, and everything else works.

Nothing under ``/paths`` or ``/timeseries`` is read when a file is opened: a
:class:`Variable` knows its name, dims, shape, dtype and attributes, and reads its data (or
the part of it that is indexed) only when asked. ``/summary`` is small: its list of metrics
is read at once, the rest on first use.

Dimensions are derived from shapes and the file's own counts, not from a list of known
datasets, so datasets added later are picked up without code changes. Axes are named from the
first one on, for as long as they fit:

- the leading axis of a dataset in ``/paths`` is ``path`` (length ``paths``), of one in
  ``/timeseries`` ``step`` (length ``steps``); in any other group, a leading axis whose length
  matches exactly one of the two;
- after it, an axis as long as ``/assets`` is ``asset`` (followed, when it has length 2, by
  ``side``: long, short), or one as long as ``/portfolios`` is ``portfolio`` (when both
  match, ``portfolio`` if the dataset's name contains "portfolio");
- an axis that does not fit, and every axis after it, is ``<name>_dim_<k>`` (``name`` with
  ``/`` replaced by ``_``): ``/timeseries/exact_sums`` [4·steps·A, 4] has
  ``timeseries_exact_sums_dim_0`` and ``..._dim_1``.
"""
from __future__ import annotations

import errno
import importlib
import os
import tomllib
import warnings
from collections.abc import Iterable, Iterator
from functools import cached_property
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any

import h5py
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # only for annotations: neither is needed at run time
    import pandas as pd
    import xarray as xr

FORMAT = "liqstress-results"
FORMAT_VERSION = 1
SIDES: tuple[str, str] = ("long", "short")
SUMMARY_COLUMNS: tuple[str, ...] = ("metric", "statistic", "level", "threshold", "estimate",
                                    "ci_low", "ci_high", "units")
"""Columns of the tidy summary table, in order."""

# /summary/<metric> datasets that are axes or histograms rather than statistics.
_SUMMARY_AXES = {"quantile_levels": "level", "thresholds": "threshold"}
_NOT_STATISTICS = {"quantile_levels", "thresholds", "histogram_edges", "histogram_counts"}
# Statistics of format_version 1 whose axis is known (others are matched by length).
_KNOWN_AXIS = {"var": "level", "es": "level", "exceedance": "threshold"}
_STATISTIC_ORDER = ("mean", "stderr", "var", "es", "exceedance")

Key = Any  # an h5py/numpy index: int, slice, tuple of them, Ellipsis, ()


class ResultsFormatError(ValueError):
    """The file is not a liqstress results file this reader can read, or is damaged.

    ``str(error)`` starts with the file's path; ``error.path`` and ``error.reason`` hold the
    two parts.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def load(path: str | os.PathLike[str]) -> Results:
    """Open a liqstress results file and read its metadata (no per-path data).

    Raises FileNotFoundError / IsADirectoryError / PermissionError for a path that cannot be
    read, and :class:`ResultsFormatError` for a file that is not HDF5, not a liqstress
    results file (root attribute ``format``) or of another ``format_version``.
    The returned :class:`Results` keeps the file open until ``close()`` (or the end of a
    ``with`` block).
    """
    return Results(path)


def _plain(value: Any) -> Any:
    """An HDF5 attribute value as plain Python: str, int, float, bool or a list of them."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return _plain(value.item())
    return value


def _attrs(obj: h5py.HLObject) -> dict[str, Any]:
    return {k: _plain(obj.attrs[k]) for k in obj.attrs}


def _strings(ds: h5py.Dataset) -> list[str]:
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in ds[()].tolist()]


def _require(module: str, purpose: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"{purpose} needs {module}, which is not installed (Debian: "
                          f"apt-get install python3-{module}; pip: pip install {module})") from e


def infer_dims(name: str, shape: tuple[int, ...], *, paths: int, steps: int, assets: int,
               portfolios: int) -> tuple[str, ...]:
    """Dimension names of a dataset from its name (path in the file) and shape.

    The rules are the module's (see its docstring); ``paths``, ``steps``, ``assets`` and
    ``portfolios`` are the file's counts.
    """
    group = name.split("/", 1)[0]
    fallback = name.replace("/", "_")
    dims: list[str] = []
    for k, n in enumerate(shape):
        dim = None
        previous = dims[-1] if dims else None
        if k == 0:
            if group == "paths":
                dim = "path" if n == paths else None
            elif group == "timeseries":
                dim = "step" if n == steps else None
            elif (n == paths) != (n == steps):
                dim = "path" if n == paths else "step"
        elif previous in ("path", "step"):
            is_asset = n == assets
            is_portfolio = portfolios > 0 and n == portfolios
            if is_asset and is_portfolio:
                dim = "portfolio" if "portfolio" in name.rsplit("/", 1)[-1] else "asset"
            elif is_asset:
                dim = "asset"
            elif is_portfolio:
                dim = "portfolio"
        elif previous == "asset" and n == 2:
            dim = "side"
        if dim is None:  # this axis and every later one stay unnamed
            return tuple(dims) + tuple(f"{fallback}_dim_{j}" for j in range(k, len(shape)))
        dims.append(dim)
    return tuple(dims)


class Variable:
    """One dataset of a results file (outside ``/summary``), read only when indexed.

    ``var[key]`` reads just the selection (h5py indexing: ints and slices per axis),
    ``var.read()`` or ``np.asarray(var)`` everything; ``sel``/``isel`` select by dimension
    name. ``units``, ``description`` and ``attrs`` are the dataset's HDF5 attributes.
    """

    def __init__(self, results: Results, name: str, dataset: h5py.Dataset) -> None:
        self._results = results
        self.name: str = name
        """Path in the file without the leading slash, e.g. ``paths/liquidated_usd``."""
        self.shape: tuple[int, ...] = tuple(int(n) for n in dataset.shape)
        self.dtype: np.dtype[Any] = dataset.dtype
        self.attrs: dict[str, Any] = _attrs(dataset)
        self.dims: tuple[str, ...] = infer_dims(
            name, self.shape, paths=results.n_paths, steps=results.steps,
            assets=len(results.assets), portfolios=len(results.portfolios))

    @property
    def units(self) -> str:
        """The dataset's ``units`` attribute ("" when absent)."""
        return str(self.attrs.get("units", ""))

    @property
    def description(self) -> str:
        """The dataset's ``description`` attribute ("" when absent)."""
        return str(self.attrs.get("description", ""))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def sizes(self) -> dict[str, int]:
        """Dimension name -> length."""
        return dict(zip(self.dims, self.shape))

    @property
    def coords(self) -> dict[str, npt.NDArray[Any]]:
        """Coordinate values of each dimension (positions 0, 1, ... for unnamed ones)."""
        known = self._results.coords
        return {d: known[d] if d in known else np.arange(n) for d, n in self.sizes.items()}

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 0

    def __repr__(self) -> str:
        dims = ", ".join(f"{d}: {n}" for d, n in self.sizes.items())
        units = f" [{self.units}]" if self.units else ""
        return f"<liqstress.Variable {self.name} ({dims}) {self.dtype}{units}>"

    def __getitem__(self, key: Key) -> npt.NDArray[Any]:
        """Read the selection ``key`` from the file (only that part)."""
        ds = self._results._dataset(self.name)
        if h5py.check_string_dtype(ds.dtype) is not None:
            return np.asarray(ds.asstr()[key], dtype=object)
        return np.asarray(ds[key])

    def read(self) -> npt.NDArray[Any]:
        """The whole dataset as a numpy array."""
        return self[()]

    def __array__(self, dtype: npt.DTypeLike = None,
                  copy: bool | None = None) -> npt.NDArray[Any]:
        data = self.read()  # a new array: copy=False cannot be honoured, and need not be
        return data if dtype is None else data.astype(dtype)

    def isel(self, **indexers: int | slice) -> npt.NDArray[Any]:
        """Read a selection by dimension name and position: ``isel(path=slice(0, 100), side=0)``.

        An integer drops its dimension, a slice keeps it."""
        key: list[int | slice] = [slice(None)] * self.ndim
        for dim, ix in indexers.items():
            if dim not in self.dims:
                raise KeyError(f"{self.name} has no dimension {dim!r}; its dimensions are "
                               f"{self.dims}")
            key[self.dims.index(dim)] = ix
        return self[tuple(key)]

    def sel(self, **labels: Any) -> npt.NDArray[Any]:
        """Read a selection by dimension name and label: ``sel(asset="BTC", side="long")``.

        Labels are coordinate values: asset symbols, "long"/"short", portfolio names, path
        numbers of the run (``first_path + row``), step numbers."""
        return self.isel(**{dim: self._position(dim, label) for dim, label in labels.items()})

    def _position(self, dim: str, label: Any) -> int:
        if dim not in self.dims:
            raise KeyError(f"{self.name} has no dimension {dim!r}; its dimensions are "
                           f"{self.dims}")
        coord = self.coords[dim]
        if dim == "path":  # contiguous numbers: no search through millions of paths
            first = self._results.first_path
            if isinstance(label, (int, np.integer)) and first <= label < first + len(coord):
                return int(label) - first
        else:
            hits = np.flatnonzero(coord == label)
            if hits.size == 1:
                return int(hits[0])
        shown = f"{coord[0]}..{coord[-1]}" if dim == "path" and len(coord) else coord.tolist()
        raise KeyError(f"{label!r} is not a label of dimension {dim!r} of {self.name} "
                       f"({dim}: {shown})")

    def to_xarray(self) -> xr.DataArray:
        """The whole dataset as an ``xarray.DataArray`` with dims, coords and attributes."""
        xr_mod = _require("xarray", "Variable.to_xarray()")
        coords = {d: c for d, c in self.coords.items() if d in self._results.coords}
        array: xr.DataArray = xr_mod.DataArray(self.read(), dims=self.dims, coords=coords,
                                               attrs=self.attrs, name=self.name)
        return array

    def to_pandas(self) -> pd.Series:
        """The whole dataset as a ``pandas.Series`` indexed by its dims (a MultiIndex when it
        has several): one entry per element, long format."""
        pd_mod = _require("pandas", "Variable.to_pandas()")
        data = self.read()
        if self.ndim == 0:
            return pd_mod.Series([data[()]], name=self.name)
        coords = self.coords
        if self.ndim == 1:
            index = pd_mod.Index(coords[self.dims[0]], name=self.dims[0])
        else:
            index = pd_mod.MultiIndex.from_product([coords[d] for d in self.dims],
                                                   names=list(self.dims))
        return pd_mod.Series(data.reshape(-1), index=index, name=self.name)


class Results:
    """A liqstress results file, opened for reading (see :func:`load`).

    Metadata are read at once: ``attrs`` (the root's provenance attributes as a plain dict),
    ``assets``, ``portfolios``, ``n_paths``, ``first_path``, ``steps``, ``step_seconds``, and
    for every dataset outside ``/summary`` a :class:`Variable` (``variables``, by path in the
    file; ``paths`` and ``timeseries`` by name within their group). Data are read when asked.
    Use as a context manager, or call ``close()``.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path: str = os.fspath(path)
        if not os.path.exists(self.path):
            raise FileNotFoundError(errno.ENOENT, "no such file", self.path)
        if os.path.isdir(self.path):
            raise IsADirectoryError(errno.EISDIR, "not a file", self.path)
        with open(self.path, "rb"):  # PermissionError with the path, before HDF5's message
            pass
        try:
            self._file: h5py.File | None = h5py.File(self.path, "r")
        except OSError as e:
            raise ResultsFormatError(self.path, f"not an HDF5 file, so not a liqstress results "
                                                f"file ({e})") from None
        try:
            self._read_metadata()
        except BaseException:
            self.close()
            raise

    def _read_metadata(self) -> None:
        f = self._require_open()
        fmt = _plain(f.attrs["format"]) if "format" in f.attrs else None
        if fmt != FORMAT:
            raise ResultsFormatError(self.path, f"not a liqstress results file (root attribute "
                                                f"format = {fmt!r}, expected {FORMAT!r})")
        if "format_version" not in f.attrs:
            raise ResultsFormatError(self.path, "no format_version attribute")
        version = _plain(f.attrs["format_version"])
        if version != FORMAT_VERSION:
            raise ResultsFormatError(self.path, f"format_version {version!r}; this reader reads "
                                                f"format_version {FORMAT_VERSION} only")
        try:
            self.attrs: dict[str, Any] = _attrs(f)
            """Root attributes (provenance), as plain Python values; ``config`` is TOML text."""
            self.format_version: int = int(version)
            self.n_paths: int = int(self.attrs.get("paths", 0))
            self.first_path: int = int(self.attrs.get("first_path", 0))
            self.steps: int = int(self.attrs.get("steps", 0))
            self.step_seconds: float = float(self.attrs.get("step_seconds", float("nan")))
            self.assets: list[str] = _strings(f["assets"]) if "assets" in f else []
            self.portfolios: list[str] = _strings(f["portfolios"]) if "portfolios" in f else []
            self.sides: tuple[str, str] = SIDES
            self.group_attrs: dict[str, dict[str, Any]] = {}
            """Attributes (``description``) of the groups, by path in the file."""
            self.variables: dict[str, Variable] = {}
            """Every dataset outside /summary (but /assets and /portfolios), by path."""
            self._walk(f, "")
            self.metrics: list[str] = self._read_metrics(f)
            """Names of the metrics in /summary (``/summary/metrics``, in its order), e.g.
            ``total_liquidated_usd``, ``liquidated_usd/BTC/long``, ``portfolio_loss_usd/a``."""
        except (KeyError, TypeError, ValueError, OSError) as e:
            raise ResultsFormatError(self.path, f"damaged or incomplete liqstress results file "
                                                f"({e})") from e

    def _walk(self, group: h5py.Group, prefix: str) -> None:
        for key in group:
            obj = group.get(key)
            name = f"{prefix}{key}"
            if isinstance(obj, h5py.Group):
                self.group_attrs[name] = _attrs(obj)
                if name != "summary":
                    self._walk(obj, name + "/")
            elif isinstance(obj, h5py.Dataset) and name not in ("assets", "portfolios"):
                self.variables[name] = Variable(self, name, obj)

    # ------------------------------------------------------------------ file handling

    def _require_open(self) -> h5py.File:
        if self._file is None:
            raise ValueError(f"{self.path}: the results file was closed")
        return self._file

    def _dataset(self, name: str) -> h5py.Dataset:
        return self._require_open()[name]

    def close(self) -> None:
        """Close the file; variables can no longer be read (metadata stay)."""
        if getattr(self, "_file", None) is not None:
            assert self._file is not None
            self._file.close()
            self._file = None

    def __enter__(self) -> Results:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "" if self._file is not None else ", closed"
        return (f"<liqstress.Results {self.path}: paths [{self.first_path}, "
                f"{self.first_path + self.n_paths}) x {len(self.assets)} assets x {self.steps} "
                f"steps, {len(self.variables)} variables, {len(self.metrics)} metrics{state}>")

    # ------------------------------------------------------------------ metadata

    @property
    def config(self) -> dict[str, Any]:
        """The resolved scenario (root attribute ``config``) parsed from TOML (a new dict on
        every access)."""
        text = self.attrs.get("config")
        if not isinstance(text, str):
            raise ResultsFormatError(self.path, "no config attribute (TOML text)")
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ResultsFormatError(self.path, f"its config attribute does not parse as "
                                                f"TOML ({e})") from e

    @property
    def has_paths(self) -> bool:
        """Whether the file holds per-path rows (not with ``output.per_path = false``)."""
        return bool(self.paths)

    @property
    def paths(self) -> dict[str, Variable]:
        """The datasets of ``/paths`` by name (empty when the file has no per-path rows)."""
        return self.group("paths")

    @property
    def timeseries(self) -> dict[str, Variable]:
        """The datasets of ``/timeseries`` by name."""
        return self.group("timeseries")

    def group(self, name: str) -> dict[str, Variable]:
        """The datasets under group ``name`` (at any depth), by path relative to it."""
        prefix = name.strip("/") + "/"
        return {k[len(prefix):]: v for k, v in self.variables.items() if k.startswith(prefix)}

    def __getitem__(self, name: str) -> Variable:
        """A variable by its path in the file: ``results["paths/liquidated_usd"]``."""
        return self.variables[name.strip("/")]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.strip("/") in self.variables

    def __iter__(self) -> Iterator[str]:
        return iter(self.variables)

    @cached_property
    def coords(self) -> dict[str, npt.NDArray[Any]]:
        """Coordinate values of the named dimensions: ``path`` (numbers of the run's paths,
        ``first_path`` + row), ``step``, ``asset``, ``side``, ``portfolio``, and from
        /summary ``level`` (quantile levels) and ``threshold`` (USD), the first metric's (in
        format_version 1 every metric has the same)."""
        coords: dict[str, npt.NDArray[Any]] = {
            "path": np.arange(self.first_path, self.first_path + self.n_paths, dtype=np.int64),
            "step": np.arange(self.steps, dtype=np.int64),
            "asset": np.array(self.assets, dtype=str),
            "side": np.array(SIDES, dtype=str),
            "portfolio": np.array(self.portfolios, dtype=str),
        }
        for dataset, dim in _SUMMARY_AXES.items():
            for m in self.metrics:
                data = self.summary_data(m)
                if dataset in data:
                    coords[dim] = np.asarray(data[dataset])
                    break
        return coords

    # ------------------------------------------------------------------ /summary

    @staticmethod
    def _read_metrics(f: h5py.File) -> list[str]:
        if "summary" not in f:
            return []
        summary = f["summary"]
        if "metrics" in summary:
            return _strings(summary["metrics"])
        found: list[str] = []  # no list: every group holding datasets, in HDF5's order

        def visit(name: str, obj: h5py.HLObject) -> None:
            if isinstance(obj, h5py.Group) and any(isinstance(obj.get(k), h5py.Dataset)
                                                   for k in obj):
                found.append(name)

        summary.visititems(visit)
        return found

    def _metric_group(self, metric: str) -> h5py.Group:
        f = self._require_open()
        group = f.get(f"summary/{metric}")
        if not isinstance(group, h5py.Group):
            raise ResultsFormatError(self.path, f"damaged or incomplete liqstress results file "
                                                f"(/summary/metrics names {metric!r}, but "
                                                f"/summary/{metric} is not a group)")
        return group

    def metric_attrs(self, metric: str) -> dict[str, Any]:
        """Attributes of a metric's group: ``n``, ``weight_sum``, ``effective_n``, ``label``..."""
        return _attrs(self._metric_group(metric))

    def summary_data(self, metric: str) -> dict[str, Any]:
        """Every dataset of ``/summary/<metric>`` as h5py reads it (arrays; numpy scalars for
        ``mean`` and ``stderr``), by name: ``mean``, ``var``, ``var_ci``, ``histogram_edges``..."""
        group = self._metric_group(metric)
        return {k: group[k][()] for k in group if isinstance(group.get(k), h5py.Dataset)}

    def summary_units(self, metric: str) -> dict[str, str]:
        """The ``units`` attribute of each dataset of ``/summary/<metric>``."""
        group = self._metric_group(metric)
        return {k: str(_plain(group[k].attrs.get("units", ""))) for k in group
                if isinstance(group.get(k), h5py.Dataset)}

    @cached_property
    def _summary_records(self) -> tuple[dict[str, Any], ...]:
        rows: list[dict[str, Any]] = []
        for metric in self.metrics:
            rows.extend(self._metric_records(metric))
        return tuple(rows)

    def _metric_records(self, metric: str) -> list[dict[str, Any]]:
        data = {k: np.asarray(v) for k, v in self.summary_data(metric).items()}
        units = self.summary_units(metric)
        axes = {dim: data[name].reshape(-1) for name, dim in _SUMMARY_AXES.items() if name in data}
        stats = [k for k in data if k not in _NOT_STATISTICS
                 and not (k.endswith("_ci") and k[:-3] in data)]
        stats.sort(key=lambda k: (_STATISTIC_ORDER.index(k) if k in _STATISTIC_ORDER
                                  else len(_STATISTIC_ORDER), k))
        rows: list[dict[str, Any]] = []
        for stat in stats:
            est = data[stat]
            ci = data.get(stat + "_ci")
            if ci is not None and ci.shape != est.shape + (2,):
                raise ResultsFormatError(self.path, f"/summary/{metric}/{stat}_ci has shape "
                                                    f"{ci.shape}, expected {est.shape + (2,)}")
            axis = None
            if est.ndim == 1:
                axis = _KNOWN_AXIS.get(stat)
                if axis is None:
                    fits = [dim for dim, values in axes.items() if len(values) == len(est)]
                    axis = fits[0] if len(fits) == 1 else None
                if axis is None or axis not in axes or len(axes[axis]) != len(est):
                    warnings.warn(f"{self.path}: /summary/{metric}/{stat} (length {len(est)}) "
                                  "matches neither the quantile levels nor the thresholds "
                                  "unambiguously: left out of the summary table (see "
                                  "summary_data())", stacklevel=3)
                    continue
            elif est.ndim != 0:
                warnings.warn(f"{self.path}: /summary/{metric}/{stat} has shape {est.shape}: "
                              "left out of the summary table (see summary_data())",
                              stacklevel=3)
                continue
            for k in np.ndindex(est.shape):
                row: dict[str, Any] = {
                    "metric": metric, "statistic": stat, "level": float("nan"),
                    "threshold": float("nan"), "estimate": float(est[k]),
                    "ci_low": float(ci[k][0]) if ci is not None else float("nan"),
                    "ci_high": float(ci[k][1]) if ci is not None else float("nan"),
                    "units": units.get(stat, "")}
                if axis is not None:
                    row[axis] = float(axes[axis][k[0]])
                rows.append(row)
        return rows

    def summary_records(self) -> list[dict[str, Any]]:
        """The tidy summary: one dict per (metric, statistic, level or threshold) with the keys
        of :data:`SUMMARY_COLUMNS`. ``level`` is the quantile level of ``var``/``es`` rows and
        ``threshold`` the USD threshold of ``exceedance`` rows (NaN otherwise); ``ci_low`` and
        ``ci_high`` the stored 95% interval (NaN for ``mean`` and ``stderr``, which have none).
        Values are the file's float64 numbers, unchanged."""
        return [dict(r) for r in self._summary_records]

    def summary_table(self) -> npt.NDArray[np.void]:
        """The tidy summary (see :meth:`summary_records`) as a numpy structured array."""
        rows = self._summary_records

        def width(col: str) -> int:
            return max([1] + [len(r[col]) for r in rows])

        dtype = [(c, f"U{width(c)}") if c in ("metric", "statistic", "units") else (c, "f8")
                 for c in SUMMARY_COLUMNS]
        return np.array([tuple(r[c] for c in SUMMARY_COLUMNS) for r in rows], dtype=dtype)

    def summary_frame(self) -> pd.DataFrame:
        """The tidy summary (see :meth:`summary_records`) as a pandas DataFrame."""
        pd_mod = _require("pandas", "Results.summary_frame()")
        return pd_mod.DataFrame.from_records(list(self._summary_records),
                                             columns=list(SUMMARY_COLUMNS))

    # ------------------------------------------------------------------ conversions

    def frame(self, group: str = "paths", names: Iterable[str] | None = None,
              rows: slice | None = None) -> pd.DataFrame:
        """A wide pandas DataFrame of a group's datasets along their leading dimension.

        One row per path of ``/paths`` (index ``path``: numbers of the run) or per step of
        ``/timeseries`` (index ``step``); one column per element of the other dims, named like
        the summary's metrics: ``liquidated_usd/BTC/long``, ``final_log_return/ETH``,
        ``portfolio_pnl_usd/fund-a``. ``names`` picks datasets (default: every one whose
        leading dimension is the group's); ``rows`` a slice of rows (positions), so that a
        file of millions of paths can be read in pieces.
        """
        pd_mod = _require("pandas", "Results.frame()")
        variables = self.group(group)
        lead = {"paths": "path", "timeseries": "step"}.get(group.strip("/"))
        if lead is None:
            raise ValueError(f"frame() takes group 'paths' or 'timeseries', not {group!r}")
        if names is None:
            chosen = [n for n, v in variables.items() if v.dims[:1] == (lead,)]
        else:
            chosen = list(names)
            for n in chosen:
                if n not in variables:
                    raise KeyError(f"{self.path}: no dataset {n!r} in /{group.strip('/')}")
                if variables[n].dims[:1] != (lead,):
                    raise ValueError(f"{group}/{n} has dims {variables[n].dims}, not led by "
                                     f"{lead!r}")
        rows = rows if rows is not None else slice(None)
        index = pd_mod.Index(self.coords[lead][rows], name=lead)
        columns: dict[str, npt.NDArray[Any]] = {}
        for n in chosen:
            v = variables[n]
            data = v[rows]
            coords = v.coords
            for ix in np.ndindex(data.shape[1:]):
                label = "/".join([n] + [str(coords[d][i]) for d, i in zip(v.dims[1:], ix)])
                columns[label] = data[(slice(None),) + ix]
        return pd_mod.DataFrame(columns, index=index)

    def paths_frame(self, names: Iterable[str] | None = None,
                    rows: slice | None = None) -> pd.DataFrame:
        """``frame("paths", names, rows)``: one row per path."""
        return self.frame("paths", names, rows)

    def timeline_frame(self, names: Iterable[str] | None = None) -> pd.DataFrame:
        """``frame("timeseries", names)``: one row per step."""
        return self.frame("timeseries", names)

    def to_pandas(self, group: str = "paths", names: Iterable[str] | None = None,
                  rows: slice | None = None) -> pd.DataFrame:
        """Same as :meth:`frame`."""
        return self.frame(group, names, rows)

    def to_xarray(self, group: str | None = None, rows: slice | None = None) -> xr.Dataset:
        """An ``xarray.Dataset`` of the datasets under ``group`` (named relative to it), or of
        every dataset outside /summary (named by path, ``paths/liquidated_usd``) when
        ``group`` is None; with dims, coordinates and each dataset's attributes, and the root
        attributes as the Dataset's. ``rows`` (a slice of positions) limits the ``path``
        dimension. The data are read into memory: pick a group or rows for large files."""
        xr_mod = _require("xarray", "Results.to_xarray()")
        variables = self.variables if group is None else self.group(group)
        rows = rows if rows is not None else slice(None)
        data_vars = {}
        used: set[str] = set()
        for n, v in variables.items():
            key = tuple(rows if d == "path" else slice(None) for d in v.dims)
            data_vars[n] = xr_mod.Variable(v.dims, v[key], attrs=v.attrs)
            used.update(v.dims)
        coords = {d: (c[rows] if d == "path" else c) for d, c in self.coords.items() if d in used}
        dataset: xr.Dataset = xr_mod.Dataset(data_vars, coords=coords, attrs=dict(self.attrs))
        return dataset
