"""Tests of the policy assistant."""
