"""Standard items: (being written)."""
ITEMS: tuple = ()
