"""Core's library of standard business items (the building blocks cities enable and adjust)."""
