"""The money and accounts engine: services that business items call as their effects.

Every service takes :class:`core.money.books.Books` (the database session, the centre's
runtime, who acts and on which day) and changes balances only through
:mod:`core.money.ledger`, which writes the ledger lines in the same transaction.
"""
