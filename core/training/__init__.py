"""The Training concept pages' library: backpropagation, loss functions, the optimizer race, batch norm,
dropout, learning-rate schedules, the plane data they train on, their generated scripts, figures and CLI.
(The Training playground has its own package, core.playground, whose registries these modules reuse.)"""
