"""Scheduling: deadlines in working days of the council's nation, the deadline clock, meetings and the
advocates' diaries. Owns its own store; learns of referrals from events.
"""
