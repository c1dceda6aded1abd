"""liqstress: read the HDF5 results files of the liqstress Monte Carlo stress tester.

    import liqstress
    with liqstress.load("results/default.h5") as r:
        r.attrs["seed"], r.config["simulation"]["paths"]      # provenance, resolved scenario
        r.paths["liquidated_usd"].sel(asset="BTC", side="long")  # one column, read on demand
        r.timeseries["impact_mean"].dims                      # ('step', 'asset')
        r.summary_table()                                     # tidy: metric, statistic, level...
        r.summary_frame(), r.paths_frame(), r.to_xarray("timeseries")   # with pandas / xarray

Needs numpy and h5py; pandas and xarray only for the conversions. Schema: results/README.md.
"""
from .reader import (FORMAT, FORMAT_VERSION, SIDES, SUMMARY_COLUMNS, Results, ResultsFormatError,
                     Variable, infer_dims, load)

__version__ = "0.1.0"
__all__ = ["FORMAT", "FORMAT_VERSION", "SIDES", "SUMMARY_COLUMNS", "Results", "ResultsFormatError",
           "Variable", "infer_dims", "load", "__version__"]
