"""Training: fit, select and publish forecasts for every region."""
