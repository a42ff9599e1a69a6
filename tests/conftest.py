"""Shared by every test folder: loading this file puts ``tests/`` on ``sys.path``
(pytest's default import mode), so ``tests/browser`` and ``tests/lab`` both import
``chromium`` (the one Chromium launch) from here."""
