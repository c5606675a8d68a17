"""The hub (queue, HTTP API, desk console) and the waiting-room call screen."""
