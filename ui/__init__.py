"""Shared presentation helpers for pages: the frame every page sits in, filters bound to the URL,
downloads. No business rules live here or in pages/: numbers come from metrics/."""
