"""Tests of the roles capability."""
