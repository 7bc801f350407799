"""Ryu-compatible module paths for app-facing helpers (``ctrlapp.app.wsgi``)."""
