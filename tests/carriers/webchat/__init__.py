"""Tests of the built-in web chat carrier (src/hearthkeeper/carriers/webchat/)."""
