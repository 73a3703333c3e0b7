"""The repositories the experiments measure, and everything that produces or describes one.

model.py is the one repository model (name -> kind, path, manifest, library); manifest.py the
one manifest writer and reader (every repository's ground truth). Producers: generator/ (the
synthetic DDX-shaped libraries of config sizes), edgecases.py (config edge_cases), existing.py
(real repositories, read in place: config existing_repos), catalogue/ (workflow catalogues and
a real library's catalogue truth), subtree_fixtures.py (the pristine repositories of a git
subtree cell). All of them run git through ddxspike/gitrun.py.
"""
