"""Hostile input, crash and concurrency tests (issue 5).

Every hostile input is built at test time: FIFOs, symlinks, odd file names,
huge notes and malicious text are created in the test's own temporary folder
(see ``tests/conftest.py``), never checked in.
"""
