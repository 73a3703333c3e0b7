"""The spike document: scaling fits, hypothesis verdicts, targets, size policy, recommendations
and the findings page, all computed from the tidy measurement table (ddxspike/table.py).

Every module here is a function of that table (plus config): a new size, strategy or experiment
needs no new code, and a missing experiment yields an honest "no data" rather than an error.
"""
