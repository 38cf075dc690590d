"""Webinars: registration with capacity and waitlist, invitations, reminders, attendance."""
