"""Signals accounts sends to the apps above it, so that it never imports them.

- ``personal_data_export(sender=User, user)``: building a person's data export. Each receiver
  returns ``(section_name, data)`` where ``data`` is JSON-serialisable (DjangoJSONEncoder:
  datetimes, dates and decimals are fine) and holds only what belongs to ``user``. Sections
  appear in the export under their name; names must not clash with accounts' own sections
  (``account``, ``profile``, ``email_addresses``, ``newsletter``).
- ``erasure_blockers(sender=User, user)``: can ``user`` erase their account now? Each receiver
  returns a list of reasons (translated strings) why not; an empty list means "no objection".
- ``user_erasing(sender=User, user_id)``: sent INSIDE the erasure transaction, after accounts
  has anonymised its own rows and before commit. Receivers scrub what identifies the person in
  their own tables (database writes only: no network, no email) and may raise to abort the
  whole erasure. Rows that must be kept (bookings, payments, ledger) stay, pointing at the
  anonymised user.
"""

from django.dispatch import Signal

personal_data_export = Signal()
erasure_blockers = Signal()
user_erasing = Signal()
