"""Complaints, representations and compliments about the advocacy service, each with its time limits.
"""
