"""One package per fund centre; each declares only how its centre differs from core."""
