"""Reporting: the quarterly National Reporting Template, counted from the facts the other services announce.
"""
