"""Tests of the points capability."""
