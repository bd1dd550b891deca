"""Tests of the checkin capability."""
