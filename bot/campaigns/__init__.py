"""Affiliate campaigns: the create form's validation and the exactly-once create service."""
