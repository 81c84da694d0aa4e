"""Glossaries and term bridges: each community's vocabulary, translated live for readers from others."""
