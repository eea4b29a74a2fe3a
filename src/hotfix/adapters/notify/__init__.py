"""Notifiers, one module per channel type: ``webhook`` (Standard Webhooks, signed),
``slack`` (incoming webhook, Block Kit), ``mail`` (email over SMTP); ``fake`` for tests. ``text``
escapes what people wrote for each channel; ``http_post`` is the one HTTP seam they share."""
