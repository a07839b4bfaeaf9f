"""OpenGJJ core: the platform every centre shares.

The public contract for plugins is :mod:`core.hookspecs`; the data types hooks
exchange live in :mod:`core.contract`. Everything else is the platform's own.
"""

import warnings

# Pyramid 2.1 still imports pkg_resources for asset overrides; the warning is upstream's
# to fix and tells an operator nothing. (Pyramid pins setuptools<82, which keeps it.)
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
