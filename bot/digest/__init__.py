"""The daily earnings digest: schedules, the per-day delivery claim, the runner and the scheduler."""
