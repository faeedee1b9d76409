"""Receivers for the bookings signals: each enqueues a donations task and returns."""
