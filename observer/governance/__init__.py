"""Accountability for the data: the audit trail and the retention policy."""
