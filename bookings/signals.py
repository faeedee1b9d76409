"""Signals bookings sends to the apps above it (donations). Always sent after commit.

- ``payment_succeeded(sender, payment_id)``: a booking's payment is confirmed by Stripe.
- ``payment_refunded(sender, refund_id)``: a refund of a payment was recorded.

Receivers must be quick: enqueue a Celery task and return.
"""

from django.dispatch import Signal

payment_succeeded = Signal()
payment_refunded = Signal()
