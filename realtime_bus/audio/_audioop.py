"""``audioop``, imported once for the audio layer: the standard library's up to Python 3.12
(deprecated there, so without its warning), the maintained ``audioop-lts`` package from 3.13."""

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

__all__ = ["audioop"]
