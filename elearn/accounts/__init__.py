"""Accounts: users, roles, sign-up, login, e-mail verification, password reset, API tokens."""
