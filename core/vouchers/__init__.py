"""Vouchers (凭证): layouts declared through ``opengjj_voucher_layouts``, drawn with
reportlab, fixed (固化) among the application's materials and verifiable by anyone at
``/v/{code}``.

- :mod:`core.vouchers.amounts`: amounts in figures and in 大写;
- :mod:`core.vouchers.fonts`: the embedded TrueType font, or the STSong-Light fallback;
- :mod:`core.vouchers.render`: the PDF itself (QR code, header grid, tables, totals, seal);
- :mod:`core.vouchers.data`: what an application's voucher says;
- :mod:`core.vouchers.service`: print once, fix, verify; long lists as a job.
"""
from core.vouchers.amounts import amount_in_words

__all__ = ["amount_in_words"]
