"""The printed ticket: layout model, ESC/POS and PNG renderers, printer connections."""

from printer.capabilities import prepare as _prepare_escpos_cache

_prepare_escpos_cache()  # before any module of this package imports escpos (see printer/capabilities.py)
