"""Delivery metrics: the five DORA measures and the unplanned work hotfixes cost (pure)."""
