"""Receivers for the bookings signals: each enqueues a donations task and returns.

The signals are sent after commit, so the task sees the committed payment or refund. If the
broker cannot be reached the error is logged and the booking flow carries on; the periodic
``fund_sweep`` records the pledge later, and ``money_sweep`` the money-ledger transfer.
"""

from django.dispatch import receiver

from accounts.signals import personal_data_export, user_erasing
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


# ---------------------------------------------------------------- GDPR (accounts' signals)


@receiver(personal_data_export, dispatch_uid="donations.export_payouts")
def export_payouts(sender, user, **kwargs) -> tuple[str, dict]:
    """A host's payout details and the payouts sent to them, for their data export."""
    from .models import PayoutDetails, PayoutLine

    details = PayoutDetails.objects.filter(user=user).first()
    lines = PayoutLine.objects.filter(account__host=user).select_related("batch").order_by("pk")
    return "payouts", {
        "payout_details": (
            {"holder_name": details.holder_name, "iban": details.iban, "bic": details.bic}
            if details
            else None
        ),
        "payouts": [
            {
                "reference": line.end_to_end_id,
                "execution_date": line.batch.execution_date,
                "amount_cents": line.amount_cents,
                "iban": line.iban,
                "status": line.status,
            }
            for line in lines
        ],
    }


@receiver(user_erasing, dispatch_uid="donations.scrub_payout_details")
def scrub_payout_details(sender, user_id: int, **kwargs) -> None:
    """Inside the erasure transaction: forget where the host wanted to be paid. Payout lines
    already sent keep their account (bank records the books must keep)."""
    from .models import PayoutDetails

    PayoutDetails.objects.filter(user_id=user_id).delete()
