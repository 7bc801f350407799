"""Durable app state: a key-value map kept as an atomic msgpack snapshot plus an
append-only, checksummed journal (see :mod:`ctrlapp.store.journal_store`)."""

from ctrlapp.store.journal_store import JournalStore, StoreError, StoreLockedError

__all__ = ["JournalStore", "StoreError", "StoreLockedError"]
