"""Receivers for the bookings signals: each enqueues a donations task and returns.

The signals are sent after commit, so the task sees the committed payment or refund. If the
broker cannot be reached the error is logged and the booking flow carries on; the periodic
``fund_sweep`` records the pledge later, and ``money_sweep`` the money-ledger transfer.
"""

from django.dispatch import receiver

from bookings.signals import payment_refunded, payment_succeeded
from meetsies.enqueue import enqueue

from .tasks import money_payment_route, money_refund_route, pledge_route, reversal_route


@receiver(payment_succeeded, dispatch_uid="donations.pledge_on_payment_succeeded")
def route_pledge(sender, payment_id: int, **kwargs) -> None:
    enqueue(pledge_route, payment_id)
    enqueue(money_payment_route, payment_id)


@receiver(payment_refunded, dispatch_uid="donations.reversal_on_payment_refunded")
def route_reversal(sender, refund_id: int, **kwargs) -> None:
    enqueue(reversal_route, refund_id)
    enqueue(money_refund_route, refund_id)
