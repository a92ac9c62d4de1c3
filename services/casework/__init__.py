"""Casework: the advocacy case after an Active Offer ends in take-up: the plan, issues, activity, signposting,
changes of advocate, disclosures and closure with the child's feedback.
"""
