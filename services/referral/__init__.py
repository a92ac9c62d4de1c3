"""Referral: the referral of a child to the provider and its timeline, from receipt to close."""
