"""Scheduled jobs: the schedule, the runner that records each run, locks, the scheduler process."""
