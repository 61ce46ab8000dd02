"""HTTP benchmark: wrk against the real server and the baselines it starts in the same run."""
