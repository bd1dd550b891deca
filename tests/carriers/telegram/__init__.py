"""Tests of the Telegram carrier (src/hearthkeeper/carriers/telegram/) against a fake Bot API."""
