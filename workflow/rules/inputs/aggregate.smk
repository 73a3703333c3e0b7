# Input functions of the aggregation rules: every experiment cell feeds the tidy table.


def measurement_cells():
    return discovery_outputs() + subtree_outputs()
