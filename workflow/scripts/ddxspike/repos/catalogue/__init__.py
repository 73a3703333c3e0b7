"""Workflow catalogues as repositories: generate.py writes a catalogue of HELIX-shaped workflows
(helix.py, vocabulary.py) and its ground truth; real_library.py the ground truth of a real
library's workflows/ (config existing_repos)."""
