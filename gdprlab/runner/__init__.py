"""Running notebooks over datasets with papermill: batches of runs, their results, HTML reports without
code, the batch index and the comparison with the previous run."""
