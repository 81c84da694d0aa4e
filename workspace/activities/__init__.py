"""Breakthrough activities: small, timeboxed joint activities started from a library of templates."""
