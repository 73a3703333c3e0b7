"""Workflow catalogue (TS-001 sub-question 3, H5, FEAT-005, ADR-006): discovery and search over
a library of HELIX-shaped workflows, 10 to 10,000 of them.

ddxspike/repos/catalogue writes a catalogue and its ground truth; record.py says what a valid workflow.yml is;
query.py what a query answers; scan.py and index.py are the two ways of reading a catalogue;
strategies/ holds one module per measured strategy; trial.py is what the engine runs per trial.
"""
