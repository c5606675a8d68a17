"""The printed ticket: layout model, ESC/POS and PNG renderers, printer connections."""
